/** Image references: pinned by tag or digest, never "latest". */
import { quote } from './escape';

/** The parts of an image reference ([host[:port]/]path[:tag][@digest]) that pinning and upgrades look at. */
export interface ImageReferenceParts {
  /** The last path segment without tag or digest: "postgres" for docker.io/library/postgres:16. */
  readonly name: string;
  /** What follows the ":" of the last path segment, when there is one. */
  readonly tag?: string;
  /** What follows the "@", when there is one (sha256:<64 hex digits> when valid). */
  readonly digest?: string;
}

/** Splits an image reference; a registry's port (registry:5000/app) is not taken for a tag. */
export function imageReferenceParts(image: string): ImageReferenceParts {
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const lastSegment = named.slice(named.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return {
    name: colon >= 0 ? lastSegment.slice(0, colon) : lastSegment,
    ...(colon >= 0 ? { tag: lastSegment.slice(colon + 1) } : {}),
    ...(at >= 0 ? { digest: image.slice(at + 1) } : {}),
  };
}

/** Why an image reference is not pinned, or undefined when it is. */
export function imagePinProblem(image: string): string | undefined {
  const { tag, digest } = imageReferenceParts(image);
  if (digest !== undefined) {
    return /^sha256:[a-f0-9]{64}$/.test(digest)
      ? undefined
      : `image ${quote(image)} has an invalid digest ${quote(digest)}; a digest is sha256: and 64 lowercase hex digits`;
  }
  if (tag === undefined) return `image ${quote(image)} has no tag; pin it by tag (name:1.2.3) or digest (name@sha256:...)`;
  if (tag === 'latest') return `image ${quote(image)} uses the "latest" tag; pin it by a version tag (name:1.2.3) or digest (name@sha256:...)`;
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) return `image ${quote(image)} has an invalid tag ${quote(tag)}`;
  return undefined;
}
