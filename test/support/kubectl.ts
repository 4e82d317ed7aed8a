/**
 * Finds a kubectl for tests that compare with what kubectl itself reads: $KUBECTL_BIN, else the
 * pinned kubectl that scripts/validate/install-tools.sh builds into ~/.cache/platform-validate,
 * else `kubectl` on PATH. Only the tools tests (`npm run test:tools`) use it, and they fail without one.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Kubectl {
  readonly bin: string;
  /** Client version, e.g. v1.27.16. */
  readonly version: string;
}

function pinnedVersion(): string | undefined {
  const env = path.join(__dirname, '..', '..', 'scripts', 'validate', 'versions.env');
  return /^K8S_VERSION=(\S+)/m.exec(fs.readFileSync(env, 'utf8'))?.[1];
}

/** The kubectl version scripts/validate/versions.env pins (K8S_VERSION), e.g. v1.27.16. */
export const PINNED_KUBECTL_VERSION = pinnedVersion();

function versionOf(bin: string): string | undefined {
  try {
    const out = execFileSync(bin, ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  } catch {
    return undefined;
  }
}

export function findKubectl(): Kubectl | undefined {
  // As scripts/validate/lib.sh places it.
  const cache = process.env.PLATFORM_VALIDATE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'platform-validate');
  const candidates = [process.env.KUBECTL_BIN, path.join(cache, `kubernetes-${PINNED_KUBECTL_VERSION ?? ''}`, 'bin', 'kubectl'), 'kubectl'];
  for (const bin of candidates) {
    if (!bin) continue;
    const version = versionOf(bin);
    if (version) return { bin, version };
  }
  return undefined;
}
