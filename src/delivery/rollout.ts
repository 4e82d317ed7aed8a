/**
 * An Argo Rollout that runs a MicroService's pods in place of its Deployment: same selector,
 * same pod template (including everything other concerns add to it later), a chosen strategy.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Rollout, RolloutProps, RolloutSpecStrategy } from '../../imports/argo-argoproj.io';
import { renderPodTemplate } from '../render/api-object-json';
import { MicroService } from '../workload/microservice';

/** Props of a WorkloadRollout: the MicroService whose pod template it runs, and the strategy. */
export interface WorkloadRolloutProps {
  /** The service whose pods the Rollout runs; it must have been built with workloadKind "Rollout". */
  readonly workload: MicroService;
  /** The blue-green or canary strategy. */
  readonly strategy: RolloutSpecStrategy;
  /**
   * Seconds a new ReplicaSet may take to become available before the rollout counts as failed.
   * @default 600
   */
  readonly progressDeadlineSeconds?: number;
}

/** A Rollout over a MicroService's pod template. */
export class WorkloadRollout extends Construct {
  /** The Rollout object. */
  public readonly rollout: Rollout;

  constructor(scope: Construct, id: string, props: WorkloadRolloutProps) {
    super(scope, id);
    const { workload } = props;
    if (workload.workloadKind !== 'Rollout' || workload.deployment) {
      throw new Error(`${workload.serviceName}: a Rollout needs the MicroService built with workloadKind "Rollout" (it has a Deployment)`);
    }
    const progressDeadlineSeconds = props.progressDeadlineSeconds ?? 600;
    if (!Number.isInteger(progressDeadlineSeconds) || progressDeadlineSeconds < 1) {
      throw new Error(`${workload.serviceName}: progressDeadlineSeconds ${progressDeadlineSeconds} must be a whole number of seconds, at least 1`);
    }
    workload.runPodsBy(this);
    this.rollout = new PodTemplateRollout(this, 'Resource', {
      metadata: { name: workload.serviceName, labels: { ...workload.labels } },
      spec: {
        // Under an autoscaler the replica count is its business, as for the Deployment.
        replicas: workload.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { ...workload.selector } },
        progressDeadlineSeconds,
        // A new version that never becomes ready is rolled back instead of hanging half-deployed.
        progressDeadlineAbort: true,
        strategy: props.strategy,
      },
    }, workload.podTemplate);
  }
}

/**
 * The generated Rollout class maps its template through Argo's own copies of the pod types,
 * which drop int-or-string values given as plain strings (probe ports named "http"). This
 * subclass renders the MicroService pod template with the Kubernetes mapping instead, at
 * synthesis time, so env, volumes and mounts added after construction are included.
 */
class PodTemplateRollout extends Rollout {
  private readonly podTemplate: k8s.PodTemplateSpec;

  constructor(scope: Construct, id: string, props: RolloutProps, podTemplate: k8s.PodTemplateSpec) {
    super(scope, id, props);
    this.podTemplate = podTemplate;
  }

  public override toJson(): Record<string, unknown> {
    const json = super.toJson() as { spec: Record<string, unknown> } & Record<string, unknown>;
    const template = renderPodTemplate(this.podTemplate, () => sortKeys(k8s.toJson_PodTemplateSpec(this.podTemplate)));
    return { ...json, spec: { ...json.spec, template } };
  }
}

/** Sorts object keys at every depth, as cdk8s does for the rest of the object (lists keep their order). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}
