/** Where an environment's rendered manifests live in Git, as Argo CD and Flux both read them. */
import { GIT_PATH, GIT_URL } from '../spec/formats';

/** The Git repository, directory and revision an environment is deployed from. */
export interface GitSource {
  /** Git repository that holds the synthesized output (the rendered manifests): https://, ssh:// or git@ URL. */
  readonly repoURL: string;
  /**
   * Directory in the repository that holds `<environment>/` (the `--out` of synth); relative,
   * without a leading or trailing "/".
   * @default "dist"
   */
  readonly path?: string;
  /**
   * Branch (or, for Argo CD, tag) to deploy from.
   * @default "main"
   */
  readonly targetRevision?: string;
}

/** A GitSource with its defaults applied. */
export interface ResolvedGitSource {
  /** Git repository URL. */
  readonly repoURL: string;
  /** Directory holding `<environment>/`. */
  readonly path: string;
  /** Branch or tag. */
  readonly targetRevision: string;
}

/** The source with defaults applied; throws naming the construct when a value cannot be deployed from. */
export function resolveGitSource(owner: string, source: GitSource): ResolvedGitSource {
  const path = source.path ?? 'dist';
  const targetRevision = source.targetRevision ?? 'main';
  const problems: string[] = [];
  if (!GIT_URL.test(source.repoURL)) problems.push(`repoURL "${source.repoURL}" must be a Git URL starting with https://, ssh:// or git@`);
  // The path is joined with "/<environment>": an absolute or ./ path would point elsewhere in the repository.
  if (!GIT_PATH.test(path)) problems.push(`path "${path}" must be a relative directory such as dist or deploy/dist, without a leading or trailing "/"`);
  if (targetRevision === '') problems.push('targetRevision must name a branch or tag, such as main');
  if (problems.length) throw new Error(`${owner}: ${problems.join('; ')}`);
  return { repoURL: source.repoURL, path, targetRevision };
}
