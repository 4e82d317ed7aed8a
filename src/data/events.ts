/**
 * The event topology the spec implies: one durable topic exchange, one durable quorum queue
 * per consumer and event (`<service>.<event>`), each bound by the event name as routing key.
 * Rendered as RabbitMQ definitions (loaded at boot) with no users and no credentials.
 */
import { ServiceSpec } from '../spec/schema';

/** One consumer's queue for one event. */
export interface EventQueue {
  /** Queue name, `<service>.<event>`. */
  readonly name: string;
  /** The consuming service. */
  readonly consumer: string;
  /** The event, which is also the routing key. */
  readonly event: string;
}

/** The virtual host everything lives in. */
export const EVENTS_VHOST = '/';

/** Exchanges, queues and bindings for a set of services. */
export class EventTopology {
  /** Queues in spec order (service, then event). */
  public readonly queues: readonly EventQueue[];
  /** Events each service publishes, for services that publish any. */
  public readonly publishers: ReadonlyMap<string, readonly string[]>;
  /** Services that publish or consume, in spec order. */
  public readonly clients: readonly string[];

  constructor(
    /** The topic exchange events are published to. */
    public readonly exchange: string,
    services: Readonly<Record<string, Pick<ServiceSpec, 'publishes' | 'consumes'>>>,
  ) {
    const queues: EventQueue[] = [];
    const publishers = new Map<string, readonly string[]>();
    const clients: string[] = [];
    for (const [name, svc] of Object.entries(services)) {
      if (svc.publishes.length > 0 || svc.consumes.length > 0) clients.push(name);
      for (const event of svc.consumes) queues.push({ name: queueName(name, event), consumer: name, event });
      if (svc.publishes.length > 0) publishers.set(name, [...svc.publishes]);
    }
    this.queues = queues;
    this.publishers = publishers;
    this.clients = clients;
  }

  /** True when no service publishes or consumes. */
  public get isEmpty(): boolean {
    return this.clients.length === 0;
  }

  /** The queues one service consumes from. */
  public queuesOf(service: string): EventQueue[] {
    return this.queues.filter((q) => q.consumer === service);
  }

  /**
   * RabbitMQ definitions (the format of `rabbitmqctl export_definitions`). The virtual host is
   * listed so the file imports on a blank node, where definitions replace the default seeding.
   */
  public definitions(): RabbitDefinitions {
    const vhost = EVENTS_VHOST;
    return {
      vhosts: [{ name: vhost }],
      exchanges: [{ name: this.exchange, vhost, type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }],
      queues: this.queues.map((q) => ({ name: q.name, vhost, durable: true, auto_delete: false, arguments: { 'x-queue-type': 'quorum' } })),
      bindings: this.queues.map((q) => ({
        source: this.exchange, vhost, destination: q.name, destination_type: 'queue', routing_key: q.event, arguments: {},
      })),
    };
  }
}

/** The queue a service consumes an event from. */
export function queueName(service: string, event: string): string {
  return `${service}.${event}`;
}

/** The subset of the RabbitMQ definitions format the platform writes. */
export interface RabbitDefinitions {
  readonly vhosts: ReadonlyArray<{ readonly name: string }>;
  readonly exchanges: ReadonlyArray<{
    readonly name: string; readonly vhost: string; readonly type: 'topic'; readonly durable: boolean;
    readonly auto_delete: boolean; readonly internal: boolean; readonly arguments: Record<string, never>;
  }>;
  readonly queues: ReadonlyArray<{
    readonly name: string; readonly vhost: string; readonly durable: boolean; readonly auto_delete: boolean;
    readonly arguments: { readonly 'x-queue-type': 'quorum' };
  }>;
  readonly bindings: ReadonlyArray<{
    readonly source: string; readonly vhost: string; readonly destination: string; readonly destination_type: 'queue';
    readonly routing_key: string; readonly arguments: Record<string, never>;
  }>;
}
