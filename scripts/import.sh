#!/usr/bin/env bash
# Regenerates imports/ (Istio 1.22.8 and Argo Rollouts v1.7.2 typed constructs).
# Offline from ../shared/crds when it is beside the project, else from the URLs in cdk8s.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/crds
if [ -d "$shared" ]; then
  npx cdk8s import "istio:=$shared/istio-1.22.8-crds.yaml" --language typescript -o imports
  npx cdk8s import "argo:=$shared/argo-rollouts-v1.7.2-crds.yaml" --language typescript -o imports
else
  npx cdk8s import --language typescript -o imports
fi
bash scripts/import-postprocess.sh
npm run --silent gen:json-names
