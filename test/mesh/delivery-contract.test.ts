/**
 * The contract with progressive delivery, checked on the synthesized output of both concerns:
 * every host the mesh routes to is a Service that exists, and the Rollouts find in the
 * VirtualServices exactly the routes and destinations Argo Rollouts requires.
 */
import { Manifest } from '../../src/synth';
import { findObject, objectsOf } from '../helpers';

type Route = { name: string; route: Array<{ destination: { host: string } }> };
type Vs = { spec: { http: Route[] } };
type VsRef = { name: string; routes: string[] };
type RolloutJson = {
  spec: {
    strategy: {
      canary?: { canaryService: string; stableService: string; trafficRouting?: { istio?: { virtualService?: VsRef; virtualServices?: VsRef[] } } };
      blueGreen?: { activeService: string; previewService?: string };
    };
  };
};

const NS = 'shop-prod';
const fqdn = (service: string) => `${service}.${NS}.svc.cluster.local`;

describe('mesh and delivery agree', () => {
  const objects = objectsOf('prod');
  const services = new Set(objects.filter((o) => o.kind === 'Service').map((o) => fqdn(o.metadata.name)));
  const rollouts = objects.filter((o) => o.kind === 'Rollout') as Array<Manifest & RolloutJson>;

  test('every VirtualService destination is a Service of the namespace', () => {
    // GIVEN every VirtualService / WHEN its destinations are listed
    const hosts = objects.filter((o) => o.kind === 'VirtualService').flatMap((o) => (o as unknown as Vs).spec.http.flatMap((h) => h.route.map((r) => r.destination.host)));
    // THEN each names an existing Service
    expect(hosts.filter((h) => !services.has(h))).toEqual([]);
  });

  test('every DestinationRule applies to a Service of the namespace', () => {
    // GIVEN every DestinationRule / WHEN its host is read / THEN it exists
    const hosts = objects.filter((o) => o.kind === 'DestinationRule').map((o) => (o.spec as { host: string }).host);
    expect(hosts.filter((h) => !services.has(h))).toEqual([]);
  });

  test('each canary Rollout finds its routes split between exactly its stable and canary Services', () => {
    // GIVEN the canary Rollouts with Istio traffic routing
    const canaries = rollouts.filter((r) => r.spec.strategy.canary?.trafficRouting?.istio);
    expect(canaries.length).toBeGreaterThan(0);
    for (const r of canaries) {
      const c = r.spec.strategy.canary!;
      const refs = [c.trafficRouting!.istio!.virtualService, ...(c.trafficRouting!.istio!.virtualServices ?? [])].filter((x): x is VsRef => !!x);
      for (const ref of refs) {
        // WHEN each referenced route is looked up
        const vs = findObject<Vs>(objects, 'VirtualService', ref.name);
        for (const name of ref.routes) {
          const route = vs.spec.http.find((h) => h.name === name);
          // THEN it routes to the stable and the canary Service, nothing else
          expect(route?.route.map((d) => d.destination.host).sort()).toEqual([fqdn(c.canaryService), fqdn(c.stableService)].sort());
        }
      }
    }
  });

  test('each blue-green Rollout: primary goes to the active Service, the version header to the preview', () => {
    // GIVEN the blue-green Rollouts
    const blueGreens = rollouts.filter((r) => r.spec.strategy.blueGreen);
    expect(blueGreens.length).toBeGreaterThan(0);
    for (const r of blueGreens) {
      const bg = r.spec.strategy.blueGreen!;
      // WHEN the service's VirtualService is read
      const http = findObject<Vs>(objects, 'VirtualService', r.metadata.name).spec.http;
      // THEN
      expect(http.find((h) => h.name === 'primary')?.route.map((d) => d.destination.host)).toEqual([fqdn(bg.activeService)]);
      expect(http.find((h) => h.name === 'version-pin')?.route.map((d) => d.destination.host)).toEqual([fqdn(bg.previewService!)]);
    }
  });
});
