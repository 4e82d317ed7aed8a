#!/usr/bin/env bash
# The bundled CLI (lib/bundle/cli.js) must behave exactly as the modules tsc compiled
# (lib/src/cli.js): same files, same stdout and stderr, same exit code, for a good spec and for
# bad input. Run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
test -s lib/bundle/cli.js || { echo "lib/bundle/cli.js is missing: run npm run build" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A spec with two mistakes: an unknown key and an image without a tag.
sed -e 's/port: 3001$/prot: 3001/' -e 's|\(image: ghcr.io/shop-example/user-service\):.*|\1|' config/platform.yaml > "$work/bad.yaml"
cp -r config/sql "$work/" 2>/dev/null || true

# How each side is started: the bundle as users run it, through lib/src/main.js and its code
# cache, once compiled from source (a fresh cache per case) and once from a warm cache; the
# modules through lib/src/cli.js directly.
start() { # impl case args...
  local impl=$1 case=$2; shift 2
  case "$impl" in
    cold) NODE_COMPILE_CACHE="$work/cache-$case" node lib/src/main.js "$@" ;;
    warm) NODE_COMPILE_CACHE="$work/cache-warm" node lib/src/main.js "$@" ;;
    src) node -e "require(process.argv[1]).runSynthCli(process.argv.slice(2), process.env).then((c) => { process.exitCode = c; })" ./lib/src/cli.js "$@" ;;
  esac
}
run() { # impl case args...
  local impl=$1 case=$2; shift 2
  local dir="$work/$impl/$case"
  mkdir -p "$dir"
  set +e
  start "$impl" "$case" "$@" --out "$dir/out" >"$dir/stdout" 2>"$dir/stderr"
  echo "exit $?" >"$dir/status"
  set -e
  # Timings and the output path differ by design.
  sed -i -e 's/ in [0-9]* ms$/ in N ms/' -e "s#$dir/out#OUT#g" "$dir/stdout"
}
NODE_COMPILE_CACHE="$work/cache-warm" node lib/src/main.js --out "$work/warm-up" >/dev/null
for impl in cold warm src; do
  run "$impl" reference --config config/platform.yaml
  run "$impl" one-env --config config/platform.yaml --env prod
  run "$impl" bad-spec --config "$work/bad.yaml"
  run "$impl" bad-env --config config/platform.yaml --env nowhere
  run "$impl" bad-arg --config config/platform.yaml --bogus
done
diff -r "$work/cold" "$work/src"
diff -r "$work/warm" "$work/src"
grep -q 'exit 0' "$work/cold/reference/status"
grep -q 'exit 1' "$work/cold/bad-spec/status"
test -s "$(ls "$work"/cache-warm/*.cache)" # the warm runs had a cache to use
echo "bundle (compiled from source, and from a warm code cache) and modules: identical output, messages and exit codes in 5 cases"
