#!/usr/bin/env bash
# Installs every validation tool at the version pinned in versions.env, into
#   ${PLATFORM_VALIDATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-validate}/<tool>-<version>/
# Idempotent: a tool already in the cache at the pinned version, or already on PATH at the pinned
# version, is reused (checked with `go version -m` for Go binaries, `--version` for the others).
# Go tools come from the Go module proxy (go install / a wrapper module for those with replace
# directives), Python tools from PyPI (one venv each), etcd from Debian.
#
# Independent steps run concurrently (downloads of one overlap the compiles of another), each with
# its own log in logs/<tool>.log; VALIDATE_INSTALL_JOBS=1 runs them one after the other.
#
# usage: install-tools.sh [static] [semantic] [apiserver] [schemas] [sim]   (default: all of them)
#   sim: what `npm run test:cluster` needs beyond apiserver (kube-controller-manager, kube-scheduler,
#   KWOK, the Argo Rollouts controller, the Envoy rate limit service, an OpenTelemetry Collector).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

GROUPS_WANTED=${*:-static semantic apiserver schemas sim}
want() { [[ " $GROUPS_WANTED " == *" $1 "* ]]; }

export GOFLAGS="${GOFLAGS:-} -trimpath"
GO_LDFLAGS="-s -w"
mkdir -p "$PV_CACHE/logs"
T0=$(date +%s)
SUMMARY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/install-tools.XXXXXX")
trap 'rm -rf "$SUMMARY_DIR"' EXIT
ORDER=0

# One file per step, so that steps running in the background can report.
record() { printf '%-22s %-40s %s\n' "$1" "$2" "$3" >"$SUMMARY_DIR/$ORDER.$1"; log "$1 $2: $3"; }

# step NAME VERSION CHECK_FN INSTALL_FN: reuse when CHECK_FN succeeds, else run INSTALL_FN.
step() {
  local name=$1 ver=$2 check=$3 install=$4 t how
  if how=$($check); then
    record "$name" "$ver" "reused ($how)"
    return 0
  fi
  t=$(date +%s)
  log "installing $name $ver (log: $PV_CACHE/logs/$name.log)"
  if $install >"$PV_CACHE/logs/$name.log" 2>&1 && how=$($check); then
    record "$name" "$ver" "installed in $(( $(date +%s) - t ))s"
  else
    tail -n 30 "$PV_CACHE/logs/$name.log" >&2 || true
    record "$name" "$ver" "FAILED after $(( $(date +%s) - t ))s (see $PV_CACHE/logs/$name.log)"
    return 1
  fi
}

# bg STEP-ARGS...: run a step in the background (or in the foreground with VALIDATE_INSTALL_JOBS=1).
bg() {
  ORDER=$((ORDER + 1))
  if [ "${VALIDATE_INSTALL_JOBS:-0}" = 1 ]; then step "$@" || true; else step "$@" & fi
}

# Link a binary found on PATH into the cache when it is the pinned build.
reuse_from_path() { # bin-name dest checker-args...
  local name=$1 dest=$2 found; shift 2
  found=$(command -v "$name" 2>/dev/null) || return 1
  [ "$found" = "$dest" ] && return 1
  "$@" "$found" || return 1
  mkdir -p "$(dirname "$dest")" && ln -sf "$found" "$dest" && echo "PATH: $found"
}

go_install() { # module/pkg version dest-bin
  local dir; dir=$(dirname "$3")
  mkdir -p "$dir"
  GOBIN="$dir" go install -ldflags="$GO_LDFLAGS" "$1@$2"
}

# ---- kubeconform ---------------------------------------------------------------------------------
kc_check() {
  go_bin_is "$KUBECONFORM_BIN" github.com/yannh/kubeconform "$KUBECONFORM_VERSION" || \
    reuse_from_path kubeconform "$KUBECONFORM_BIN" go_bin_is_kc >/dev/null || return 1
  [ -f "$KUBECONFORM_CONVERTER" ] || return 1
  echo "cache"
}
go_bin_is_kc() { go_bin_is "$1" github.com/yannh/kubeconform "$KUBECONFORM_VERSION"; }
kc_install() {
  go_bin_is "$KUBECONFORM_BIN" github.com/yannh/kubeconform "$KUBECONFORM_VERSION" || \
    go_install github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" "$KUBECONFORM_BIN"
  # kubeconform's own CRD converter ships in its module: take it from the module cache.
  local dir
  dir=$(go mod download -json "github.com/yannh/kubeconform@$KUBECONFORM_VERSION" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  cp "$dir/scripts/openapi2jsonschema.py" "$KUBECONFORM_CONVERTER"
}

# ---- kube-score ----------------------------------------------------------------------------------
ks_is() { go_bin_is "$1" github.com/zegl/kube-score "$KUBE_SCORE_VERSION"; }
ks_check() { ks_is "$KUBE_SCORE_BIN" && echo cache || reuse_from_path kube-score "$KUBE_SCORE_BIN" ks_is; }
ks_install() { go_install github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION" "$KUBE_SCORE_BIN"; }

# ---- Python tools (one venv per tool and version) ------------------------------------------------
venv_install() { # dir pip-requirement
  rm -rf "$1/venv"
  python3 -m venv "$1/venv"
  "$1/venv/bin/pip" install --disable-pip-version-check --no-input -q "$2"
}
pyyaml_check() {
  [ -x "$PYYAML_PY" ] && [ "$("$PYYAML_PY" -c 'import yaml; print(yaml.__version__)' 2>/dev/null)" = "$PYYAML_VERSION" ] && echo cache
}
pyyaml_install() { venv_install "$PV_CACHE/pyyaml-$PYYAML_VERSION" "PyYAML==$PYYAML_VERSION"; }

checkov_is() { [ "$("$1" --version 2>/dev/null | tail -n1)" = "$CHECKOV_VERSION" ]; }
checkov_check() {
  checkov_is "$CHECKOV_BIN" && echo cache || reuse_from_path checkov "$CHECKOV_BIN" checkov_is
}
checkov_install() { venv_install "$PV_CACHE/checkov-$CHECKOV_VERSION" "checkov==$CHECKOV_VERSION"; }

# ---- Go programs with replace directives: build through a pinned wrapper module ------------------
# scripts/validate/gomod/<name>/go.mod requires the program's module and repeats its replace
# directives (Go ignores replace directives of dependencies); go.sum pins every checksum.
wrapper_build() { # name out-dir tags extra-ldflags pkgs...
  local name=$1 out=$2 tags=$3 ldx=$4 src; shift 4
  src="$PV_CACHE/src/$name"
  rm -rf "$src" && mkdir -p "$src" "$out"
  cp "$VALIDATE_DIR/gomod/$name/go.mod" "$VALIDATE_DIR/gomod/$name/go.sum" "$src/"
  (cd "$src" && go build -mod=readonly -p 2 -tags "$tags" -ldflags="$GO_LDFLAGS $ldx" -o "$out/" "$@")
}

argo_is() { go_bin_is "$1" github.com/argoproj/argo-rollouts "$ARGO_ROLLOUTS_VERSION"; }
argo_check() {
  argo_is "$ARGO_ROLLOUTS_BIN" && echo cache || reuse_from_path kubectl-argo-rollouts "$ARGO_ROLLOUTS_BIN" argo_is
}
# The controller (for the cluster simulation) is built with the plugin: nearly the same packages.
argo_sim_check() {
  local p; p=$(argo_check) || return 1
  argo_is "$ROLLOUTS_CONTROLLER_BIN" || return 1
  echo "$p; rollouts-controller: cache"
}
argo_install() {
  local pkgs=(github.com/argoproj/argo-rollouts/cmd/kubectl-argo-rollouts)
  if want sim; then pkgs+=(github.com/argoproj/argo-rollouts/cmd/rollouts-controller); fi
  wrapper_build argo-rollouts "$(dirname "$ARGO_ROLLOUTS_BIN")" "" \
    "-X github.com/argoproj/argo-rollouts/utils/version.version=${ARGO_ROLLOUTS_VERSION#v}" \
    "${pkgs[@]}"
}

istioctl_is() { go_bin_is "$1" istio.io/istio "$ISTIOCTL_MODULE_VERSION"; }
istioctl_check() {
  istioctl_is "$ISTIOCTL_BIN" && echo cache || reuse_from_path istioctl "$ISTIOCTL_BIN" istioctl_is
}
istioctl_install() { go_install istio.io/istio/istioctl/cmd/istioctl "$ISTIOCTL_MODULE_VERSION" "$ISTIOCTL_BIN"; }

# kube-apiserver and kubectl: k8s.io/kubernetes with every k8s.io staging module replaced by the
# matching v0.27.x. Tag providerless: leaves out the legacy in-tree cloud providers (not needed,
# and k8s.io/legacy-cloud-providers v0.27.x is not in the checksum database reachable here).
k8s_is() { # bin
  go_bin_is "$1" k8s.io/kubernetes "$K8S_VERSION" && return 0
  case $(basename "$1") in
    kubectl) [[ "$("$1" version --client -o json 2>/dev/null)" == *"\"gitVersion\": \"$K8S_VERSION\""* ]] ;;
    *) [ "$("$1" --version 2>/dev/null)" = "Kubernetes $K8S_VERSION" ] ;;
  esac
}
# The minor version must be "27": clients such as the Argo Rollouts controller parse it as a number.
k8s_minor_ok() { "$KUBECTL_BIN" version --client -o json 2>/dev/null | grep -q "\"minor\": \"$(k8s_minor)\""; }
k8s_minor() { local m=${K8S_VERSION#v1.}; echo "${m%%.*}"; }
k8s_check() {
  local a k
  a=$(k8s_is "$KUBE_APISERVER_BIN" && echo cache || reuse_from_path kube-apiserver "$KUBE_APISERVER_BIN" k8s_is) || return 1
  k=$(k8s_is "$KUBECTL_BIN" && echo cache || reuse_from_path kubectl "$KUBECTL_BIN" k8s_is) || return 1
  k8s_minor_ok || return 1
  if want sim; then
    k8s_is "$KUBE_CONTROLLER_MANAGER_BIN" && k8s_is "$KUBE_SCHEDULER_BIN" || return 1
    echo "kube-apiserver: $a; kubectl: $k; kube-controller-manager, kube-scheduler: cache"
  else
    echo "kube-apiserver: $a; kubectl: $k"
  fi
}
k8s_install() {
  local ldx="" x pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
  for x in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldx+=" -X $x.gitVersion=$K8S_VERSION -X $x.gitMajor=1 -X $x.gitMinor=$(k8s_minor) -X $x.gitTreeState=clean"
  done
  if want sim; then pkgs+=(k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler); fi
  wrapper_build kubernetes "$(dirname "$KUBE_APISERVER_BIN")" providerless "$ldx" "${pkgs[@]}"
}

# ---- etcd (Debian) -------------------------------------------------------------------------------
etcd_check() {
  local v
  command -v etcd >/dev/null && v=$(etcd --version 2>/dev/null) && echo "PATH: ${v%%$'\n'*}"
}
etcd_install() {
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show "$ETCD_DEB_PACKAGE" >/dev/null 2>&1; then apt-get update; fi
  apt-get install -y --no-install-recommends "$ETCD_DEB_PACKAGE"
  # The package enables a system etcd on 2379; ours uses its own ports and data dir.
}

# ---- cluster simulation (npm run test:cluster) -----------------------------------------------------
kwok_check() { go_bin_is "$KWOK_BIN" sigs.k8s.io/kwok "$KWOK_VERSION" && echo cache; }
kwok_install() { go_install sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" "$KWOK_BIN"; }

# The proxy serves no tagged version of envoyproxy/ratelimit, only pseudo-versions (no replace directives).
ratelimit_check() {
  go_bin_is "$RATELIMIT_BIN" github.com/envoyproxy/ratelimit "$RATELIMIT_MODULE_VERSION" &&
    go_bin_is "$RATELIMIT_CHECK_BIN" github.com/envoyproxy/ratelimit "$RATELIMIT_MODULE_VERSION" && echo cache
}
ratelimit_install() {
  local dir; dir=$(dirname "$RATELIMIT_BIN")
  mkdir -p "$dir"
  GOBIN="$dir" go install -ldflags="$GO_LDFLAGS" \
    "github.com/envoyproxy/ratelimit/src/service_cmd@$RATELIMIT_MODULE_VERSION" \
    "github.com/envoyproxy/ratelimit/src/config_check_cmd@$RATELIMIT_MODULE_VERSION"
}

# OpenTelemetry Collector: a wrapper module (gomod/otelcol: go.mod, go.sum, main.go) with exactly the
# components of the generated collector configuration, at the pinned collector image's version.
otelcol_check() { go_bin_is "$OTELCOL_BIN" go.opentelemetry.io/collector/otelcol "v$OTELCOL_VERSION" && echo cache; }
otelcol_install() {
  local src="$PV_CACHE/src/otelcol"
  rm -rf "$src" && mkdir -p "$src" "$(dirname "$OTELCOL_BIN")"
  cp "$VALIDATE_DIR/gomod/otelcol/go.mod" "$VALIDATE_DIR/gomod/otelcol/go.sum" "$VALIDATE_DIR/gomod/otelcol/main.go" "$src/"
  (cd "$src" && go build -mod=readonly -p 2 -ldflags="$GO_LDFLAGS" -o "$OTELCOL_BIN" .)
}

# ---- schemas converted from ../shared/crds -------------------------------------------------------
schemas_check() { [ -f "$(schema_dir)/.complete" ] && echo "cache: $(schema_dir)"; }
schemas_install() {
  local out; out=$(schema_dir)
  [ -d "$CRD_DIR" ] || { echo "no $CRD_DIR (set SHARED_DIR)"; return 1; }
  rm -rf "$out" && mkdir -p "$out/crds"
  "$PYYAML_PY" "$VALIDATE_DIR/k8s-defs-to-schemas.py" "$KUBECONFORM_CONVERTER" \
    "$CRD_DIR/k8s-v$K8S_SCHEMA_VERSION-definitions.json" "$out/k8s" "$K8S_SCHEMA_VERSION"
  # kubeconform's converter, run as is; strict: additionalProperties false on the root too.
  (cd "$out/crds" && FILENAME_FORMAT='{fullgroup}_{kind}_{version}' DENY_ROOT_ADDITIONAL_PROPERTIES=1 \
     "$PYYAML_PY" "$KUBECONFORM_CONVERTER" "$CRD_DIR"/*.yaml | tail -n 3)
  "$PYYAML_PY" "$VALIDATE_DIR/k8s-defs-to-schemas.py" --crd-root "$out/crds"
  touch "$out/.complete"
}

command -v go >/dev/null || die "go is required (Go module proxy) to build the validators"
# kubeconform's converter (and PyYAML) are needed by the schema step: one chain in the background.
static_chain() {
  ORDER=1; step kubeconform "$KUBECONFORM_VERSION" kc_check kc_install || return 1
  ORDER=2; step pyyaml "$PYYAML_VERSION" pyyaml_check pyyaml_install || return 1
  if want schemas; then ORDER=3; step schemas "k8s $K8S_SCHEMA_VERSION + CRDs" schemas_check schemas_install; fi
}
ORDER=3
if want static || want schemas; then
  if [ "${VALIDATE_INSTALL_JOBS:-0}" = 1 ]; then static_chain || true; else static_chain & fi
fi
if want static; then
  bg kube-score "$KUBE_SCORE_VERSION" ks_check ks_install
  bg checkov "$CHECKOV_VERSION" checkov_check checkov_install
fi
if want semantic || want sim; then
  if want sim; then
    bg kubectl-argo-rollouts "$ARGO_ROLLOUTS_VERSION" argo_sim_check argo_install
  else
    bg kubectl-argo-rollouts "$ARGO_ROLLOUTS_VERSION" argo_check argo_install
  fi
fi
if want semantic; then
  bg istioctl "$ISTIOCTL_MODULE_VERSION" istioctl_check istioctl_install
fi
if want apiserver || want sim; then
  bg kubernetes "$K8S_VERSION" k8s_check k8s_install
  bg etcd "$ETCD_DEB_PACKAGE" etcd_check etcd_install
fi
if want sim; then
  bg kwok "$KWOK_VERSION" kwok_check kwok_install
  bg ratelimit "$RATELIMIT_MODULE_VERSION" ratelimit_check ratelimit_install
  bg otelcol "$OTELCOL_VERSION" otelcol_check otelcol_install
fi
wait

echo
echo "== validation tools ($PV_CACHE) =="
for f in $(cd "$SUMMARY_DIR" && ls | sort -n); do cat "$SUMMARY_DIR/$f"; done
echo "not installable here: kube-linter, polaris (the Go module proxy refuses them; see docs/validation.md)"
echo "total: $(( $(date +%s) - T0 ))s"
if grep -q 'FAILED' "$SUMMARY_DIR"/* 2>/dev/null; then exit 1; fi
