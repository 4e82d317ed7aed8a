#!/usr/bin/env bash
# Installs the servers `npm run test:integration` runs against: PostgreSQL, Redis and RabbitMQ
# from Debian. Idempotent. The packages' own services are stopped and disabled afterwards:
# the tests start their own servers on unusual ports in temporary directories.
set -euo pipefail

packages=(postgresql redis-server rabbitmq-server)
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

# Stop whatever the packages started and keep it from coming back. Only running services are
# stopped: the rabbitmq init script's stop would otherwise start an epmd of its own.
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

for bin in /usr/lib/postgresql/*/bin/initdb /usr/bin/redis-server /usr/lib/rabbitmq/bin/rabbitmq-server; do
  # shellcheck disable=SC2086
  ls $bin >/dev/null
done
echo "servers installed: $(ls -d /usr/lib/postgresql/*/ | xargs -n1 basename | sed 's/^/postgresql /'), $(redis-server --version | cut -d' ' -f1-3), rabbitmq $(dpkg-query -W -f='${Version}' rabbitmq-server)"
