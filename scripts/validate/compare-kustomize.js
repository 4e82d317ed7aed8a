// Used by kustomize.sh: compares what kubectl read from dist/<env>/ with the synthesized files.
// usage: node compare-kustomize.js DIST_ENV_DIR KUSTOMIZE_OUTPUT NAMES_FILE
'use strict';
const fs = require('fs');
const path = require('path');
const { isDeepStrictEqual } = require('util');
const { parseAllDocuments } = require('yaml');

const [dir, builtFile, namesFile] = process.argv.slice(2);
const docs = (text) => parseAllDocuments(text).map((d) => d.toJS()).filter((o) => o !== null);
// Apply order: the manifest files by name (as the Kustomization lists them), objects in file order.
const files = fs.readdirSync(dir).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
const expected = files.flatMap((n) => docs(fs.readFileSync(path.join(dir, n), 'utf8')));
const built = docs(fs.readFileSync(builtFile, 'utf8'));
const label = (o) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const problems = [];

if (built.length !== expected.length) problems.push(`kubectl kustomize gave ${built.length} objects, the files hold ${expected.length}`);
for (let i = 0; i < Math.min(built.length, expected.length); i++) {
  if (!isDeepStrictEqual(built[i], expected[i])) {
    problems.push(`object ${i + 1}: kubectl kustomize gave ${label(built[i])}, the files hold ${label(expected[i])}${label(built[i]) === label(expected[i]) ? ' with other content' : ''}`);
    break;
  }
}
const nameOf = (o) => {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${o.kind.toLowerCase()}${group ? `.${group}` : ''}/${o.metadata.name}`;
};
const names = fs.readFileSync(namesFile, 'utf8').trim().split('\n');
const wanted = expected.map(nameOf);
if (!isDeepStrictEqual(names, wanted)) {
  const extra = names.filter((n) => !wanted.includes(n));
  problems.push(`kubectl -f ${dir}/ read ${names.length} objects, the files hold ${wanted.length}${extra.length ? `; not from the manifests: ${extra.join(', ')}` : ''}`);
}
if (problems.length) {
  for (const p of problems) process.stderr.write(`${path.basename(dir)}: ${p}\n`);
  process.exit(1);
}
process.stdout.write(`${path.basename(dir)}: ${expected.length} objects, kubectl kustomize and kubectl -f agree with the files\n`);
