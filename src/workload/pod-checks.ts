/**
 * The Pod Security Standards "restricted" profile (Kubernetes v1.27) and the image-pin rule,
 * checked on rendered objects: every pod spec found in any object, whatever its kind (Pod,
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Argo Rollout, other custom
 * resources) and whoever created it. A pod spec is any object under `spec` with a `containers`
 * list, so kinds this file has never heard of are checked too.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { apiGroup } from '../manifest';
import { imagePinProblem } from '../spec/image';

/** One rule a pod spec breaks: the field (from the object's root) and what is wrong. */
export interface PodProblem {
  /** Field path such as spec.template.spec.containers[0].securityContext.privileged. */
  readonly field: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** Volume types "restricted" allows. */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
/** Sysctls "baseline" (and so "restricted") allows. */
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range'];
const SELINUX_TYPES = ['container_t', 'container_init_t', 'container_kvm_t'];
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objectAt = (o: Json, key: string): Json => (isObject(o[key]) ? o[key] as Json : {});

/**
 * Kinds of the platform's own output that never embed a pod (core, Istio, Argo analysis): not
 * walked, which keeps the check to a few percent of synth time. Every other kind is walked.
 */
const PODLESS_KINDS = new Set([
  ...['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'Service', 'PersistentVolumeClaim'].map((k) => `/${k}`),
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => `rbac.authorization.k8s.io/${k}`),
  'networking.k8s.io/NetworkPolicy', 'policy/PodDisruptionBudget', 'autoscaling/HorizontalPodAutoscaler',
  ...['PeerAuthentication', 'RequestAuthentication', 'AuthorizationPolicy'].map((k) => `security.istio.io/${k}`),
  ...['Gateway', 'VirtualService', 'DestinationRule', 'ServiceEntry', 'EnvoyFilter'].map((k) => `networking.istio.io/${k}`),
  'telemetry.istio.io/Telemetry', 'argoproj.io/AnalysisTemplate',
]);

/** Every pod spec in a rendered object, with its field path (e.g. spec.jobTemplate.spec.template.spec). */
export function podSpecsIn(object: Json): Array<{ path: string; pod: Json }> {
  const out: Array<{ path: string; pod: Json }> = [];
  if (PODLESS_KINDS.has(`${apiGroup(String(object.apiVersion ?? ''))}/${String(object.kind)}`)) return out;
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => { if (typeof v === 'object' && v !== null) walk(v, `${path}[${i}]`); });
      return;
    }
    if (!isObject(value)) return;
    if (Array.isArray(value.containers)) {
      out.push({ path, pod: value });
      return;
    }
    for (const [k, v] of Object.entries(value)) if (typeof v === 'object' && v !== null) walk(v, `${path}.${k}`);
  };
  // Pod, workloads and custom resources keep pods under spec; a PodTemplate keeps one under template.
  for (const [k, v] of Object.entries(object)) if (k !== 'metadata' && k !== 'status' && typeof v === 'object' && v !== null) walk(v, k);
  return out;
}

/** Everything in one pod spec that breaks "restricted" or the image-pin rule; [] when it meets them. */
export function podSpecProblems(pod: Json, at = 'spec'): PodProblem[] {
  const out: PodProblem[] = [];
  const podCtx = objectAt(pod, 'securityContext');
  const add = (field: string, message: string) => out.push({ field, message });

  for (const host of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[host] === true) add(`${at}.${host}`, `is true; Pod Security "restricted" forbids sharing host namespaces`);
  }
  ((Array.isArray(pod.volumes) ? pod.volumes : []) as Json[]).forEach((v, i) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUME_TYPES.includes(type)) {
      add(`${at}.volumes[${i}]`, `volume "${String(v.name)}" has type ${type ?? 'none'}; Pod Security "restricted" allows ${RESTRICTED_VOLUME_TYPES.join(', ')}`);
    }
  });
  ((Array.isArray(podCtx.sysctls) ? podCtx.sysctls : []) as Json[]).forEach((s, i) => {
    if (!SAFE_SYSCTLS.includes(String(s.name))) add(`${at}.securityContext.sysctls[${i}]`, `sysctl ${String(s.name)} is not allowed; Pod Security allows ${SAFE_SYSCTLS.join(', ')}`);
  });
  seLinuxProblems(objectAt(podCtx, 'seLinuxOptions'), `${at}.securityContext.seLinuxOptions`, add);
  if (podCtx.runAsUser === 0) add(`${at}.securityContext.runAsUser`, 'is 0 (root); Pod Security "restricted" requires a non-zero UID');

  for (const list of CONTAINER_LISTS) {
    ((Array.isArray(pod[list]) ? pod[list] : []) as Json[]).forEach((c, i) => {
      const cAt = `${at}.${list}[${i}]`;
      const ctx = objectAt(c, 'securityContext');
      const sc = `${cAt}.securityContext`;
      const name = `container "${String(c.name)}"`;
      if (ctx.privileged === true) add(`${sc}.privileged`, `${name} is privileged; Pod Security "restricted" forbids it`);
      if (ctx.allowPrivilegeEscalation !== false) add(`${sc}.allowPrivilegeEscalation`, `${name} must set it to false (Pod Security "restricted")`);
      if ((ctx.runAsNonRoot ?? podCtx.runAsNonRoot) !== true) add(`${sc}.runAsNonRoot`, `${name} must run as non-root: set runAsNonRoot true on the container or the pod`);
      if (ctx.runAsUser === 0) add(`${sc}.runAsUser`, `${name} runs as UID 0 (root); Pod Security "restricted" requires a non-zero UID`);
      const seccomp = objectAt(ctx, 'seccompProfile').type ?? objectAt(podCtx, 'seccompProfile').type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
        add(`${sc}.seccompProfile.type`, `${name} has seccomp profile ${seccomp === undefined ? 'unset' : String(seccomp)}; set RuntimeDefault or Localhost on the container or the pod`);
      }
      const caps = objectAt(ctx, 'capabilities');
      if (!(Array.isArray(caps.drop) && caps.drop.includes('ALL'))) add(`${sc}.capabilities.drop`, `${name} must drop ALL capabilities`);
      const added = (Array.isArray(caps.add) ? caps.add : []).filter((cap) => cap !== 'NET_BIND_SERVICE');
      if (added.length) add(`${sc}.capabilities.add`, `${name} adds ${added.join(', ')}; Pod Security "restricted" allows adding only NET_BIND_SERVICE`);
      if (ctx.procMount !== undefined && ctx.procMount !== 'Default') add(`${sc}.procMount`, `${name} unmasks /proc; only Default is allowed`);
      seLinuxProblems(objectAt(ctx, 'seLinuxOptions'), `${sc}.seLinuxOptions`, add);
      ((Array.isArray(c.ports) ? c.ports : []) as Json[]).forEach((p, j) => {
        if (p.hostPort !== undefined && p.hostPort !== 0) add(`${cAt}.ports[${j}].hostPort`, `${name} uses host port ${String(p.hostPort)}; Pod Security forbids host ports`);
      });
      const pin = typeof c.image === 'string' && c.image !== '' ? imagePinProblem(c.image) : `${name} has no image`;
      if (pin) add(`${cAt}.image`, pin);
    });
  }
  return out;
}

function seLinuxProblems(options: Json, at: string, add: (field: string, message: string) => void): void {
  if (options.type !== undefined && !SELINUX_TYPES.includes(String(options.type))) add(`${at}.type`, `SELinux type ${String(options.type)} is not allowed; use ${SELINUX_TYPES.join(', ')}`);
  for (const k of ['user', 'role'] as const) if (options[k] !== undefined && options[k] !== '') add(`${at}.${k}`, `custom SELinux ${k} is not allowed`);
}

/** The problems of every pod spec in a rendered object. */
export function objectPodProblems(object: Json): PodProblem[] {
  return podSpecsIn(object).flatMap(({ path, pod }) => podSpecProblems(pod, path));
}
