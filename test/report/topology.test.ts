import { topologyDiagram } from '../../src/report/topology';
import { loadPlatform } from '../../src/spec/load';
import { editReference, REFERENCE_FILE, referenceText } from '../helpers';

const diagramOf = (text: string = referenceText()) =>
  topologyDiagram(loadPlatform(text, REFERENCE_FILE).environments.find((e) => e.name === 'prod')!);

describe('topology diagram', () => {
  const diagram = diagramOf();

  test('is a left-to-right Mermaid flowchart with one node per service', () => {
    expect(diagram.split('\n')[0]).toBe('flowchart LR');
    expect(diagram).toContain('svc_order_service["order-service<br/>10-30 pods, canary"]');
    expect(diagram).toContain('svc_notification_service["notification-service<br/>2-4 pods, rolling"]');
  });

  test('draws each gateway route from the gateway to its service', () => {
    // GIVEN user-service owns an open, rate-limited /api/auth route
    // THEN the gateway has an edge to it labelled with prefix, authentication and limit
    expect(diagram).toContain('gateway -->|"/api/auth (open, 5 per 15m)"| svc_user_service');
    expect(diagram).toContain('gateway -->|"/api/orders (JWT)"| svc_order_service');
  });

  test('draws declared calls between services', () => {
    expect(diagram).toContain('svc_order_service -->|HTTP| svc_user_service');
    expect(diagram).toContain('svc_order_service -->|HTTP| svc_inventory_service');
  });

  test('gives each service with a database its own store and shares one Redis among cache users', () => {
    expect(diagram).toContain('db_order_service[("PostgreSQL order-service-db<br/>database order_service")]');
    expect(diagram).toContain('svc_order_service --> db_order_service');
    expect(diagram).toContain('svc_user_service -.->|cache| redis');
    expect(diagram).toContain('svc_inventory_service -.->|cache| redis');
    expect(diagram).not.toContain('db_notification_service');
  });

  test('routes events from publishers through the exchange to every consumer', () => {
    expect(diagram).toContain('exchange{{"RabbitMQ exchange events"}}');
    expect(diagram).toContain('svc_order_service -->|"publishes order.created"| exchange');
    expect(diagram).toContain('exchange -->|"order.created"| svc_inventory_service');
    expect(diagram).toContain('exchange -->|"order.created"| svc_notification_service');
  });

  test('leaves out the gateway when no service has a route', () => {
    // GIVEN a spec without routes
    const text = editReference(
      ['    routes:\n      - { prefix: /api/auth, auth: none, rateLimit: { requests: 5, window: 15m } }\n      - { prefix: /api/users, auth: jwt, rateLimit: { requests: 100, window: 15m } }\n', ''],
      ['    routes:\n      - { prefix: /api/orders, auth: jwt }\n', ''],
      ['    routes:\n      - { prefix: /api/inventory, auth: jwt }\n', ''],
    );
    // THEN there is no gateway node
    expect(diagramOf(text)).not.toContain('gateway');
  });

  test('draws each declared egress destination outside the cluster', () => {
    // GIVEN notification-service declares smtp.sendgrid.net on 465 over TLS
    // THEN the destination is a node outside the cluster with an edge labelled by protocol and port
    expect(diagram).toContain('subgraph outside["Outside the cluster"]');
    expect(diagram).toContain('ext_0[/"smtp.sendgrid.net"/]');
    expect(diagram).toContain('svc_notification_service -->|"TLS 465"| ext_0');
  });
});
