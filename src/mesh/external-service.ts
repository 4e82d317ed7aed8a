/**
 * A destination outside the cluster that one service declares (`egress` in the spec): the
 * Istio ServiceEntry that puts it in the mesh's registry, so it is reachable (and observed)
 * even when the mesh only lets sidecars reach registered hosts (outboundTrafficPolicy
 * REGISTRY_ONLY). The NetworkPolicy side is in the service's WorkloadAccess: see
 * {@link externalEgress}.
 */
import { Construct } from 'constructs';
import {
  ServiceEntry, ServiceEntrySpecLocation, ServiceEntrySpecResolution,
} from '../../imports/istio-networking.istio.io';
import { WorkloadEgress } from './workload-access';

/** Every IPv4 address: with the cluster's ranges excepted, "anywhere outside the cluster". */
export const ANY_IPV4 = '0.0.0.0/0';

/** Props of an ExternalService: the host and/or CIDRs, port and protocol of one destination. */
export interface ExternalServiceProps {
  /** ServiceEntry name. */
  readonly name: string;
  /** Host name. @default none: cidrs must be given, and a host name is made up from the entry's name */
  readonly host?: string;
  /** Address ranges. @default none: the host is resolved by DNS */
  readonly cidrs?: readonly string[];
  /** Port. */
  readonly port: number;
  /** Protocol as Istio names it. */
  readonly protocol: 'TLS' | 'HTTPS' | 'TCP';
  /** Labels on the object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A destination outside the cluster: its Istio ServiceEntry (and, with CIDRs, the egress a NetworkPolicy needs). */
export class ExternalService extends Construct {
  /** The ServiceEntry. */
  public readonly serviceEntry: ServiceEntry;

  constructor(scope: Construct, id: string, props: ExternalServiceProps) {
    super(scope, id);
    if (!props.host && !props.cidrs?.length) throw new Error(`ExternalService ${props.name}: give a host, cidrs or both`);
    if (props.protocol === 'TCP' && !props.cidrs?.length) {
      throw new Error(`ExternalService ${props.name}: TCP needs cidrs (it carries no host name; without addresses the entry would capture every connection on port ${props.port})`);
    }
    const byName = props.host !== undefined && props.protocol !== 'TCP';
    this.serviceEntry = new ServiceEntry(this, 'ServiceEntry', {
      metadata: { name: props.name, labels: { ...(props.labels ?? {}) } },
      spec: {
        // TLS and HTTPS are matched by host name (SNI) and resolved by DNS. TCP carries no name:
        // it is matched by the declared addresses and sent on to the address the client chose.
        hosts: [props.host ?? `${props.name}.external`],
        addresses: byName ? undefined : [...(props.cidrs ?? [])],
        location: ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
        resolution: byName ? ServiceEntrySpecResolution.DNS : ServiceEntrySpecResolution.NONE,
        ports: [{ number: props.port, name: `${props.protocol.toLowerCase()}-${props.port}`, protocol: props.protocol }],
        // Only this namespace's sidecars see it: one environment's entries never reach another's.
        exportTo: ['.'],
      },
    });
  }
}

/**
 * The NetworkPolicy egress for an external destination. A NetworkPolicy cannot select by DNS
 * name, so a destination given by host only may be reached at any address outside the
 * cluster's own ranges, on its port only; declared cidrs narrow it to those addresses.
 */
export function externalEgress(dest: { readonly cidrs?: readonly string[]; readonly port: number }, clusterCidrs: readonly string[]): WorkloadEgress {
  const to = dest.cidrs?.length ? dest.cidrs.map((cidr) => ({ cidr })) : [{ cidr: ANY_IPV4, except: [...clusterCidrs] }];
  return { to, ports: [{ port: dest.port }] };
}
