#!/usr/bin/env bash
# Proves the validators are wired up: run.sh over testdata/bad (one environment, "dev") must report a
# finding from every tool. Prints one line per tool and "N passed, N failed"; exits 1 if a tool passed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
out=$(DIST_DIR="$VALIDATE_DIR/testdata/bad" VALIDATE_ENVS=dev VALIDATE_SKIP_INSTALL=1 \
      bash "$VALIDATE_DIR/run.sh" 2>&1)
rc=$?
pass=0 fail=0
for tool in kubeconform kube-score checkov kubectl-argo-rollouts-lint istioctl-analyze; do
  if grep -qE "^$tool +[^ ]+ +FAIL" <<<"$out"; then
    echo "ok    $tool rejects testdata/bad"; pass=$((pass + 1))
  else
    echo "FAIL  $tool did not report the planted problems"; fail=$((fail + 1))
  fi
done
[ $rc -ne 0 ] || { echo "FAIL  run.sh exited 0 on testdata/bad"; fail=$((fail + 1)); }
echo "selftest: $pass passed, $fail failed"
[ $fail -eq 0 ]
