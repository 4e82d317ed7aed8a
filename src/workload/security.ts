/**
 * Security defaults that meet the Pod Security Standards "restricted" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).
 */
import { k8s } from 'cdk8s-plus-27';
import { quantity } from './resources';

/** Pod-level settings: non-root with a fixed non-zero UID/GID, RuntimeDefault seccomp. */
export function restrictedPodSecurityContext(uid: number, fsGroup = uid): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level settings: no privilege escalation, all capabilities dropped, read-only root. */
export function restrictedContainerSecurityContext(uid: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** A writable /tmp on a memory-bounded emptyDir, since the root filesystem is read-only. */
export function tmpVolume(sizeLimit = '64Mi'): { volume: k8s.Volume; mount: k8s.VolumeMount } {
  return {
    volume: { name: 'tmp', emptyDir: { sizeLimit: quantity(sizeLimit) } },
    mount: { name: 'tmp', mountPath: '/tmp' },
  };
}
