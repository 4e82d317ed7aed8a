/**
 * Validates synthesized objects against the Kubernetes 1.27 and CRD schemas with unknown
 * fields rejected. Two sources:
 * - always: kubernetes-models 4.3 (Kubernetes 1.27 schemas, bundled with the package), made strict
 *   (models-validator.cjs, once per jest worker);
 * - when ../shared/crds is beside the project (CI): the upstream Kubernetes 1.27 definitions and
 *   the Istio 1.22.8 / Argo Rollouts v1.7.2 / Gateway API CRDs, made strict the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../../src/synth';
import { workerModule } from './worker-module';

/** ../shared/crds beside the project (CI), or the directory in SHARED_CRDS_DIR. */
export const SHARED_CRDS = process.env.SHARED_CRDS_DIR ?? path.join(__dirname, '..', '..', '..', 'shared', 'crds');
const K8S_DEFINITIONS = 'k8s-v1.27.0-definitions.json';
export const hasSharedSchemas = fs.existsSync(path.join(SHARED_CRDS, K8S_DEFINITIONS));

type Json = Record<string, unknown>;

interface ModelsValidator {
  makeStrict(schema: unknown): void;
  groupVersion(apiVersion: string): { group: string; version: string };
  validateWithModels(o: Manifest): readonly string[];
  validateGitOpsObject(o: Manifest): readonly string[];
}

/** The kubernetes-models validation, once per jest worker (models-validator.cjs). */
const models = workerModule<ModelsValidator>('models-validator.cjs');

/** Adds additionalProperties:false to every object schema that lists properties and allows no extras. */
export const makeStrict: (schema: unknown) => void = models.makeStrict;

const CORE_GROUPS = new Set(['', 'apps', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'batch', 'storage.k8s.io']);

const groupVersion = models.groupVersion;

/** Whether the object's kind is a core Kubernetes kind (validated without ../shared). */
export function isCoreKind(o: Manifest): boolean {
  return CORE_GROUPS.has(groupVersion(o.apiVersion).group);
}

/** Errors from kubernetes-models (strict) for a core object; [] when valid. */
export function validateWithModels(o: Manifest): string[] {
  // A copy: the worker's module returns arrays of its own context.
  return [...models.validateWithModels(o)];
}

interface SharedSchemas {
  readonly ajv: Ajv;
  /** Schemas by apiVersion/kind, compiled on first use (compiling all of them takes long). */
  readonly validators: Map<string, () => ValidateFunction>;
  /**
   * CRD documents not parsed yet, by the `group/kind` their text names. Parsing all 2.3 MB of CRD
   * YAML took a second; the fuzz test meets 11 of the 24 CRDs (none of the Gateway API's).
   */
  readonly unparsed: Map<string, string[]>;
}

type Crd = { kind?: string; spec?: { group: string; names: { kind: string }; versions: Array<{ name: string; schema?: { openAPIV3Schema: Json } }> } };

let shared: SharedSchemas | undefined;
const compiled = new Map<string, ValidateFunction>();

/** A line that starts a YAML document (`---` alone or before content): where a multi-document file splits. */
const DOCUMENT_START = /^(?=---(?:[ \t]|$))/m;
/** What names a CRD: spec.group and spec.names.kind, as generated CRDs (2-space indents) write them. */
const CRD_GROUP = /^ {2}group: ["']?([^\s"']+)["']?[ \t]*$/m;
const CRD_KIND = /^ {2}names:\n(?: {4}.*\n|[ \t]*\n)*? {4}kind: ["']?([^\s"']+)["']?[ \t]*$/m;

function loadSharedSchemas(): SharedSchemas {
  if (shared) return shared;
  // Without code optimization ajv compiles the large CRD schemas in about half the time; the
  // validators accept and reject the same objects with the same errors (and validating is cheap).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { optimize: false } });
  const validators = new Map<string, () => ValidateFunction>();
  const unparsed = new Map<string, string[]>();
  const defs = JSON.parse(fs.readFileSync(path.join(SHARED_CRDS, 'k8s-v1.27.0-definitions.json'), 'utf8')) as { definitions: Record<string, Json> };
  makeStrict(defs);
  ajv.addSchema({ $id: 'k8s', definitions: defs.definitions });
  for (const [name, def] of Object.entries(defs.definitions)) {
    for (const gvk of (def['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined) ?? []) {
      const key = `${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`;
      if (!validators.has(key)) validators.set(key, () => ajv.compile({ $ref: `k8s#/definitions/${name}` }));
    }
  }
  shared = { ajv, validators, unparsed };
  for (const file of fs.readdirSync(SHARED_CRDS).filter((f) => f.endsWith('.yaml'))) {
    const text = fs.readFileSync(path.join(SHARED_CRDS, file), 'utf8');
    // Directives (%YAML) belong to the next document: such a file is parsed whole, at once.
    if (/^%/m.test(text)) {
      addCrds(shared, text);
      continue;
    }
    for (const document of text.split(DOCUMENT_START)) {
      const group = CRD_GROUP.exec(document)?.[1];
      const kind = CRD_KIND.exec(document)?.[1];
      if (group && kind) unparsed.set(`${group}/${kind}`, [...(unparsed.get(`${group}/${kind}`) ?? []), document]);
      else addCrds(shared, document);
    }
  }
  return shared;
}

/** Parses CRD documents and adds a validator for each version of each CRD in them. */
function addCrds({ ajv, validators }: SharedSchemas, text: string, expected?: string): void {
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJS() as Crd;
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
    if (expected !== undefined && `${crd.spec.group}/${crd.spec.names.kind}` !== expected) {
      throw new Error(`a CRD document in ${SHARED_CRDS} names ${expected} in its text but is ${crd.spec.group}/${crd.spec.names.kind}: make CRD_GROUP and CRD_KIND in test/support/schema-validator.ts read it right`);
    }
    for (const v of crd.spec.versions) {
      if (!v.schema) continue;
      const schema = v.schema.openAPIV3Schema;
      // The API server owns these; every CRD accepts them.
      const props = (schema.properties ?? {}) as Json;
      props.apiVersion = { type: 'string' };
      props.kind = { type: 'string' };
      props.metadata = { type: 'object' };
      schema.properties = props;
      makeStrict(schema);
      validators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, () => ajv.compile(schema));
    }
  }
}

/** The validator maker of an apiVersion/kind, parsing the CRD documents that name its group and kind first. */
function sharedValidator(apiVersion: string, kind: string): (() => ValidateFunction) | undefined {
  const schemas = loadSharedSchemas();
  const parse = (groupKind: string) => {
    const documents = schemas.unparsed.get(groupKind) ?? [];
    schemas.unparsed.delete(groupKind);
    for (const document of documents) addCrds(schemas, document, groupKind);
  };
  parse(`${groupVersion(apiVersion).group}/${kind}`);
  const key = `${apiVersion}/${kind}`;
  // Before answering "no schema", every CRD is read, as if all had been parsed at the start.
  if (!schemas.validators.has(key)) for (const groupKind of [...schemas.unparsed.keys()]) parse(groupKind);
  return schemas.validators.get(key);
}

/**
 * Errors against the upstream schemas in ../shared (strict). Only the conformance tests
 * (`npm run test:conformance`) use them, and there their absence is an error, not a skip.
 */
export function validateWithShared(o: Manifest): string[] {
  if (!hasSharedSchemas) {
    throw new Error(`no upstream schemas at ${SHARED_CRDS} (${K8S_DEFINITIONS} missing): the conformance tests need ../shared/crds beside the project, or SHARED_CRDS_DIR=DIR`);
  }
  const key = `${o.apiVersion}/${o.kind}`;
  let validate = compiled.get(key);
  if (!validate) {
    const compile = sharedValidator(o.apiVersion, o.kind);
    if (!compile) return [`${o.kind}/${o.metadata.name}: no schema for ${o.apiVersion} ${o.kind}`];
    validate = compile();
    compiled.set(key, validate);
  }
  const valid = validate(o as unknown);
  if (valid) return [];
  return (validate.errors ?? []).map((e) => `${o.kind}/${o.metadata.name}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`);
}

/** Errors (strict, unknown fields rejected) for an Argo CD or Flux object; [] when valid. */
export function validateGitOpsObject(o: Manifest): string[] {
  return [...models.validateGitOpsObject(o)];
}
