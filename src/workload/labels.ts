/** The recommended app.kubernetes.io labels, plus the app/version labels Istio telemetry reads. */

/** The label naming the environment of every object (with part-of it selects one environment). */
export const ENVIRONMENT_LABEL = 'platform.shop-example.com/environment';
/** The value of app.kubernetes.io/managed-by on every object. */
export const MANAGED_BY = 'cdk8s';

/**
 * Labels on every object of an environment, whoever created it (the charts add them): pruning and
 * inventory by label (`kubectl apply --prune -l app.kubernetes.io/part-of=<platform>,platform.shop-example.com/environment=<env>`)
 * then see every object, including those in the gateway's namespace. They are on the objects only,
 * not on pod or volume claim templates: a StatefulSet's claim templates cannot change in place.
 */
export function environmentLabels(partOf: string, environment: string): Record<string, string> {
  return { 'app.kubernetes.io/part-of': partOf, 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: environment };
}

/** Labels every object of a component carries. */
export function componentLabels(opts: {
  /** Component name, e.g. user-service. */
  readonly name: string;
  /** Platform name (part-of); without one there is no part-of label. */
  readonly partOf?: string;
  /** Environment name; the instance is `<name>-<env>`, or the name without one. */
  readonly environment?: string;
  /** app.kubernetes.io/component, e.g. api, database. */
  readonly component: string;
  /** app.kubernetes.io/version, e.g. the image tag. */
  readonly version?: string;
}): Record<string, string> {
  const labels: Record<string, string> = {
    ...selectorLabels(opts.name, opts.environment),
    'app.kubernetes.io/component': opts.component,
    ...(opts.partOf === undefined ? {} : { 'app.kubernetes.io/part-of': opts.partOf }),
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
  if (opts.version) labels['app.kubernetes.io/version'] = opts.version;
  return labels;
}

/** The immutable subset used in selectors; the instance is `<name>-<env>`, or the name without an environment. */
export function selectorLabels(name: string, environment?: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': environment === undefined ? name : `${name}-${environment}` };
}

/** The image tag (or the digest's first 12 hex digits) as a label-safe version string. */
export function imageVersion(image: string): string {
  const at = image.indexOf('@sha256:');
  if (at >= 0) return image.slice(at + 8, at + 20);
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon >= 0 ? last.slice(colon + 1).slice(0, 63) : 'unversioned';
}
