/** `npm run schema [-- FILE]`: writes the spec's JSON Schema to config/platform.schema.json (or FILE). An entry point. */
import * as fs from 'fs';
import * as path from 'path';
import { renderJsonSchema } from '../src/spec/json-schema';

const out = path.resolve(process.argv[2] ?? path.join('config', 'platform.schema.json'));
fs.writeFileSync(out, renderJsonSchema());
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
