#!/usr/bin/env bash
# Post-processes the code `cdk8s import` generates in imports/: its toJson_* mappers drop
# undefined values with `Object.entries(x).reduce((r, i) => ... ({ ...r, [k]: v }), {})`, which
# copies the object once per field (quadratic, most of the mapper time in a large synth). This
# replaces exactly that expression with a linear copy that keeps the same keys in the same order.
# Idempotent; run by scripts/import.sh after every import.
set -euo pipefail
cd "$(dirname "$0")/.."
helper='
/** Added by scripts/import-postprocess.sh: the mappers'"'"' undefined filter, in one copy. */
function withoutUndefined(value: { [key: string]: any }): { [key: string]: any } {
  const out: { [key: string]: any } = {};
  for (const key of Object.keys(value)) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}'
for f in imports/*.ts; do
  perl -0pi -e 's/Object\.entries\(([A-Za-z_.]+)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\] \}\), \{\}\)/withoutUndefined($1)/g' "$f"
  if grep -q 'withoutUndefined(' "$f" && ! grep -q '^function withoutUndefined' "$f"; then
    printf '%s\n' "$helper" >> "$f"
  fi
done
