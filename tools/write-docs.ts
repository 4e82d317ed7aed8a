/** `npm run docs`: writes docs/reference-platform.md (see reference-doc.ts). An entry point. */
import * as fs from 'fs';
import * as path from 'path';
import { REFERENCE_DOC, referenceDoc } from './reference-doc';

fs.mkdirSync(path.dirname(REFERENCE_DOC), { recursive: true });
fs.writeFileSync(REFERENCE_DOC, referenceDoc());
process.stdout.write(`wrote ${REFERENCE_DOC}\n`);
