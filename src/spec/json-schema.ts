/**
 * The spec's JSON Schema, from the zod schema, so editors complete and check the spec as it is
 * typed (the spec names config/platform.schema.json in `$schema` and in the yaml-language-server
 * modeline). `npm run schema` (tools/write-json-schema.ts) writes it; a test keeps the committed
 * file from drifting.
 */
import * as z from 'zod';
import { PlatformFileSchema } from './schema';

/**
 * The spec's JSON Schema. It describes the input form (fields with defaults are optional),
 * rejects unknown keys like the loader does, and targets draft-07, which every editor's YAML
 * and JSON support reads.
 */
export function platformJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(PlatformFileSchema, { io: 'input', target: 'draft-07' }) as Record<string, unknown>;
  return {
    $schema,
    title: 'Platform spec',
    description: 'One spec for every environment of the platform; `npm run synth` turns it into dist/<env>/.',
    ...rest,
  };
}

/** The schema as the committed file holds it: two-space JSON with a final newline. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(platformJsonSchema(), null, 2)}\n`;
}
