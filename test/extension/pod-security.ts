/**
 * The Pod Security Standards "restricted" profile (Kubernetes v1.27) as a test helper, plus the
 * project's own pod rules (read-only root, requests and limits, pinned images).
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { imagePinProblem } from '../../src/spec/image';

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  procMount?: string;
}
interface Container {
  name: string;
  image?: string;
  securityContext?: SecurityContext;
  ports?: Array<{ hostPort?: number }>;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}
/** The parts of a PodSpec the profile looks at. */
export interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers?: Container[];
  initContainers?: Container[];
  volumes?: Array<Record<string, unknown> & { name: string }>;
}

const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Everything in a pod that breaks "restricted" or the project's pod rules; [] when it meets them. */
export function podSecurityViolations(pod: PodSpecLike): string[] {
  const out: string[] = [];
  const podCtx = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces are shared');
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUME_TYPES.includes(type)) out.push(`volume ${v.name} has type ${type}`);
  }
  for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
    const ctx = c.securityContext ?? {};
    const at = (m: string) => out.push(`container ${c.name}: ${m}`);
    if (ctx.privileged) at('privileged');
    if (ctx.allowPrivilegeEscalation !== false) at('allowPrivilegeEscalation is not false');
    if ((ctx.runAsNonRoot ?? podCtx.runAsNonRoot) !== true) at('runAsNonRoot is not true');
    if ((ctx.runAsUser ?? podCtx.runAsUser) === 0) at('runs as UID 0');
    const seccomp = ctx.seccompProfile?.type ?? podCtx.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') at(`seccomp profile is ${seccomp}`);
    if (!ctx.capabilities?.drop?.includes('ALL')) at('does not drop ALL capabilities');
    const added = (ctx.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length) at(`adds capabilities ${added.join(', ')}`);
    if (ctx.procMount && ctx.procMount !== 'Default') at('unmasked /proc');
    if ((c.ports ?? []).some((p) => p.hostPort)) at('uses a host port');
    // The project's rules on top of the profile.
    if (ctx.readOnlyRootFilesystem !== true) at('root filesystem is writable');
    for (const kind of ['requests', 'limits'] as const) {
      for (const r of ['cpu', 'memory']) if (c.resources?.[kind]?.[r] === undefined) at(`no ${r} ${kind}`);
    }
    const pin = c.image ? imagePinProblem(c.image) : 'no image';
    if (pin) at(pin);
  }
  return out;
}
