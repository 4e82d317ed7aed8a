/** Image references: pinned by tag or digest, never "latest". */
import { quote } from './escape';

/** Why an image reference is not pinned, or undefined when it is. */
export function imagePinProblem(image: string): string | undefined {
  const at = image.indexOf('@');
  if (at >= 0) {
    return /^sha256:[a-f0-9]{64}$/.test(image.slice(at + 1))
      ? undefined
      : `image ${quote(image)} has an invalid digest ${quote(image.slice(at + 1))}; a digest is sha256: and 64 lowercase hex digits`;
  }
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon < 0) return `image ${quote(image)} has no tag; pin it by tag (name:1.2.3) or digest (name@sha256:...)`;
  const tag = lastSegment.slice(colon + 1);
  if (tag === 'latest') return `image ${quote(image)} uses the "latest" tag; pin it by a version tag (name:1.2.3) or digest (name@sha256:...)`;
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) return `image ${quote(image)} has an invalid tag ${quote(tag)}`;
  return undefined;
}
