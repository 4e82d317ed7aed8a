#!/usr/bin/env bash
# CI: the package as another project gets it. Packs the tarball (prepack compiles lib/), installs
# it with its peers cdk8s, cdk8s-plus-27 and constructs from the registry into a scratch project
# in a temp dir, type-checks examples/consumer/ with its own tsconfig (strict, CommonJS, no
# @types/node), runs it and checks the synthesized objects; then compiles the reference platform
# declared in TypeScript (examples/reference-platform/platform.ts) against the package the same way
# and requires its output to be byte-identical to `npm run synth`'s for config/platform.yaml.
# npm's cache (~/.npm) makes reruns offline-fast; the temp dir is removed on exit, also on failure.
#   bash scripts/ci/consumer.sh     (npm run test:consumer)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
scratch=$(mktemp -d "${TMPDIR:-/tmp}/platform-consumer.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
step() { printf '== consumer: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

step "npm pack"
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
tgz="$scratch/$tarball"
# What the tarball holds: the compiled library and nothing of the tests, tools or sources.
listing=$(tar -tzf "$tgz")
bad=$(grep -E '^package/(test|tools|bin|src|scripts|config|imports)/|\.ts$' <<<"$listing" | grep -v '\.d\.ts$' || true)
if [[ -n "$bad" ]]; then echo "the tarball holds files it must not:"; echo "$bad" | head -20; exit 1; fi
grep -qx 'package/lib/src/index.js' <<<"$listing" && grep -qx 'package/lib/src/index.d.ts' <<<"$listing" \
  || { echo "the tarball lacks lib/src/index.js or index.d.ts"; exit 1; }
echo "$tarball: $(wc -l <<<"$listing") files, $(du -k "$tgz" | cut -f1) KiB"

step "install the tarball and its peers into a scratch project"
peer() { node -p "require('$repo/package.json').devDependencies['$1']"; }
cp examples/consumer/main.ts examples/consumer/tsconfig.json "$scratch/"
cd "$scratch"
printf '{ "name": "consumer", "version": "1.0.0", "private": true }\n' > package.json
npm install --prefer-offline --no-audit --no-fund --loglevel=error \
  "./$tarball" "cdk8s@$(peer cdk8s)" "cdk8s-plus-27@$(peer cdk8s-plus-27)" "constructs@$(peer constructs)" >/dev/null

step "type-check and compile the consumer (its own tsconfig)"
node "$repo/node_modules/typescript/bin/tsc" -p tsconfig.json

step "synthesize"
node out/main.js
node - <<'JS'
const fs = require('fs');
const { parseAllDocuments } = require('yaml');
const files = fs.readdirSync('dist').filter((f) => f.endsWith('.yaml'));
const objects = files.flatMap((f) => parseAllDocuments(fs.readFileSync(`dist/${f}`, 'utf8')).map((d) => d.toJSON()));
const got = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const want = ['ConfigMap/worker-db-init', 'Deployment/web', 'Deployment/worker', 'HorizontalPodAutoscaler/web', 'NetworkPolicy/worker-db',
  'PodDisruptionBudget/web', 'PodDisruptionBudget/worker', 'PodDisruptionBudget/worker-db',
  'Service/web', 'Service/worker', 'Service/worker-db', 'Service/worker-db-headless', 'ServiceAccount/web', 'ServiceAccount/worker', 'StatefulSet/worker-db'];
if (JSON.stringify(got) !== JSON.stringify(want)) { console.error(`objects ${got.join(', ')}\nwanted  ${want.join(', ')}`); process.exit(1); }
const pod = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web').spec.template.spec;
if (pod.securityContext.runAsNonRoot !== true || pod.containers[0].securityContext.allowPrivilegeEscalation !== false) {
  console.error('the web pod is not hardened'); process.exit(1);
}
// The worker reaches its database with the password from the Secret, never a value in the YAML.
const workerEnv = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker').spec.template.spec.containers[0].env;
const fromSecret = workerEnv.filter((e) => e.valueFrom && e.valueFrom.secretKeyRef && e.valueFrom.secretKeyRef.name === 'worker-db-credentials');
if (fromSecret.length === 0) { console.error(`the worker gets no credentials from worker-db-credentials: ${JSON.stringify(workerEnv)}`); process.exit(1); }
const dbPod = objects.find((o) => o.kind === 'StatefulSet').spec.template.spec;
if (dbPod.securityContext.runAsNonRoot !== true) { console.error('the database pod is not hardened'); process.exit(1); }
console.log(`${files.join(', ')}: ${objects.length} objects, as expected`);
JS
step "the reference platform declared in TypeScript, compiled against the package, writes what npm run synth writes"
# examples/reference-platform/platform.ts as a user has it: importing the package, not ../../src.
sed "s#from '../../src'#from 'platform-constructs'#" "$repo/examples/reference-platform/platform.ts" > reference-platform.ts
grep -q "from 'platform-constructs'" reference-platform.ts || { echo "reference-platform.ts does not import platform-constructs"; exit 1; }
printf '{ "extends": "./tsconfig.json", "include": ["reference-platform.ts"] }\n' > tsconfig.reference.json
node "$repo/node_modules/typescript/bin/tsc" -p tsconfig.reference.json
node -e "require('platform-constructs').writeEnvironments('reference-ts', require('./out/reference-platform.js').synthReferencePlatform(process.argv[1]))" "$repo/test/fixtures/platform"
# The same platform in YAML: the test fixture (the reference as the suite keeps it; config/ is the user's to edit).
(cd "$repo" && node tools/launch.cjs bin/synth.ts --config test/fixtures/platform/platform.yaml --out "$scratch/reference-yaml" >/dev/null)
diff -r reference-ts reference-yaml
echo "reference-ts/ and npm run synth's output: $(find reference-ts -type f | wc -l) files, byte-identical"
step "ok"
