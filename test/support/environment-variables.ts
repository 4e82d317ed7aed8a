/** Running a piece of a test with some of this process's environment variables set. */

/**
 * Runs `body` with `variables` set in process.env (undefined: unset), and puts each back as it was
 * when `body` returns, throws, or (when it returns a promise) settles.
 */
export function withEnvironmentVariables<T>(variables: Record<string, string | undefined>, body: () => T): T {
  const before = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  assign(variables);
  let result: T;
  try {
    result = body();
  } catch (e) {
    assign(before);
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => assign(before)) as T;
  assign(before);
  return result;
}
