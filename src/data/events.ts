/**
 * The event topology of a set of services: one durable topic exchange, one durable quorum
 * queue per consumer and event (`<service>.<event>`), each bound by the event name as routing
 * key. Rendered as RabbitMQ definitions (loaded at boot) with no users and no credentials.
 */
import { EVENT_NAME, EXCHANGE_NAME } from '../spec/formats';
import { repeats } from '../spec/lists';

/** What one service publishes and consumes. */
export interface EventClient {
  /**
   * Events the service publishes to the exchange, such as order.created.
   * @default []
   */
  readonly publishes?: readonly string[];
  /**
   * Events the service consumes, each through its own durable quorum queue `<service>.<event>`.
   * @default []
   */
  readonly consumes?: readonly string[];
}

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
/** The default topic exchange. */
export const DEFAULT_EVENTS_EXCHANGE = 'events';

/** RabbitMQ's limit on exchange and queue names, in bytes. */
const MAX_AMQP_NAME = 255;

/** Exchanges, queues and bindings for a set of services. */
export class EventTopology {
  /** Queues in spec order (service, then event). */
  public readonly queues: readonly EventQueue[];
  /** Events each service publishes, for services that publish any. */
  public readonly publishers: ReadonlyMap<string, readonly string[]>;
  /** Services that publish or consume, in spec order. */
  public readonly clients: readonly string[];

  /**
   * @param exchange the topic exchange events are published to (lowercase letters, digits, "." and "-")
   * @param services what each service publishes and consumes, by service name; their order is the order of the queues
   * @throws when a name is not allowed, listing every problem
   */
  constructor(
    /** The topic exchange events are published to. */
    public readonly exchange: string,
    services: Readonly<Record<string, EventClient>>,
  ) {
    const problems = eventTopologyProblems(exchange, services);
    if (problems.length > 0) throw new Error(`EventTopology: invalid topology:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    const queues: EventQueue[] = [];
    const publishers = new Map<string, readonly string[]>();
    const clients: string[] = [];
    for (const [name, svc] of Object.entries(services)) {
      const publishes = svc.publishes ?? [];
      const consumes = svc.consumes ?? [];
      if (publishes.length > 0 || consumes.length > 0) clients.push(name);
      for (const event of consumes) queues.push({ name: queueName(name, event), consumer: name, event });
      if (publishes.length > 0) publishers.set(name, [...publishes]);
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

/** What is wrong with a topology: names RabbitMQ or the platform would reject, events listed twice (none: []). */
export function eventTopologyProblems(exchange: string, services: Readonly<Record<string, EventClient>>): string[] {
  const problems: string[] = [];
  if (!EXCHANGE_NAME.test(exchange) || exchange.length > MAX_AMQP_NAME) {
    problems.push(`exchange "${exchange}" must be lowercase letters, digits, "." and "-", starting with a letter, at most ${MAX_AMQP_NAME} characters`);
  }
  for (const [name, svc] of Object.entries(services)) {
    for (const list of ['publishes', 'consumes'] as const) {
      const events = svc[list] ?? [];
      const repeated = new Set(repeats(events));
      events.forEach((event, i) => {
        if (!EVENT_NAME.test(event)) problems.push(`${name}.${list}[${i}] "${event}" must be an event name such as order.created`);
        else if (repeated.has(i)) problems.push(`${name}.${list}[${i}] "${event}" is listed more than once`);
        else if (list === 'consumes' && Buffer.byteLength(queueName(name, event)) > MAX_AMQP_NAME) {
          problems.push(`${name}.consumes[${i}]: queue name "${queueName(name, event)}" would be longer than RabbitMQ's ${MAX_AMQP_NAME} bytes`);
        }
      });
    }
  }
  return problems;
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
