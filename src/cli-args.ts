/** Command-line flags as synth and check read them: `--flag VALUE` or `--flag=VALUE`. */
import { quote } from './spec/escape';

/** A command line that cannot be run; printed with the usage. */
export class UsageError extends Error {}

/**
 * Reads `argv` flag by flag. `onFlag(flag, value)` handles one flag, calling `value()` for its
 * value, and returns false for a flag it does not know. A following flag is not taken as the value
 * ("--config --env=dev" lacks the file); write --out=-dir for a value that starts with "-".
 * Throws a UsageError (arguments echoed escaped) with `usage` appended.
 */
export function readFlags(argv: readonly string[], usage: string, onFlag: (flag: string, value: () => string) => boolean): void {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const next = inline === undefined && argv[i + 1]?.startsWith('-') ? undefined : argv[i + 1];
      const v = inline ?? next;
      if (inline === undefined && next !== undefined) i++;
      if (v === undefined || v === '') throw new UsageError(`${quote(flag)} needs a value\n${usage}`);
      return v;
    };
    if (!onFlag(flag, value)) throw new UsageError(`unknown argument ${quote(argv[i])}\n${usage}`);
  }
}
