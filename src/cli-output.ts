/** Where a command writes: stdout and stderr, replaceable in tests. */
export interface CliOutput {
  write(text: string): void;
  error(text: string): void;
}

/** The process's own streams. */
export const processOutput: CliOutput = {
  write: (t) => process.stdout.write(t),
  error: (t) => process.stderr.write(t),
};
