/** Services beside the main one that select the same pods: Argo Rollouts narrows their selectors. */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MicroService } from '../workload/microservice';

/**
 * A Service with the main Service's selector and ports under another name. Argo Rollouts adds
 * `rollouts-pod-template-hash` to its selector to point it at one ReplicaSet.
 */
export function companionService(scope: Construct, id: string, workload: MicroService, name: string): k8s.KubeService {
  const main = workload.service;
  return new k8s.KubeService(scope, id, {
    metadata: { name, labels: { ...workload.labels } },
    spec: {
      type: 'ClusterIP',
      selector: { ...workload.selector },
      ports: mainPorts(main),
    },
  });
}

function mainPorts(main: k8s.KubeService): k8s.ServicePort[] {
  // The main Service's props are not public; its JSON carries the same ports.
  const json = main.toJson() as { spec: { ports: Array<{ name: string; port: number; targetPort: string | number; protocol: string; appProtocol?: string }> } };
  return json.spec.ports.map((p) => ({
    name: p.name,
    port: p.port,
    targetPort: typeof p.targetPort === 'number' ? k8s.IntOrString.fromNumber(p.targetPort) : k8s.IntOrString.fromString(p.targetPort),
    protocol: p.protocol,
    appProtocol: p.appProtocol,
  }));
}
