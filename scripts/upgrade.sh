#!/usr/bin/env bash
# `npm run upgrade`: moves the cdk8s packages to their newest releases (constructs stays on
# major 10, cdk8s-plus-27 on Kubernetes 1.27) and regenerates everything derived from them:
# imports/ (needs the CRDs: ../shared/crds or the internet), the mapper tables of the direct
# renderer, the spec's JSON Schema and docs/reference-platform.md. Then run `npm test` and
# review `git diff`: a changed snapshot means the generated YAML changed.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(node -p "const p = require('./package.json'); ['cdk8s', 'cdk8s-plus-27', 'constructs', 'cdk8s-cli'].map((n) => n + '@' + (p.dependencies[n] ?? p.devDependencies[n])).join(' ')")
npm install --save-exact --no-audit --no-fund cdk8s@latest cdk8s-plus-27@latest constructs@^10
npm install --save-exact --save-dev --no-audit --no-fund cdk8s-cli@latest
after=$(node -p "const p = require('./package.json'); ['cdk8s', 'cdk8s-plus-27', 'constructs', 'cdk8s-cli'].map((n) => n + '@' + (p.dependencies[n] ?? p.devDependencies[n])).join(' ')")
echo "before: $before"
echo "after:  $after"
npm run --silent import           # imports/ and src/render/mapper-tables.ts
npm run --silent gen:mapper-tables
npm run --silent schema
npm run --silent docs
echo "upgraded; now run npm test (npx jest test/reference.test.ts -u if the YAML changed on purpose) and review git diff"
