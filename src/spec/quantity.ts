/** Kubernetes quantities as numbers, to compare requests with limits and sum them up. */
import { DECIMAL_SI, parseKubernetesQuantity } from './k8s-rules';

/**
 * Parses 250m, 0.5, 128Mi, 2Ei, 1e3 as the API server does (E and Ei are suffixes, e3 an
 * exponent); NaN when malformed.
 */
export function parseQuantity(q: string): number {
  return parseKubernetesQuantity(q)?.value ?? NaN;
}

const DECIMAL_SUFFIX = new Map(Object.entries(DECIMAL_SI).map(([s, e]) => [e, s]));
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * A quantity as the API server writes it back (apimachinery's Quantity.String()): 0.5 -> 500m,
 * 1000m -> 1, 1024Mi -> 1Gi, 1.5Gi -> 1536Mi, 2000 -> 2k, 1e3 stays 1e3. Values finer than 1n
 * round up, as the server does. Throws on a malformed quantity (the spec schema rejects those first).
 */
export function canonicalQuantity(q: string): string {
  const parsed = parseKubernetesQuantity(q);
  if (!parsed || parsed.negative) throw new Error(`"${q}" is not a Kubernetes quantity`);
  // The value is digits * 10^decimalExponent (* 2^binaryExponent for binary suffixes).
  const { digits, decimalExponent, binaryExponent, format } = parsed;
  if (digits === 0n) return '0';
  if (format === 'BinarySI') {
    // Binary: whole bytes shown in the largest exact power of 1024; below 1024 or fractional, decimal.
    const scaled = digits * 2n ** BigInt(binaryExponent);
    const divisor = 10n ** BigInt(-decimalExponent);
    if (scaled % divisor === 0n && scaled / divisor >= 1024n) {
      let value = scaled / divisor;
      let power = 0;
      while (value % 1024n === 0n && power < BINARY_SUFFIX.length - 1) {
        value /= 1024n;
        power++;
      }
      return `${value}${BINARY_SUFFIX[power]}`;
    }
    return decimal(scaled, decimalExponent, false);
  }
  return decimal(digits, decimalExponent, format === 'DecimalExponent');
}

/** mantissa * 10^exponent in DecimalSI (250m, 1k) or DecimalExponent (1e3) form. */
function decimal(mantissa: bigint, exponent: number, exponentForm: boolean): string {
  if (exponent < -9) {
    // Round up to nano, as ParseQuantity does.
    const divisor = 10n ** BigInt(-9 - exponent);
    mantissa = (mantissa + divisor - 1n) / divisor;
    exponent = -9;
  }
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  // An exponent that is a multiple of 3, the mantissa an integer.
  const down = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(down);
  exponent -= down;
  if (exponentForm) return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = DECIMAL_SUFFIX.get(exponent);
  if (suffix === undefined) return `${mantissa}e${exponent}`;
  return `${mantissa}${suffix}`;
}

/**
 * A size as redis.conf reads it ("256mb", "1gb"; binary units: 1mb = 1048576 bytes), in bytes;
 * NaN when malformed. Shared by the spec checks and the RedisCache construct.
 */
export function parseRedisSize(size: string): number {
  const m = /^(\d+)(mb|gb)$/.exec(size);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'gb' ? 2 ** 30 : 2 ** 20);
}
