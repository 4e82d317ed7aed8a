/**
 * Values written in the form the API server stores them. The server drops empty lists and maps
 * (and zero values of non-pointer fields) and rewrites quantities into their canonical form;
 * anything written otherwise makes every `kubectl apply` report "configured" and every
 * `kubectl diff` exit 1 on unchanged output.
 */

/** The list, or undefined (the field left out) when it is empty. */
export function nonEmpty<T>(list: readonly T[]): T[] | undefined {
  return list.length ? [...list] : undefined;
}

/** `true`, or undefined: a non-pointer boolean field that is false is dropped by the server. */
export function onlyTrue(value: boolean | undefined): true | undefined {
  return value ? true : undefined;
}
