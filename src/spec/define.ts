/**
 * A platform declared in TypeScript instead of YAML: the same input type the YAML file is
 * checked against (PlatformInput, from the schema), and the same loader, overlays and checks.
 */
import * as path from 'path';
import { LoadedPlatform, loadSpec } from './load';
import { PlatformInput } from './schema';
import { SpecOrigin } from './source';

/** Options of definePlatform. */
export interface DefinePlatformOptions {
  /**
   * Directory the files the spec names (`database.schema`) are relative to: with no spec file,
   * nothing else anchors them. Usually your project's config directory, e.g.
   * `path.join(__dirname, 'config')`.
   */
  readonly baseDir: string;
  /**
   * Directory every file the spec names must lie in, after resolving symbolic links.
   * @default baseDir
   */
  readonly filesRoot?: string;
  /**
   * What error messages call the declaration, in place of a file name.
   * @default "definePlatform"
   */
  readonly name?: string;
}

/**
 * Validates a platform declared as a TypeScript object, exactly as `loadPlatformFile` validates
 * config/platform.yaml (the same schema, environment overlays and checks), and returns the same
 * result, ready for `synthPlatform`, or for `new PlatformEnvironment(app, id, { spec })` per
 * entry of `environments`.
 *
 * The input is typed: an editor completes every field, and `tsc` rejects an unknown key or a
 * wrong type in an object literal. Everything the type cannot say (ports in range, pinned
 * images, services that call unknown services, overlays of unknown services, missing SQL files,
 * ...) is checked at run time: a SpecError lists every problem at once, each with its spec path
 * (there is no file, so there are no line numbers).
 *
 * @example
 * ```ts
 * const platform = definePlatform({
 *   platform: { name: 'shop', host: 'api.shop.example.com' },
 *   services: { web: { image: 'ghcr.io/acme/web:1.4.2', port: 8080, routes: [{ prefix: '/', auth: 'none' }] } },
 *   environments: { dev: { services: { web: { replicas: 1 } } }, prod: {} },
 * }, { baseDir: __dirname });
 * writeEnvironments('dist', synthPlatform(platform));
 * ```
 */
export function definePlatform(input: PlatformInput, options: DefinePlatformOptions): LoadedPlatform {
  if (typeof options?.baseDir !== 'string' || options.baseDir === '') {
    throw new TypeError('definePlatform: options.baseDir is required: the directory the files the spec names (database.schema) are relative to');
  }
  const source = new ObjectSource(options.name ?? 'definePlatform', input);
  return loadSpec(source, path.resolve(options.baseDir), { filesRoot: options.filesRoot });
}

/** A spec that is a JavaScript object: no file, so no lines; a key set to undefined is absent, as the overlay merge takes it. */
class ObjectSource implements SpecOrigin {
  public readonly inCode = true;

  constructor(public readonly file: string, public readonly data: unknown) {}

  public lineOf(): number {
    return 0;
  }

  public has(at: readonly PropertyKey[]): boolean {
    let node: unknown = this.data;
    for (const key of at) {
      if (typeof node !== 'object' || node === null) return false;
      if (Array.isArray(node) ? !(typeof key === 'number' && key < node.length) : !Object.hasOwn(node, key)) return false;
      node = (node as Record<PropertyKey, unknown>)[key];
      if (node === undefined) return false;
    }
    return true;
  }
}
