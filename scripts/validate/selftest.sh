#!/usr/bin/env bash
# Proves the validators are wired up and working: run.sh over testdata/bad (one environment, "dev")
# must mark every tool FAIL, and each tool's own output must contain the findings planted for it
# (testdata/bad/expected-findings.txt): a tool that fails for another reason (a missing schema, a
# crash, a stub that always fails) does not pass. Prints one line per tool and "N passed, N failed";
# exits 1 if any tool did not report what was planted.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
EXPECTED="$VALIDATE_DIR/testdata/bad/expected-findings.txt"
out=$(DIST_DIR="$VALIDATE_DIR/testdata/bad" VALIDATE_ENVS=dev VALIDATE_SKIP_INSTALL=1 \
      bash "$VALIDATE_DIR/run.sh" 2>&1)
rc=$?

# The output of one tool: the lines after run.sh's "== TOOL VERSION" header, up to the next header.
section() { awk -v t="$1" '/^== /{on = ($2 == t); next} on' <<<"$out"; }

pass=0 fail=0
for tool in kubeconform kube-score checkov kubectl-argo-rollouts-lint istioctl-analyze; do
  problems=()
  grep -qE "^$tool +[^ ]+ +FAIL" <<<"$out" || problems+=("not marked FAIL in the summary")
  text=$(section "$tool")
  [ -n "$text" ] || problems+=("no output section")
  n=0
  while read -r name pattern; do
    [ "$name" = "$tool" ] || continue
    n=$((n + 1))
    grep -qE -- "$pattern" <<<"$text" || problems+=("missing: $pattern")
  done < <(grep -vE '^[[:space:]]*(#|$)' "$EXPECTED")
  [ $n -gt 0 ] || problems+=("no expected finding listed in $EXPECTED")
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok    $tool reports the $n planted finding(s)"; pass=$((pass + 1))
  else
    echo "FAIL  $tool:"; printf '        %s\n' "${problems[@]}"; fail=$((fail + 1))
  fi
done
[ $rc -ne 0 ] || { echo "FAIL  run.sh exited 0 on testdata/bad"; fail=$((fail + 1)); }
if [ $fail -gt 0 ]; then
  printf '\n== run.sh output\n%s\n' "$out"
fi
echo "selftest: $pass passed, $fail failed"
[ $fail -eq 0 ]
