/** Kubernetes quantities as numbers, to compare requests with limits and sum them up. */
const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Parses 250m, 0.5, 128Mi, 1e3; NaN when malformed. */
export function parseQuantity(q: string): number {
  const m = /^\+?((?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q);
  if (!m) return NaN;
  const [, num, suffix = ''] = m;
  if (/^[eE]/.test(suffix)) return Number(num + suffix);
  return Number(num) * SUFFIX[suffix];
}
