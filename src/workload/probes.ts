/**
 * Startup and readiness probes on the service's /health endpoint; liveness on the port itself.
 * /health reports the service's dependencies (503 when its database is down): as a liveness probe
 * it would restart every replica during a dependency outage, so liveness only checks that the
 * process still accepts connections.
 */
import { k8s } from 'cdk8s-plus-27';

/** Probes for an HTTP service; `port` is the container port name. */
export function healthProbes(port: string, path = '/health'): Pick<k8s.Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  const httpGet = { path, port: k8s.IntOrString.fromString(port) };
  return {
    // Up to 60 s to start before liveness takes over.
    startupProbe: { httpGet, periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 },
    livenessProbe: { tcpSocket: { port: httpGet.port }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
    readinessProbe: { httpGet, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
  };
}
