#!/usr/bin/env bash
# `npm run validate:apiserver`: apply every environment of dist/ to a real Kubernetes 1.27 API server.
#
# Starts etcd (Debian package) and kube-apiserver (built from k8s.io/kubernetes, see versions.env) on
# 127.0.0.1 only, with a throw-away CA and serving certificate made with openssl and a static bearer
# token, applies the CRDs of ../shared/crds (Istio, Argo Rollouts, Gateway API), then for each
# environment and each file in apply order:
#   kubectl apply --dry-run=server --validate=strict -f FILE   and then   kubectl apply -f FILE
# Any rejection, and any warning the server returns (deprecated API, PodSecurity "restricted"
# violations, unknown or duplicate fields...), fails the run. Then, once every environment is in,
# each file is applied a second time, which must report every object "unchanged" and keep every
# resourceVersion (PodDisruptionBudgets and StatefulSets: see KUBECTL_ALWAYS_PATCHES below), and
# `kubectl diff -f FILE` must exit 0: a value the server drops or rewrites (an empty list or map, a
# non-canonical quantity...) would make every sync look like a change. Both servers are stopped on exit.
#
# env: APISERVER_PORT (26443), ETCD_PORT (23790), KEEP_APISERVER_LOGS=1 to keep the work dir,
#      PREREQ_NAMESPACES (default "istio-system istio-ingress": created before the output, as Istio's install does),
#      plus DIST_DIR, SHARED_DIR, VALIDATE_ENVS, PLATFORM_VALIDATE_CACHE, VALIDATE_SKIP_INSTALL (run.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

APISERVER_PORT=${APISERVER_PORT:-26443}
ETCD_PORT=${ETCD_PORT:-23790}
ETCD_PEER_PORT=$((ETCD_PORT + 10))

check_dist
[ -d "$CRD_DIR" ] || die "no $CRD_DIR (set SHARED_DIR)"
if [ "${VALIDATE_SKIP_INSTALL:-0}" != 1 ]; then
  bash "$VALIDATE_DIR/install-tools.sh" apiserver >&2 || die "install-tools.sh apiserver failed"
fi
command -v openssl >/dev/null || die "openssl is required"
T0=$(date +%s)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/apiserver.XXXXXX")
ETCD_PID="" APISERVER_PID="" T_READY=""
cleanup() {
  local rc=$?
  # the API server first, then its etcd
  for p in $APISERVER_PID $ETCD_PID; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ $rc -ne 0 ] && [ -z "${T_READY:-}" ] && [ -f "$WORK/apiserver.log" ]; then
    echo "--- last lines of kube-apiserver log" >&2; tail -n 20 "$WORK/apiserver.log" >&2
  fi
  if [ "${KEEP_APISERVER_LOGS:-0}" = 1 ]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$APISERVER_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT"; do
  port_free "$p" || die "port 127.0.0.1:$p is in use (set APISERVER_PORT / ETCD_PORT)"
done

# --- credentials: CA, serving certificate for 127.0.0.1, service-account key pair, static token ---
P="$WORK/pki"; apiserver_pki "$P" validate

# --- etcd ------------------------------------------------------------------------------------------
etcd_args validate "$WORK/etcd" "$ETCD_PORT" "$ETCD_PEER_PORT"
etcd "${ETCD_ARGS[@]}" >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!

# --- kube-apiserver ---------------------------------------------------------------------------------
apiserver_args "$P" "$WORK" "$ETCD_PORT" "$APISERVER_PORT"
"$KUBE_APISERVER_BIN" "${APISERVER_ARGS[@]}" >"$WORK/apiserver.log" 2>&1 &
APISERVER_PID=$!

apiserver_kubeconfig "$WORK" validate "$APISERVER_PORT"
log "waiting for kube-apiserver $K8S_VERSION on https://127.0.0.1:$APISERVER_PORT"
wait_apiserver_ready "$APISERVER_PID"
T_READY=$(date +%s)
K version -o json 2>/dev/null | grep -E '"gitVersion"' | sed 's/^ */  /' >&2 || true

FAIL=0
# apply_checked DESCRIPTION kubectl-args...: a non-zero exit or any "Warning:" line is a rejection.
apply_checked() {
  local what=$1 out rc; shift
  out=$(K "$@" 2>&1) && rc=0 || rc=$?
  if [ $rc -ne 0 ] || grep -q '^Warning:' <<<"$out"; then
    printf 'REJECTED  %s\n%s\n' "$what" "$(sed 's/^/    /' <<<"$out")"
    FAIL=$((FAIL + 1))
    return 1
  fi
  printf 'ok        %s (%s object(s))\n' "$what" "$(grep -c . <<<"$out")"
}

echo "== CRDs from $CRD_DIR"
for f in "$CRD_DIR"/*.yaml; do
  # server-side apply: the Argo Rollouts CRDs are too large for client-side apply's annotation.
  apply_checked "$(basename "$f")" apply --server-side --field-manager validate -f "$f"
done
# Discovery must know the new kinds before custom resources are applied.
wait_crds_served

# Namespaces the platform expects to exist already, like the CRDs: istio-system comes with the Istio
# installation, istio-ingress with the reference's dev and staging gateways (each environment's
# EnvoyFilter, JWT policies and access-log Telemetry live beside its gateway pods).
for ns in ${PREREQ_NAMESPACES-istio-system istio-ingress}; do
  apply_checked "namespace $ns (cluster prerequisite)" create namespace "$ns"
done

declare -A OBJECTS
for e in $ENVS; do
  echo "== $e"
  n=0
  while read -r f; do
    rel=${f#"$REPO_ROOT"/}
    apply_checked "dry-run=server $rel" apply --dry-run=server --validate=strict -f "$f" &&
      apply_checked "apply          $rel" apply --validate=strict -f "$f"
    n=$((n + $(grep -c '^kind:' "$f")))
  done < <(env_files "$e")
  OBJECTS[$e]=$n
done

# Idempotency: the same files again change nothing, and kubectl diff sees no difference.
# Every object must stay at its resourceVersion, and kubectl must say "unchanged" for it, with one
# exception: client-side apply always sends a PodDisruptionBudget's spec.selector (its patch
# strategy is "replace", which apimachinery's strategicpatch never compares), and a StatefulSet's
# volumeClaimTemplates (a list without merge key, stored with a null creationTimestamp that no
# schema-valid manifest can state: src/data/store-statefulset.ts), so kubectl prints "configured"
# although the server stores nothing new; those pass when their resourceVersion holds.
KUBECTL_ALWAYS_PATCHES='poddisruptionbudget.policy|statefulset.apps'
declare -A CHANGED DIFFERS
versions() { K get -f "$1" -o custom-columns=KIND:.kind,NS:.metadata.namespace,NAME:.metadata.name,RV:.metadata.resourceVersion --no-headers 2>&1; }
for e in $ENVS; do
  echo "== $e: second apply (every object unchanged) and kubectl diff (exit 0)"
  CHANGED[$e]=0 DIFFERS[$e]=0
  while read -r f; do
    rel=${f#"$REPO_ROOT"/}
    before=$(versions "$f")
    out=$(K apply --validate=strict -f "$f" 2>&1) && rc=0 || rc=$?
    after=$(versions "$f")
    changed=$(grep -v -e ' unchanged$' -e '^$' <<<"$out" | grep -v -E "^(${KUBECTL_ALWAYS_PATCHES//./\\.})/[^ ]+ configured$" || true)
    moved=$(diff <(echo "$before") <(echo "$after") | grep '^>' || true)
    if [ $rc -ne 0 ] || [ -n "$changed" ] || [ -n "$moved" ]; then
      printf 'CHANGED   second apply %s (exit %s)\n%s\n' "$rel" "$rc" "$(printf '%s\n%s' "$changed" "${moved:+new resourceVersion: $moved}" | grep . | sed 's/^/    /')"
      # objects, each once: "kind.group/name configured" and "> Kind ns name rv" name the same one
      CHANGED[$e]=$((CHANGED[$e] + $( { sed -E 's#^([a-z]+)[^/]*/([^ ]+) .*#\1/\2#' <<<"$changed"
        awk '{print tolower($2) "/" $4}' <<<"$moved"; } | grep -v '^/$' | grep . | sort -u | wc -l)))
      FAIL=$((FAIL + 1))
    else
      only_kubectl=$(grep -c -E "^(${KUBECTL_ALWAYS_PATCHES//./\\.})/[^ ]+ configured$" <<<"$out" || true)
      printf 'ok        second apply %s: %s unchanged, %s PodDisruptionBudget(s)/StatefulSet(s) "configured" by kubectl only; every resourceVersion kept\n' \
        "$rel" "$(grep -c ' unchanged$' <<<"$out" || true)" "$only_kubectl"
    fi
    # kubectl diff: 0 no differences, 1 differences, >1 kubectl or diff failed.
    out=$(KUBECTL_EXTERNAL_DIFF="diff -u -N" K diff -f "$f" 2>&1) && rc=0 || rc=$?
    if [ $rc -ne 0 ]; then
      printf 'DIFFERS   kubectl diff %s (exit %s)\n%s\n' "$rel" "$rc" "$(grep -E '^(diff|[-+][^-+])' <<<"$out" | head -n 40 | sed 's/^/    /')"
      DIFFERS[$e]=$((DIFFERS[$e] + 1))
      FAIL=$((FAIL + 1))
    else
      printf 'ok        kubectl diff %s: no differences\n' "$rel"
    fi
  done < <(env_files "$e")
done

echo
echo "== summary: kube-apiserver $K8S_VERSION, etcd $(etcd --version | head -n1 | awk '{print $3}')"
for e in $ENVS; do
  printf '%-10s %4s object(s) in files; second apply: %s changed; kubectl diff: %s file(s) differ\n' \
    "$e" "${OBJECTS[$e]}" "${CHANGED[$e]}" "${DIFFERS[$e]}"
done
echo "server start: $((T_READY - T0))s, total: $(( $(date +%s) - T0 ))s"
if [ $FAIL -gt 0 ]; then
  echo "validate:apiserver: $FAIL rejection(s), change(s) on a second apply or kubectl diff difference(s)" >&2
  exit 1
fi
echo "validate:apiserver: every object accepted (dry-run and real apply), no warnings; second apply unchanged, kubectl diff exit 0"
