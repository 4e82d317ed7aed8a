/**
 * Value formats that both the spec schema (schema.ts) and the constructs check: the constructs
 * check their props again because TypeScript users give them without the schema. One definition
 * each, so the two cannot drift apart; each side words its own message.
 */

/** An event routing key: dot-separated lowercase words, at least two, e.g. order.created. */
export const EVENT_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
/** An exchange name the platform writes: lowercase letters, digits, "." and "-", starting with a letter. */
export const EXCHANGE_NAME = /^[a-z][a-z0-9.-]*$/;
/** An unquoted PostgreSQL identifier, as the platform writes them (at most 63 characters). */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** An environment variable name. */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A Git repository URL as Argo CD and Flux clone it: https://, ssh:// or git@ (scp-like). */
export const GIT_URL = /^(https:\/\/|ssh:\/\/|git@)[^\s]+$/;
/** A directory in a Git repository: relative, without a leading or trailing "/" and without "./". */
export const GIT_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** An IPv4 address range in CIDR notation, e.g. 10.0.0.0/8. */
export const IPV4_CIDR = new RegExp(`^(${OCTET}\\.){3}${OCTET}/(3[0-2]|[12]?[0-9])$`);
/** A host:port endpoint (an OTLP backend such as tempo.monitoring.svc.cluster.local:4317). */
export const HOST_PORT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d+$/;

/** What Redis may evict when it reaches maxmemory (its maxmemory-policy values the platform allows). */
export const REDIS_EVICTION_POLICIES = ['allkeys-lru', 'allkeys-lfu', 'volatile-lru', 'volatile-lfu', 'volatile-ttl', 'allkeys-random'] as const;
/** What Redis evicts when it reaches maxmemory. */
export type RedisEvictionPolicy = (typeof REDIS_EVICTION_POLICIES)[number];
