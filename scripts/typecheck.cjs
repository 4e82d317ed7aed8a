#!/usr/bin/env node
// `npm run typecheck` (and, beside jest, part of `npm test`): type-checks everything (src, tests, tools,
// examples; the generated imports/ once, as their own project) in build mode, so an unchanged tree
// is answered from the build info in lib/types/ without reading a file (about 0.6 s).
//
// Build mode decides what is stale from the project's own files only, not from the packages'
// declarations: an install (npm rewrites node_modules/.package-lock.json on every install) newer
// than the last check forces a full check, so new package versions are never trusted unchecked.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const mtime = (file) => {
  try {
    return fs.statSync(path.join(root, file)).mtimeMs;
  } catch {
    return undefined;
  }
};
/** node's arguments for the type check: tsc in build mode, forced after an install; `extra` appended. */
function tscArgs(extra = []) {
  const installed = mtime('node_modules/.package-lock.json');
  const checked = mtime('lib/types/typecheck.tsbuildinfo');
  const force = installed !== undefined && checked !== undefined && installed > checked;
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  return [tsc, '-b', 'tsconfig.json', ...(force ? ['--force'] : []), ...extra];
}

if (require.main === module) {
  const r = spawnSync(process.execPath, tscArgs(process.argv.slice(2)), { cwd: root, stdio: 'inherit' });
  if (r.error) throw r.error;
  process.exit(r.status ?? 1);
}

module.exports = { tscArgs };
