/** Services beside the main one that select the same pods: Argo Rollouts narrows their selectors. */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MicroService } from '../workload/microservice';

/**
 * A Service with the main Service's selector and ports under another name. Argo Rollouts adds
 * `rollouts-pod-template-hash` to its selector to point it at one ReplicaSet.
 */
export function companionService(scope: Construct, id: string, workload: MicroService, name: string): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: { name, labels: { ...workload.labels } },
    spec: {
      type: 'ClusterIP',
      selector: { ...workload.selector },
      ports: workload.servicePorts,
    },
  });
}
