#!/usr/bin/env bash
# `npm run test:cluster`: the platform's behaviour on a simulated cluster (docs/cluster-simulation.md).
#
# Starts, all on 127.0.0.1 and each stopped by PID on exit (also when a test fails):
#   etcd -> kube-apiserver -> CRDs of ../shared/crds, namespace istio-system -> 6 KWOK nodes in
#   3 zones x 2 -> kube-controller-manager, kube-scheduler, kwok -> a fake Prometheus -> the Argo
#   Rollouts controller (its Prometheus queries go to the fake through HTTP_PROXY) -> redis-server,
# then runs the scenarios (jest -c jest.cluster.config.js). The scenarios synthesize their own spec,
# apply it, and start the Envoy rate limit service and the collector's `validate` themselves.
# Skipped, with a message, when ../shared/crds is absent (the CRDs are not part of the repository).
#
# env: SIM_KEEP_LOGS=1 keeps the work dir (logs of every process); VALIDATE_SKIP_INSTALL=1 skips
#      install-tools.sh; extra arguments go to jest.
set -euo pipefail
. "$(dirname "$0")/../validate/lib.sh"
SIM_DIR=$(cd "$(dirname "$0")" && pwd)
T0=$(date +%s)
say() { printf '[cluster] %s\n' "$*" >&2; }

if [ ! -d "$CRD_DIR" ]; then
  say "SKIPPED: no $CRD_DIR (the upstream CRDs live beside the clone in ../shared; set SHARED_DIR)"
  exit 0
fi
if [ "${VALIDATE_SKIP_INSTALL:-0}" != 1 ]; then
  bash "$VALIDATE_DIR/install-tools.sh" sim >&2 || die "install-tools.sh sim failed"
fi
for b in "$KUBE_APISERVER_BIN" "$KUBECTL_BIN" "$KUBE_CONTROLLER_MANAGER_BIN" "$KUBE_SCHEDULER_BIN" "$KWOK_BIN" \
         "$ROLLOUTS_CONTROLLER_BIN" "$ARGO_ROLLOUTS_BIN" "$RATELIMIT_BIN" "$RATELIMIT_CHECK_BIN" "$OTELCOL_BIN"; do
  [ -x "$b" ] || die "missing $b: run scripts/validate/install-tools.sh sim"
done
for c in etcd redis-server openssl node; do
  command -v "$c" >/dev/null || die "missing $c (etcd: install-tools.sh; redis-server: scripts/integration/install-servers.sh)"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cluster-sim.XXXXXX")
mkdir -p "$WORK/pids" "$WORK/logs"
PIDS=()
# start NAME CMD...: in its own process group, log in $WORK/logs/NAME.log.
start() {
  local name=$1; shift
  setsid "$@" >"$WORK/logs/$name.log" 2>&1 </dev/null &
  PIDS+=("$!")
  echo "$!" >"$WORK/pids/$name"
}
cleanup() {
  local rc=$? p i
  trap - EXIT INT TERM
  # Started last, stopped first; then whatever the scenarios registered in $WORK/pids.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM -- "-${PIDS[i]}" 2>/dev/null || kill -TERM "${PIDS[i]}" 2>/dev/null || true
  done
  for f in "$WORK"/pids/*; do
    [ -f "$f" ] || continue
    p=$(cat "$f")
    kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ $rc -ne 0 ] || [ "${SIM_KEEP_LOGS:-0}" = 1 ]; then
    say "logs kept in $WORK/logs"
  else
    rm -rf "$WORK"
  fi
  say "total: $(( $(date +%s) - T0 ))s"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ETCD_PORT=$(free_port) ETCD_PEER_PORT=$(free_port) APISERVER_PORT=$(free_port) PROM_PORT=$(free_port)
ARGO_HEALTHZ_PORT=$(free_port) ARGO_METRICS_PORT=$(free_port) REDIS_PORT=$(free_port)

# --- credentials, as scripts/validate/apiserver.sh ---------------------------------------------------
P="$WORK/pki"; apiserver_pki "$P" sim

apiserver_kubeconfig "$WORK" sim "$APISERVER_PORT"

# --- etcd, kube-apiserver ----------------------------------------------------------------------------
etcd_args sim "$WORK/etcd" "$ETCD_PORT" "$ETCD_PEER_PORT"
start etcd etcd "${ETCD_ARGS[@]}"
apiserver_args "$P" "$WORK" "$ETCD_PORT" "$APISERVER_PORT"
start kube-apiserver "$KUBE_APISERVER_BIN" "${APISERVER_ARGS[@]}"

say "waiting for kube-apiserver $K8S_VERSION on https://127.0.0.1:$APISERVER_PORT"
wait_apiserver_ready "${PIDS[1]}" "$WORK/logs/kube-apiserver.log"
T_API=$(date +%s)

# --- what a cluster has before the platform: CRDs, istio-system, nodes -------------------------------
for f in "$CRD_DIR"/*.yaml; do
  K apply --server-side --field-manager sim -f "$f" >/dev/null || die "CRDs $f rejected"
done
wait_crds_served
K create namespace istio-system >/dev/null
# Six nodes, two per zone; allocatable includes ephemeral-storage (every generated pod requests it).
# No kwok NoSchedule taint: the platform's pods do not tolerate it.
for zone in a b c; do
  for i in 1 2; do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: sim-$zone-$i
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels:
    kubernetes.io/hostname: sim-$zone-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    topology.kubernetes.io/zone: zone-$zone
    topology.kubernetes.io/region: sim
    type: kwok
status:
  allocatable: {cpu: "4", memory: 16Gi, ephemeral-storage: 100Gi, pods: "110"}
  capacity: {cpu: "4", memory: 16Gi, ephemeral-storage: 100Gi, pods: "110"}
EOF
  done
done >"$WORK/nodes.yaml"
K apply -f "$WORK/nodes.yaml" >/dev/null

# --- controllers ---------------------------------------------------------------------------------------
# node-monitor-grace-period: on busy CI cores kwok's heartbeats lag; nodes must not flap NotReady.
start kube-controller-manager "$KUBE_CONTROLLER_MANAGER_BIN" --kubeconfig "$KUBECONFIG" \
  --secure-port 0 --leader-elect=false --root-ca-file "$P/ca.crt" \
  --service-account-private-key-file "$P/sa.key" \
  --horizontal-pod-autoscaler-sync-period 5s --node-monitor-grace-period 10m --v 1
start kube-scheduler "$KUBE_SCHEDULER_BIN" --kubeconfig "$KUBECONFIG" --secure-port 0 --leader-elect=false --v 1
start kwok "$KWOK_BIN" --kubeconfig "$KUBECONFIG" --manage-all-nodes=true --cidr 10.244.0.0/16 \
  --node-lease-duration-seconds 40
start fake-prometheus node "$SIM_DIR/fake-prometheus.mjs" "$PROM_PORT"
# The AnalysisTemplate's address (prometheus.monitoring.svc...) is reached through the proxy: plain
# http only, so the API server (https) is never proxied. --rollout-resync 10 (default 900 s): once in
# a while the controller misses the ReplicaSet update that makes a blue-green preview saturated and
# would only look again at the resync (seen once in about ten runs: "active service cutover pending"
# with the preview 5/5 ready); 10 s keeps a missed event from failing a scenario, the 900 s
# default is what a cluster gets (docs/cluster-simulation.md).
start rollouts-controller env HTTP_PROXY="http://127.0.0.1:$PROM_PORT" http_proxy="http://127.0.0.1:$PROM_PORT" \
  NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
  "$ROLLOUTS_CONTROLLER_BIN" --kubeconfig "$KUBECONFIG" --leader-elect=false --rollout-resync 10 \
  --healthzPort "$ARGO_HEALTHZ_PORT" --metricsport "$ARGO_METRICS_PORT" --loglevel info
start redis-server redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$WORK"

say "waiting for the controllers"
for _ in $(seq 1 120); do
  K get serviceaccount default -n default >/dev/null 2>&1 &&
    [ "$(K get nodes --no-headers 2>/dev/null | grep -c ' Ready ')" = 6 ] &&
    curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null &&
    curl -sf "http://127.0.0.1:$ARGO_HEALTHZ_PORT/healthz" >/dev/null &&
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
  for n in "${!PIDS[@]}"; do
    kill -0 "${PIDS[n]}" 2>/dev/null || { grep -l "^${PIDS[n]}\$" "$WORK"/pids/* >&2; die "a process exited (logs: $WORK/logs)"; }
  done
  sleep 1
done
K get nodes -L topology.kubernetes.io/zone >&2
T_UP=$(date +%s)
say "cluster up in $((T_UP - T0))s (kube-apiserver ready after $((T_API - T0))s)"

export SIM_WORK="$WORK" SIM_KUBECTL="$KUBECTL_BIN" SIM_ARGO_PLUGIN="$ARGO_ROLLOUTS_BIN" \
  SIM_PROMETHEUS="http://127.0.0.1:$PROM_PORT" SIM_REDIS_PORT="$REDIS_PORT" \
  SIM_RATELIMIT_BIN="$RATELIMIT_BIN" SIM_RATELIMIT_CHECK_BIN="$RATELIMIT_CHECK_BIN" SIM_OTELCOL_BIN="$OTELCOL_BIN" \
  SIM_REPO="$REPO_ROOT"
cd "$REPO_ROOT"
npx jest -c jest.cluster.config.js --runInBand "$@"
