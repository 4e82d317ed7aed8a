# Common settings for install-tools.sh, run.sh and apiserver.sh (sourced, not executed).
# shellcheck shell=bash disable=SC2034  # the paths below are used by the scripts that source this file

VALIDATE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$VALIDATE_DIR/../.." && pwd)
# shellcheck source=versions.env
. "$VALIDATE_DIR/versions.env"

SHARED_DIR=${SHARED_DIR:-$REPO_ROOT/../shared}
CRD_DIR="$SHARED_DIR/crds"
DIST_DIR=${DIST_DIR:-$REPO_ROOT/dist}
ENVS=${VALIDATE_ENVS:-dev staging prod}

# Everything installed or generated lives here, one directory per tool and version.
PV_CACHE=${PLATFORM_VALIDATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-validate}

KUBECONFORM_BIN=$PV_CACHE/kubeconform-$KUBECONFORM_VERSION/bin/kubeconform
KUBECONFORM_CONVERTER=$PV_CACHE/kubeconform-$KUBECONFORM_VERSION/openapi2jsonschema.py
KUBE_SCORE_BIN=$PV_CACHE/kube-score-$KUBE_SCORE_VERSION/bin/kube-score
CHECKOV_BIN=$PV_CACHE/checkov-$CHECKOV_VERSION/venv/bin/checkov
PYYAML_PY=$PV_CACHE/pyyaml-$PYYAML_VERSION/venv/bin/python
ARGO_ROLLOUTS_BIN=$PV_CACHE/argo-rollouts-$ARGO_ROLLOUTS_VERSION/bin/kubectl-argo-rollouts
ISTIOCTL_BIN=$PV_CACHE/istioctl-$ISTIOCTL_MODULE_VERSION/bin/istioctl
KUBE_APISERVER_BIN=${KUBE_APISERVER_BIN:-$PV_CACHE/kubernetes-$K8S_VERSION/bin/kube-apiserver}
KUBECTL_BIN=${KUBECTL_BIN:-$PV_CACHE/kubernetes-$K8S_VERSION/bin/kubectl}
KUBE_CONTROLLER_MANAGER_BIN=$PV_CACHE/kubernetes-$K8S_VERSION/bin/kube-controller-manager
KUBE_SCHEDULER_BIN=$PV_CACHE/kubernetes-$K8S_VERSION/bin/kube-scheduler
ROLLOUTS_CONTROLLER_BIN=$PV_CACHE/argo-rollouts-$ARGO_ROLLOUTS_VERSION/bin/rollouts-controller
KWOK_BIN=$PV_CACHE/kwok-$KWOK_VERSION/bin/kwok
RATELIMIT_BIN=$PV_CACHE/ratelimit-$RATELIMIT_MODULE_VERSION/bin/service_cmd
RATELIMIT_CHECK_BIN=$PV_CACHE/ratelimit-$RATELIMIT_MODULE_VERSION/bin/config_check_cmd
OTELCOL_BIN=$PV_CACHE/otelcol-$OTELCOL_VERSION/bin/otelcol-sim

# Schemas converted from ../shared/crds, keyed by converter version and the inputs' content.
schema_dir() {
  local key
  key=$(cat "$CRD_DIR"/*.yaml "$CRD_DIR/k8s-v$K8S_SCHEMA_VERSION-definitions.json" \
        "$VALIDATE_DIR/k8s-defs-to-schemas.py" | sha256sum | cut -c1-12)
  echo "$PV_CACHE/schemas-kubeconform-$KUBECONFORM_VERSION-$key"
}

log() { printf '[validate] %s\n' "$*" >&2; }
die() { printf '[validate] ERROR: %s\n' "$*" >&2; exit 1; }

# True when the Go binary $1 was built from module $2 at version $3 (main module or dependency).
go_bin_is() {
  [ -x "$1" ] || return 1
  go version -m "$1" 2>/dev/null | awk -v m="$2" -v v="$3" '($1=="mod"||$1=="dep") && $2==m && $3==v {f=1} END {exit !f}'
}

# All manifest files of one environment, in apply order.
env_files() {
  find "$DIST_DIR/$1" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) | LC_ALL=C sort
}

check_dist() {
  local e n
  [ -d "$DIST_DIR" ] || die "no $DIST_DIR: run 'npm run synth' first"
  for e in $ENVS; do
    n=$(env_files "$e" | wc -l)
    [ "$n" -gt 0 ] || die "no manifests in $DIST_DIR/$e"
  done
}

# --- a private kube-apiserver on 127.0.0.1 (apiserver.sh and scripts/cluster/run.sh) -----------------
# apiserver_pki DIR NAME: a CA, a serving certificate for 127.0.0.1, a service-account key pair and
# a static admin token (system:masters) in DIR; sets TOKEN. NAME names the CA and the admin user.
apiserver_pki() {
  local p=$1 name=$2
  mkdir -p "$p"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$name-ca" -keyout "$p/ca.key" -out "$p/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$p/apiserver.key" -out "$p/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$p/ext.cnf"
  openssl x509 -req -in "$p/apiserver.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial \
    -days 1 -extfile "$p/ext.cnf" -out "$p/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$p/sa.key" 2048 2>/dev/null
  openssl rsa -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
  TOKEN=$(openssl rand -hex 24)
  echo "$TOKEN,$name-admin,$name-admin,system:masters" >"$p/tokens.csv"
}

# apiserver_args PKI_DIR WORK_DIR ETCD_PORT APISERVER_PORT: sets APISERVER_ARGS, the kube-apiserver
# flags both scripts use (loopback only, RBAC, no privileged pods, the PKI of apiserver_pki).
apiserver_args() {
  local p=$1 work=$2
  APISERVER_ARGS=(
    --etcd-servers "http://127.0.0.1:$3"
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$4"
    --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key"
    --client-ca-file "$p/ca.crt" --token-auth-file "$p/tokens.csv"
    --service-account-issuer https://kubernetes.default.svc.cluster.local
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key"
    --service-cluster-ip-range 10.96.0.0/16
    --authorization-mode RBAC --allow-privileged=false --profiling=false
    --cert-dir "$work/certs" --v 1
  )
}

# etcd_args NAME DATA_DIR CLIENT_PORT PEER_PORT: sets ETCD_ARGS, a single-member etcd NAME on 127.0.0.1
# (no metrics listener, warnings only) that apiserver_args's --etcd-servers reaches on CLIENT_PORT.
etcd_args() {
  local name=$1
  ETCD_ARGS=(
    --name "$name" --data-dir "$2"
    --listen-client-urls "http://127.0.0.1:$3" --advertise-client-urls "http://127.0.0.1:$3"
    --listen-peer-urls "http://127.0.0.1:$4" --initial-advertise-peer-urls "http://127.0.0.1:$4"
    --initial-cluster "$name=http://127.0.0.1:$4" --listen-metrics-urls "" --log-level warn
  )
}

# apiserver_kubeconfig WORK_DIR NAME APISERVER_PORT: exports KUBECONFIG (WORK_DIR/kubeconfig), whose
# current context NAME reaches the server on APISERVER_PORT as NAME-admin with the CA and token of
# apiserver_pki (WORK_DIR/pki, TOKEN). K, below, is kubectl against it.
apiserver_kubeconfig() {
  local work=$1 name=$2
  KUBE_CACHE_DIR="$work/kube-cache"
  export KUBECONFIG="$work/kubeconfig"
  printf 'apiVersion: v1\nkind: Config\n' >"$KUBECONFIG"
  K config set-cluster "$name" --server "https://127.0.0.1:$3" \
    --certificate-authority "$work/pki/ca.crt" --embed-certs >/dev/null
  K config set-credentials "$name-admin" --token "$TOKEN" >/dev/null
  K config set-context "$name" --cluster "$name" --user "$name-admin" >/dev/null
  K config use-context "$name" >/dev/null
}
K() { "$KUBECTL_BIN" --cache-dir "$KUBE_CACHE_DIR" "$@"; }

# wait_apiserver_ready PID [LOG]: waits up to 120 s until the kube-apiserver of PID answers /readyz;
# dies when it exits first (printing the last lines of LOG when given) or is not ready by then.
wait_apiserver_ready() {
  for _ in $(seq 1 120); do
    if ! kill -0 "$1" 2>/dev/null; then
      if [ -n "${2:-}" ]; then tail -n 20 "$2" >&2; die "kube-apiserver exited"; fi
      die "kube-apiserver exited (see log above)"
    fi
    K get --raw /readyz >/dev/null 2>&1 && return 0
    sleep 1
  done
  K get --raw /readyz >/dev/null || die "kube-apiserver not ready after 120s"
}

# wait_crds_served: after applying CRDs with K (apiserver_kubeconfig first), waits until they are
# Established and discovery serves the Istio and Argo Rollouts kinds, so custom resources can follow.
wait_crds_served() {
  K wait --for condition=Established crd --all --timeout 60s >/dev/null
  for _ in $(seq 1 30); do
    K api-resources --api-group networking.istio.io 2>/dev/null | grep -q VirtualService &&
      K api-resources --api-group argoproj.io 2>/dev/null | grep -q Rollout && return 0
    sleep 1
  done
}
