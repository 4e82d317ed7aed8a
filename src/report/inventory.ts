/**
 * What an environment consists of: objects per owner and kind, and the CPU and memory its
 * pods request and may use, summed over replicas. Read from the synthesized objects by kind,
 * so data stores, collectors and rollouts count as soon as they are synthesized.
 */
import { parseQuantity } from '../spec/quantity';
import { kindRank, Manifest, ManifestFile } from '../synth';
import { compareText } from '../compare-text';

/** The owner of objects that belong to no one service (namespace, gateway, shared stores). */
export const SHARED_OWNER = 'shared';

/**
 * Which service an object belongs to: the service whose file (30-<service>.yaml) holds it,
 * else the service whose name is the object's name or its prefix ("order-service-db"),
 * else {@link SHARED_OWNER}.
 */
export function ownerOf(file: string, object: Manifest, services: readonly string[] | ReadonlySet<string>): string {
  const known = services instanceof Set ? services : new Set(services as readonly string[]);
  const fromFile = /^\d+-(.+)\.ya?ml$/.exec(file)?.[1];
  if (fromFile && known.has(fromFile)) return fromFile;
  // The longest service name that is the object's name or a "-"-separated prefix of it.
  const name = object.metadata.name;
  if (known.has(name)) return name;
  for (let i = name.lastIndexOf('-'); i > 0; i = name.lastIndexOf('-', i - 1)) {
    if (known.has(name.slice(0, i))) return name.slice(0, i);
  }
  return SHARED_OWNER;
}

/** CPU (cores) and memory (bytes). */
export interface Amounts {
  readonly cpuRequest: number;
  readonly cpuLimit: number;
  readonly memoryRequest: number;
  readonly memoryLimit: number;
}

/** One object that runs pods. */
export interface WorkloadRow {
  /** "StatefulSet/order-service-db". */
  readonly workload: string;
  readonly owner: string;
  /** Pods counted. */
  readonly replicas: number;
  /** Most pods under an autoscaler (equals replicas otherwise). */
  readonly maxReplicas: number;
  /** Where the count comes from: "HPA minReplicas", "spec.replicas", ... */
  readonly replicaSource: string;
  /** True for Jobs and CronJobs: counted per run, not in the steady-state totals. */
  readonly perRun: boolean;
  /** App containers and init containers per pod. */
  readonly containers: number;
  readonly initContainers: number;
  /** Per pod, as the scheduler sees it: the larger of all app containers together and any one init container. */
  readonly perPod: Amounts;
  /** perPod times replicas. */
  readonly total: Amounts;
}

/** The inventory of one environment. */
export interface Inventory {
  /** Owners in order: services in spec order, then shared. */
  readonly owners: readonly string[];
  /** Kinds in apply order. */
  readonly kinds: readonly string[];
  /** count[kind][owner]. */
  readonly counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** By owner (as in `owners`), then in file and apply order. */
  readonly workloads: readonly WorkloadRow[];
  /** Sum over long-running workloads at their counted replicas. */
  readonly steadyState: Amounts;
  /** The same at every autoscaler's maxReplicas. */
  readonly atMaxReplicas: Amounts;
  /** Containers missing a request or limit ("Deployment/a container b: no CPU limit"). */
  readonly missingResources: readonly string[];
}

interface PodTemplate {
  readonly spec?: { readonly containers?: Container[]; readonly initContainers?: Container[] };
}
interface Container {
  readonly name?: string;
  readonly resources?: { readonly requests?: Record<string, unknown>; readonly limits?: Record<string, unknown> };
}
interface Spec {
  readonly replicas?: number;
  readonly parallelism?: number;
  readonly template?: PodTemplate;
  readonly jobTemplate?: { readonly spec?: Spec };
  readonly workloadRef?: { readonly kind?: string; readonly name?: string };
  readonly scaleTargetRef?: { readonly kind?: string; readonly name?: string };
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
}

const LONG_RUNNING = ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Rollout'];
const RUN_TO_COMPLETION = ['Job', 'CronJob'];
const ZERO: Amounts = { cpuRequest: 0, cpuLimit: 0, memoryRequest: 0, memoryLimit: 0 };

/** Builds the inventory of an environment's files; `services` in spec order. */
export function buildInventory(files: readonly ManifestFile[], services: readonly string[]): Inventory {
  const serviceSet = new Set(services);
  const located = files.flatMap((f) => f.objects.map((object) => ({ object, owner: ownerOf(f.name, object, serviceSet) })));
  const owners = [...services, ...(located.some((o) => o.owner === SHARED_OWNER) ? [SHARED_OWNER] : [])];
  const kinds = [...new Set(located.map((o) => o.object.kind))].sort((a, b) => kindRank(a) - kindRank(b) || compareText(a, b));
  const counts: Record<string, Record<string, number>> = {};
  for (const { object, owner } of located) {
    counts[object.kind] ??= {};
    counts[object.kind][owner] = (counts[object.kind][owner] ?? 0) + 1;
  }

  const objects = located.map((o) => o.object);
  const specOf = (o: Manifest) => (o.spec ?? {}) as Spec;
  // Indexed by target "Kind/name": one lookup per workload, not a scan.
  const autoscalers = new Map<string, Spec>();
  for (const o of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
    const ref = specOf(o).scaleTargetRef;
    if (ref) autoscalers.set(`${ref.kind}/${ref.name}`, specOf(o));
  }
  const rollouts = new Map<string, Manifest>();
  for (const r of objects.filter((x) => x.kind === 'Rollout')) {
    const ref = specOf(r).workloadRef;
    if (ref) rollouts.set(`${ref.kind}/${ref.name}`, r);
  }
  const missingResources: string[] = [];
  const workloads: WorkloadRow[] = [];

  for (const { object, owner } of located) {
    if (!LONG_RUNNING.includes(object.kind) && !RUN_TO_COMPLETION.includes(object.kind)) continue;
    const spec = specOf(object);
    const workload = `${object.kind}/${object.metadata.name}`;
    const template = object.kind === 'CronJob' ? spec.jobTemplate?.spec?.template : spec.template ?? templateOfRef(objects, spec.workloadRef);
    const containers = template?.spec?.containers ?? [];
    const initContainers = template?.spec?.initContainers ?? [];
    [...containers, ...initContainers].forEach((c) => missingResources.push(...missing(workload, c)));
    const perPod = podAmounts(containers, initContainers);

    const count = replicasOf(object, spec, autoscalers, rollouts);
    workloads.push({
      workload,
      owner,
      ...count,
      perRun: RUN_TO_COMPLETION.includes(object.kind),
      containers: containers.length,
      initContainers: initContainers.length,
      perPod,
      total: scale(perPod, count.replicas),
    });
  }
  // Services in spec order, shared last; within an owner, in file and apply order (sort is stable).
  const ownerRank = new Map(owners.map((o, i) => [o, i]));
  workloads.sort((a, b) => ownerRank.get(a.owner)! - ownerRank.get(b.owner)!);
  const longRunning = workloads.filter((w) => !w.perRun);
  return {
    owners,
    kinds,
    counts,
    workloads,
    steadyState: longRunning.reduce((sum, w) => add(sum, w.total), ZERO),
    atMaxReplicas: longRunning.reduce((sum, w) => add(sum, scale(w.perPod, w.maxReplicas)), ZERO),
    missingResources,
  };
}

function replicasOf(object: Manifest, spec: Spec, autoscalers: ReadonlyMap<string, Spec>, rollouts: ReadonlyMap<string, Manifest>): Pick<WorkloadRow, 'replicas' | 'maxReplicas' | 'replicaSource'> {
  const name = object.metadata.name;
  if (RUN_TO_COMPLETION.includes(object.kind)) {
    const parallel = (object.kind === 'CronJob' ? spec.jobTemplate?.spec?.parallelism : spec.parallelism) ?? 1;
    return { replicas: parallel, maxReplicas: parallel, replicaSource: 'per run (parallelism)' };
  }
  // A Deployment that a Rollout takes its pod template from (workloadRef) runs no pods of its own.
  const referrer = rollouts.get(`${object.kind}/${name}`);
  if (referrer) return { replicas: 0, maxReplicas: 0, replicaSource: `template of Rollout/${referrer.metadata.name}` };
  const hpa = autoscalers.get(`${object.kind}/${name}`);
  if (hpa) {
    const min = hpa.minReplicas ?? 1;
    return { replicas: min, maxReplicas: hpa.maxReplicas ?? min, replicaSource: 'HPA minReplicas' };
  }
  if (object.kind === 'DaemonSet') return { replicas: 1, maxReplicas: 1, replicaSource: 'one per node (counted once)' };
  if (typeof spec.replicas === 'number') return { replicas: spec.replicas, maxReplicas: spec.replicas, replicaSource: 'spec.replicas' };
  return { replicas: 1, maxReplicas: 1, replicaSource: 'default (1)' };
}

function templateOfRef(objects: readonly Manifest[], ref: Spec['workloadRef']): PodTemplate | undefined {
  if (!ref) return undefined;
  const target = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name);
  return (target?.spec as Spec | undefined)?.template;
}

function amountsOf(c: Container): Amounts {
  const q = (v: unknown) => (v === undefined ? 0 : parseQuantity(String(v)) || 0);
  return {
    cpuRequest: q(c.resources?.requests?.cpu),
    cpuLimit: q(c.resources?.limits?.cpu),
    memoryRequest: q(c.resources?.requests?.memory),
    memoryLimit: q(c.resources?.limits?.memory),
  };
}

/** Kubernetes' effective pod resources: max(sum of app containers, each init container). */
function podAmounts(containers: readonly Container[], initContainers: readonly Container[]): Amounts {
  const app = containers.map(amountsOf).reduce(add, ZERO);
  return initContainers.map(amountsOf).reduce((acc, i) => ({
    cpuRequest: Math.max(acc.cpuRequest, i.cpuRequest),
    cpuLimit: Math.max(acc.cpuLimit, i.cpuLimit),
    memoryRequest: Math.max(acc.memoryRequest, i.memoryRequest),
    memoryLimit: Math.max(acc.memoryLimit, i.memoryLimit),
  }), app);
}

function missing(workload: string, c: Container): string[] {
  const out: string[] = [];
  for (const [kind, field] of [['requests', 'request'], ['limits', 'limit']] as const) {
    for (const [resource, label] of [['cpu', 'CPU'], ['memory', 'memory']] as const) {
      if (c.resources?.[kind]?.[resource] === undefined) out.push(`${workload} container ${c.name ?? '?'}: no ${label} ${field}`);
    }
  }
  return out;
}

function add(a: Amounts, b: Amounts): Amounts {
  return {
    cpuRequest: a.cpuRequest + b.cpuRequest,
    cpuLimit: a.cpuLimit + b.cpuLimit,
    memoryRequest: a.memoryRequest + b.memoryRequest,
    memoryLimit: a.memoryLimit + b.memoryLimit,
  };
}

function scale(a: Amounts, n: number): Amounts {
  return { cpuRequest: a.cpuRequest * n, cpuLimit: a.cpuLimit * n, memoryRequest: a.memoryRequest * n, memoryLimit: a.memoryLimit * n };
}

/** CPU for people: "250m" below one core, "2.5" cores above. */
export function formatCpu(cores: number): string {
  if (cores < 1) return `${Math.round(cores * 1000)}m`;
  return `${Number(cores.toFixed(3))}`;
}

/** Memory for people: Mi below one Gi, Gi above. */
export function formatMemory(bytes: number): string {
  if (bytes < 2 ** 30) return `${Number((bytes / 2 ** 20).toFixed(1))}Mi`;
  return `${Number((bytes / 2 ** 30).toFixed(2))}Gi`;
}
