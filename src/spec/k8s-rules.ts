/**
 * The Kubernetes rules for values the spec copies into manifests, with the API server's own
 * wording (k8s.io/apimachinery/pkg/util/validation and pkg/api/resource), so that a spec the
 * synth accepts is never rejected at apply time. Each rule returns the messages for a value
 * ([] when valid); zod schemas use them through `rule()`.
 */
import * as z from 'zod';

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_KEY = new RegExp(`^${CONFIG_KEY_FMT}$`);

const maxLen = (max: number) => `must be no more than ${max} characters`;

/** apimachinery's regexError: the format, examples, and the regex. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${fmt}')`;
}

/** IsDNS1123Label: names of namespaces, most objects' names within a namespace. */
export function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!DNS1123_LABEL.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** IsDNS1123Subdomain: Secret, ServiceAccount and StorageClass names. */
export function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLen(253));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errs;
}

/** IsDNS1035Label: Service names. */
export function dns1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!DNS1035_LABEL.test(value)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  }
  return errs;
}

/** A host name: an RFC 1123 subdomain whose every label has at most 63 characters. */
export function hostName(value: string): string[] {
  const errs = dns1123Subdomain(value);
  if (errs.length === 0 && value.split('.').some((l) => l.length > 63)) errs.push('each part between dots must be no more than 63 characters');
  return errs;
}

/** IsQualifiedName: label and annotation keys, an optional DNS subdomain prefix and "/". */
export function qualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')
      + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!QUALIFIED_NAME.test(name)) {
    errs.push(`name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** IsValidLabelValue. */
export function labelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!LABEL_VALUE.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

/** IsConfigMapKey: keys of Secrets and ConfigMaps. */
export function configMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLen(253));
  if (!CONFIG_KEY.test(value)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** 2^63 - 1: no quantity may be larger (the API server caps or rejects it). */
const MAX_QUANTITY = 2n ** 63n - 1n;
const QUANTITY_FMT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const BINARY_SI: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
/** Decimal SI suffixes and the power of ten each stands for. */
export const DECIMAL_SI: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** resource.Quantity: a signed decimal number, then a binary or decimal SI suffix or a decimal exponent. */
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** A parsed quantity: value = sign * digits * 2^binaryExponent * 10^decimalExponent. */
export interface ParsedQuantity {
  readonly negative: boolean;
  /** All digits of the number, the decimal point removed. */
  readonly digits: bigint;
  readonly binaryExponent: number;
  readonly decimalExponent: number;
  /** How it was written, as apimachinery names it: a binary suffix (Ki..Ei), a decimal one (n..E, or none) or an exponent (e3). */
  readonly format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent';
  /** The value as a floating-point number (for comparisons; exact up to 2^53). */
  readonly value: number;
}

/** Parses a Kubernetes quantity (250m, 0.5, 128Mi, 2Ei, 1e3, 1.5E+2); undefined when malformed. */
export function parseKubernetesQuantity(text: string): ParsedQuantity | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix = ''] = m;
  const [whole, fraction = ''] = number.split('.');
  const digits = BigInt(`${whole}${fraction}` || '0');
  let binaryExponent = 0;
  let decimalExponent = -fraction.length;
  let format: ParsedQuantity['format'] = 'DecimalSI';
  if (suffix in BINARY_SI) {
    binaryExponent = BINARY_SI[suffix];
    format = 'BinarySI';
  } else if (suffix in DECIMAL_SI) {
    decimalExponent += DECIMAL_SI[suffix];
  } else {
    const exponent = Number(suffix.slice(1));
    // Beyond any int64 either way: clamp, so the arithmetic below stays small.
    decimalExponent += Math.max(-1000, Math.min(1000, Number.isFinite(exponent) ? exponent : 1000));
    format = 'DecimalExponent';
  }
  const magnitude = Number(digits) * 2 ** binaryExponent * 10 ** decimalExponent;
  return { negative: sign === '-', digits, binaryExponent, decimalExponent, format, value: sign === '-' ? -magnitude : magnitude };
}

/** Whether |value| > 2^63 - 1, computed exactly. */
function exceedsMax(q: ParsedQuantity): boolean {
  if (q.digits === 0n) return false;
  let scaled = q.digits * 2n ** BigInt(q.binaryExponent);
  let limit = MAX_QUANTITY;
  if (q.decimalExponent >= 0) {
    // 10^19 > 2^63: any exponent past the digits' room is too large.
    if (q.decimalExponent > 40) return true;
    scaled *= 10n ** BigInt(q.decimalExponent);
  } else {
    if (-q.decimalExponent > scaled.toString().length + 20) return false;
    limit *= 10n ** BigInt(-q.decimalExponent);
  }
  return scaled > limit;
}

/**
 * resource.Quantity as the API server parses it, at most 2^63-1, and not negative (requests,
 * limits and volume sizes cannot be).
 */
export function quantity(value: string): string[] {
  const q = parseKubernetesQuantity(value);
  if (!q) return [`quantities must match the regular expression '${QUANTITY_FMT}'; use a number with an optional suffix: Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E, or an exponent such as e3`];
  if (q.negative && q.digits !== 0n) return ['must be greater than or equal to 0'];
  if (exceedsMax(q)) return ['is too large: no quantity may represent a number greater than 2^63-1 (9223372036854775807), e.g. 8Ei is over it, 7Ei is not'];
  return [];
}

/** The largest 32-bit signed integer: replicas, ports, counts and UIDs are int32 in the API. */
export const INT32_MAX = 2147483647;

/** A zod string refined by Kubernetes rules: every message of every rule is an issue. */
export function rule(schema: z.ZodString, ...rules: Array<(value: string) => string[]>): z.ZodString {
  return schema.superRefine((value, ctx) => {
    for (const r of rules) for (const message of r(value)) ctx.addIssue({ code: 'custom', message });
  }) as unknown as z.ZodString;
}
