/**
 * Startup, liveness and readiness probes on the service's /health endpoint (the platform's
 * service contract). Liveness is the most forgiving: a minute of failures before a restart, so a
 * short dependency outage that /health reports takes replicas out of rotation (readiness) long
 * before it restarts them. Keep /health cheap; slow dependency checks belong behind readiness.
 */
import { k8s } from 'cdk8s-plus-27';

/** Probes for an HTTP service; `port` is the container port name. */
export function healthProbes(port: string, path = '/health'): Pick<k8s.Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  const httpGet = { path, port: k8s.IntOrString.fromString(port) };
  return {
    // Up to 60 s to start before liveness takes over.
    startupProbe: { httpGet, periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 },
    livenessProbe: { httpGet, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 2 },
    readinessProbe: { httpGet, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
  };
}
