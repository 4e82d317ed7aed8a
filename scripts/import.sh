#!/usr/bin/env bash
# Regenerates imports/ (Istio 1.22.8 and Argo Rollouts v1.7.2 typed constructs).
# Offline from ../shared/crds when it is beside the project, else from the URLs in cdk8s.yaml.
# Then post-processes the generated mappers and regenerates src/render/mapper-tables.ts from them.
set -euo pipefail
cd "$(dirname "$0")/.."
# `cdk8s import FILE` records FILE in cdk8s.yaml and rewrites it without comments; keep ours.
saved=$(mktemp)
cp cdk8s.yaml "$saved"
trap 'cp "$saved" cdk8s.yaml; rm -f "$saved"' EXIT
shared=../shared/crds
if [ -d "$shared" ]; then
  npx cdk8s import "istio:=$shared/istio-1.22.8-crds.yaml" --language typescript -o imports
  npx cdk8s import "argo:=$shared/argo-rollouts-v1.7.2-crds.yaml" --language typescript -o imports
else
  npx cdk8s import --language typescript -o imports
fi
bash scripts/import-postprocess.sh
npm run --silent gen:mapper-tables
