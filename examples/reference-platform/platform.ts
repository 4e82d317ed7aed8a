/**
 * The reference platform (config/platform.yaml as shipped) declared in TypeScript: no YAML. The object is
 * typed by the spec's own schema (PlatformInput), so the editor completes every field and `tsc`
 * rejects a misspelt key; definePlatform runs the same checks as the YAML loader.
 * test/examples/reference-platform.test.ts runs main.ts and requires its output to be
 * byte-identical to `npm run synth`'s for the same platform in YAML (the suite's copy of the
 * reference, test/fixtures/platform/platform.yaml, so edits to config/ never break it).
 *
 * Imports come from the package entry, src/index.ts: a project that installs the package
 * writes `from 'platform-constructs'` instead.
 */
import { App } from 'cdk8s';
import {
  definePlatform, PlatformEnvironment, PlatformInput, platformReportWriter, renderEnvironment, SynthesizedEnvironment,
} from '../../src';

/** What every service overrides in dev: one replica, autoscaling from one to two. */
const DEV_SERVICE = { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 } };

/** The reference platform: four services, three environments with their overlays. */
export const referencePlatform: PlatformInput = {
  platform: {
    name: 'shop',
    host: 'api.shop.example.com',
    tlsCredential: 'shop-api-tls',
    jwt: {
      issuer: 'https://auth.shop.example.com',
      jwksUri: 'https://auth.shop.example.com/.well-known/jwks.json',
      audiences: ['shop-api'],
    },
    tracing: { samplingPercent: 1 },
    analysis: { successRate: 0.95, interval: '1m', failureLimit: 2 },
  },

  services: {
    'user-service': {
      image: 'ghcr.io/shop-example/user-service:2.0.0',
      port: 3001,
      replicas: 3,
      autoscaling: { minReplicas: 3, maxReplicas: 10, cpuUtilization: 70 },
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '500m', memory: '256Mi' },
      },
      env: { LOG_LEVEL: 'info' },
      secretEnv: { JWT_SIGNING_KEY: { secret: 'user-service-secrets', key: 'jwt-signing-key' } },
      database: { name: 'user_service', schema: 'sql/user_service.sql' },
      cache: { ttlSeconds: 300 },
      routes: [
        { prefix: '/api/auth', auth: 'none', rateLimit: { requests: 5, window: '15m' } },
        { prefix: '/api/users', auth: 'jwt', rateLimit: { requests: 100, window: '15m' } },
      ],
      delivery: {
        strategy: 'blueGreen',
        blueGreen: { autoPromotionEnabled: false, scaleDownDelaySeconds: 30, prePromotionAnalysis: ['success-rate'] },
      },
    },

    'order-service': {
      image: 'ghcr.io/shop-example/order-service:1.8.3',
      port: 3002,
      replicas: 3,
      autoscaling: { minReplicas: 3, maxReplicas: 10 },
      resources: {
        requests: { cpu: '200m', memory: '256Mi' },
        limits: { cpu: '1', memory: '512Mi' },
      },
      calls: ['user-service', 'inventory-service'],
      database: { name: 'order_service', schema: 'sql/order_service.sql' },
      publishes: ['order.created'],
      routes: [{ prefix: '/api/orders', auth: 'jwt' }],
      traffic: {
        timeout: '15s',
        retries: { attempts: 3, perTryTimeout: '3s' },
      },
      delivery: {
        strategy: 'canary',
        canary: {
          steps: [
            { setWeight: 10 },
            { pause: { duration: '1m' } },
            { setWeight: 20 },
            { pause: { duration: '1m' } },
            { setWeight: 50 },
            { pause: { duration: '2m' } },
            { setWeight: 100 },
          ],
          analysis: ['success-rate'],
          trafficRouting: 'istio',
        },
      },
    },

    'inventory-service': {
      image: 'ghcr.io/shop-example/inventory-service:1.5.0',
      port: 3003,
      replicas: 2,
      autoscaling: { minReplicas: 2, maxReplicas: 6 },
      database: { name: 'inventory_service', schema: 'sql/inventory_service.sql' },
      cache: { ttlSeconds: 300 },
      consumes: ['order.created'],
      routes: [{ prefix: '/api/inventory', auth: 'jwt' }],
    },

    'notification-service': {
      image: 'ghcr.io/shop-example/notification-service:1.1.0',
      port: 3004,
      replicas: 2,
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
      resources: {
        requests: { cpu: '50m', memory: '96Mi' },
        limits: { cpu: '250m', memory: '192Mi' },
      },
      consumes: ['order.created'],
      secretEnv: { SMTP_PASSWORD: { secret: 'notification-service-secrets', key: 'smtp-password' } },
      // SMTP over TLS (port 465): the sidecar routes it by name. Port 587 (STARTTLS) is plain TCP
      // at first, which the mesh can only match by address: it would need the relay's cidrs.
      egress: [{ host: 'smtp.sendgrid.net', port: 465, protocol: 'TLS' }],
    },
  },

  environments: {
    dev: {
      platform: {
        host: 'api.dev.shop.example.com',
        // Its own ingress gateway (Helm chart istio/gateway, release istio-ingress-dev): environments never share gateway pods.
        gateway: { namespace: 'istio-ingress', selector: { istio: 'ingress-dev' }, serviceAccount: 'istio-ingress-dev' },
        tracing: { samplingPercent: 100 },
        postgres: { storage: { size: '1Gi' } },
        rabbitmq: { replicas: 1 },
      },
      services: {
        'user-service': DEV_SERVICE,
        'order-service': DEV_SERVICE,
        'inventory-service': DEV_SERVICE,
        'notification-service': DEV_SERVICE,
      },
    },
    staging: {
      platform: {
        host: 'api.staging.shop.example.com',
        // Its own ingress gateway (Helm chart istio/gateway, release istio-ingress-staging).
        gateway: { namespace: 'istio-ingress', selector: { istio: 'ingress-staging' }, serviceAccount: 'istio-ingress-staging' },
        tracing: { samplingPercent: 10 },
        postgres: { storage: { size: '5Gi' } },
      },
    },
    prod: {
      platform: {
        tracing: { samplingPercent: 1 },
        postgres: { storage: { size: '50Gi', storageClass: 'fast-ssd' } },
        redis: { persistence: true },
        rabbitmq: { replicas: 3 },
      },
      services: {
        'user-service': { replicas: 5, autoscaling: { minReplicas: 5, maxReplicas: 20 } },
        'order-service': { replicas: 10, autoscaling: { minReplicas: 10, maxReplicas: 30 } },
      },
    },
  },
};

/**
 * Validates the declaration and builds every environment in one cdk8s App, each a
 * PlatformEnvironment: rendered and checked in memory, nothing written yet (writeEnvironments
 * does that). `sqlDir` is the directory the services' `database.schema` files are relative to
 * (the reference's are config/sql/*.sql). Throws SpecError listing every problem.
 */
export function synthReferencePlatform(sqlDir: string): SynthesizedEnvironment[] {
  const platform = definePlatform(referencePlatform, { baseDir: sqlDir, name: 'referencePlatform' });
  const app = new App();
  return platform.environments.map((spec) =>
    // REPORT.md beside each environment's manifests, as `npm run synth` writes it.
    renderEnvironment(new PlatformEnvironment(app, spec.name, { spec }), platform, { extraWriters: [platformReportWriter] }));
}
