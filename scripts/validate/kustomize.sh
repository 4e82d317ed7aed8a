#!/usr/bin/env bash
# `bash scripts/validate/kustomize.sh`: each dist/<env>/ read the way Argo CD, Flux and
# `kubectl apply -k` read it, with the pinned kubectl 1.27 (kustomize built in):
#   - `kubectl kustomize dist/<env>` gives exactly the objects of dist/<env>/*.yaml, same content,
#     same order (the Kustomization transforms nothing);
#   - `kubectl -f dist/<env>/` (what `kubectl apply -f dist/<env>/` reads; `label --local` runs the
#     same file reader without a cluster) reads exactly those objects: not the Kustomization file,
#     not REPORT.md.
# No cluster, no network. About 2 s for the three environments.
#
# env: DIST_DIR (default dist), VALIDATE_ENVS (default "dev staging prod"), KUBECTL_BIN,
#      VALIDATE_SKIP_INSTALL=1 to fail instead of building a missing kubectl.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check_dist
if [ ! -x "$KUBECTL_BIN" ] && [ "${VALIDATE_SKIP_INSTALL:-0}" != 1 ]; then
  bash "$VALIDATE_DIR/install-tools.sh" apiserver >&2 || die "install-tools.sh apiserver failed"
fi
[ -x "$KUBECTL_BIN" ] || die "no kubectl at $KUBECTL_BIN: run scripts/validate/install-tools.sh apiserver"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/validate-kustomize.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log "kubectl $("$KUBECTL_BIN" version --client -o json | sed -n 's/.*"gitVersion": "\([^"]*\)".*/\1/p' | head -n 1)"
for e in $ENVS; do
  dir=$DIST_DIR/$e
  [ -f "$dir/Kustomization" ] || die "$dir has no Kustomization: run 'npm run synth'"
  "$KUBECTL_BIN" kustomize "$dir" >"$WORK/$e.built.yaml" || die "$e: kubectl kustomize failed"
  KUBECONFIG=/dev/null "$KUBECTL_BIN" label --local -f "$dir/" gitops-check=1 -o name >"$WORK/$e.names" \
    || die "$e: kubectl -f $dir/ failed"
  node "$VALIDATE_DIR/compare-kustomize.js" "$dir" "$WORK/$e.built.yaml" "$WORK/$e.names" || die "$e: see above"
done
log "kustomize: every environment builds to exactly its synthesized objects, and -f DIR reads only them"
