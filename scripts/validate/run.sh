#!/usr/bin/env bash
# `npm run validate`: every validator over dist/<env>/*.yaml (dev, staging, prod).
# Fails on any finding of any tool; prints a summary table tool / version / result / seconds.
# Tools come from install-tools.sh (run here first when one is missing; it reuses the cache).
#
# env: DIST_DIR (default dist), SHARED_DIR (default ../shared), VALIDATE_ENVS (default "dev staging prod"),
#      PLATFORM_VALIDATE_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/platform-validate),
#      VALIDATE_SKIP_INSTALL=1 to fail instead of installing missing tools.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

check_dist
if [ "${VALIDATE_SKIP_INSTALL:-0}" != 1 ]; then
  bash "$VALIDATE_DIR/install-tools.sh" static semantic schemas >&2 || die "install-tools.sh failed"
fi
SCHEMAS=$(schema_dir)
[ -f "$SCHEMAS/.complete" ] || die "no converted schemas in $SCHEMAS: run install-tools.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/validate.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROWS=()
FAILS=0
T_ALL=$(date +%s)

# run_tool NAME VERSION FUNCTION: runs FUNCTION, shows its output, records PASS/FAIL and seconds.
run_tool() {
  local name=$1 ver=$2 fn=$3 t rc
  printf '\n== %s %s\n' "$name" "$ver"
  t=$(date +%s)
  $fn >"$WORK/$name.out" 2>&1
  rc=$?
  cat "$WORK/$name.out"
  local secs=$(( $(date +%s) - t ))
  if [ $rc -eq 0 ]; then
    ROWS+=("$(printf '%-28s %-36s %-12s %5s' "$name" "$ver" PASS "$secs")")
  else
    ROWS+=("$(printf '%-28s %-36s %-12s %5s' "$name" "$ver" "FAIL($rc)" "$secs")")
    FAILS=$((FAILS + 1))
  fi
}

all_files() { local e; for e in $ENVS; do env_files "$e"; done; }

# Args files: one flag per line, '#' comments and blank lines ignored.
args_from() { sed -e 's/[[:space:]]#.*$//' -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$1"; }

# --- kubeconform: strict schema validation, local schemas only, no missing schema allowed ----------
t_kubeconform() {
  local files; mapfile -t files < <(all_files)
  "$KUBECONFORM_BIN" -strict -summary -output text -n 2 \
    -kubernetes-version "$K8S_SCHEMA_VERSION" \
    -schema-location "$SCHEMAS/k8s/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$SCHEMAS/crds/{{ .Group }}_{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "${files[@]}"
}

# Copies for the pod-template checkers, with Rollouts seen as Deployments.
STATIC="$WORK/static"
prepare_static() {
  "$PYYAML_PY" "$VALIDATE_DIR/rollouts-as-deployments.py" "$DIST_DIR" "$STATIC" $ENVS >/dev/null
}

# --- kube-score: per environment (cross-object tests need one environment's objects together) -----
t_kube_score() {
  local e bad=0 args
  for e in $ENVS; do
    # kube-score.args for every environment, plus kube-score.<env>.args when present.
    mapfile -t args < <(args_from "$VALIDATE_DIR/kube-score.args"
                        [ -f "$VALIDATE_DIR/kube-score.$e.args" ] && args_from "$VALIDATE_DIR/kube-score.$e.args")
    echo "-- $e"
    "$KUBE_SCORE_BIN" score --output-format ci "${args[@]}" "$STATIC/$e"/*.yaml >"$WORK/ks.$e" 2>&1
    # ci format: one line per test and object; anything but OK/SKIPPED is a finding.
    if grep -v -E '^\[(OK|SKIPPED)\] ' "$WORK/ks.$e"; then bad=1; fi
    echo "$(grep -c '^\[OK\] ' "$WORK/ks.$e") OK, $(grep -c '^\[SKIPPED\] ' "$WORK/ks.$e") skipped"
  done
  return $bad
}

# --- Checkov: Kubernetes framework, config at the repo root ----------------------------------------
t_checkov() {
  (cd "$STATIC" && "$CHECKOV_BIN" --config-file "$REPO_ROOT/.checkov.yaml" -d . 2>&1)
}

# --- Argo Rollouts linter: one stream per environment, so references to Services and
#     VirtualServices of the same environment are checked -----------------------------------------
t_argo_lint() {
  local e f bad=0 n
  for e in $ENVS; do
    f="$WORK/argo.$e.yaml"
    : >"$f"
    while read -r n; do { cat "$n"; printf '\n---\n'; } >>"$f"; done < <(env_files "$e")
    if ! grep -q '^kind: Rollout' "$f"; then echo "-- $e: no Rollout (nothing to lint)"; continue; fi
    echo "-- $e: $(grep -c '^kind: Rollout' "$f") Rollout(s)"
    "$ARGO_ROLLOUTS_BIN" lint -f "$f" || bad=1
  done
  return $bad
}

# --- istioctl analyze: offline (--use-kube=false), every environment's files, any message fails ---
t_istioctl() {
  local e files args bad=0; mapfile -t args < <(args_from "$VALIDATE_DIR/istioctl-analyze.args")
  for e in $ENVS; do
    mapfile -t files < <(env_files "$e")
    echo "-- $e"
    "$ISTIOCTL_BIN" analyze --use-kube=false --all-namespaces --failure-threshold Info \
      --output-threshold Info "${args[@]}" "${files[@]}" || bad=1
  done
  return $bad
}

run_tool kubeconform "$KUBECONFORM_VERSION" t_kubeconform
prepare_static || die "could not prepare the Rollout-as-Deployment copies"
run_tool kube-score "$KUBE_SCORE_VERSION" t_kube_score
run_tool checkov "$CHECKOV_VERSION" t_checkov
run_tool kubectl-argo-rollouts-lint "$ARGO_ROLLOUTS_VERSION" t_argo_lint
run_tool istioctl-analyze "$ISTIOCTL_MODULE_VERSION" t_istioctl

printf '\n== summary (%s: %s)\n' "$DIST_DIR" "$ENVS"
printf '%-28s %-36s %-12s %5s\n' TOOL VERSION RESULT SECONDS
printf '%s\n' "${ROWS[@]}"
printf '%-28s %-36s %-12s %5s\n' kube-linter "$KUBE_LINTER_VERSION" UNAVAILABLE - polaris "$POLARIS_VERSION" UNAVAILABLE -
echo "(kube-linter, polaris: not served by the Go module proxy here; see docs/validation.md)"
echo "total: $(( $(date +%s) - T_ALL ))s"
if [ $FAILS -gt 0 ]; then
  echo "validate: $FAILS tool(s) reported findings" >&2
  exit 1
fi
echo "validate: no findings"
