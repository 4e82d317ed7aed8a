/** `npm run gen:mapper-tables`: regenerates src/render/mapper-tables.ts (see mapper-tables-gen.ts). An entry point. */
import * as fs from 'fs';
import { currentMapperTablesModule, MAPPER_TABLES_FILE } from './mapper-tables-gen';

fs.writeFileSync(MAPPER_TABLES_FILE, currentMapperTablesModule());
process.stdout.write(`wrote ${MAPPER_TABLES_FILE}\n`);
