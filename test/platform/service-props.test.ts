/** The spec-to-props mapping: the one place that knows both the spec and the MicroService props. */
import { microServiceProps } from '../../src/platform/service-props';
import { loadPlatform } from '../../src/spec/load';
import { REFERENCE_FILE, referenceText } from '../helpers';

const envs = () => loadPlatform(referenceText(), REFERENCE_FILE).environments;

test('a service with autoscaling gets autoscaling props and no fixed replicas; one without gets its replicas', () => {
  // GIVEN the reference spec WHEN each service of each environment is mapped
  for (const env of envs()) {
    for (const [name, spec] of Object.entries(env.services)) {
      const props = microServiceProps(name, spec, env);
      // THEN exactly one of replicas and autoscaling is set (the construct rejects both)
      if (spec.autoscaling) {
        expect(props.autoscaling).toEqual(spec.autoscaling);
        expect(props.replicas).toBeUndefined();
      } else {
        expect(props.replicas).toBe(spec.replicas);
        expect(props.autoscaling).toBeUndefined();
      }
      expect(props).toMatchObject({ name, image: spec.image, port: spec.port, environment: env.name, partOf: env.platform.name });
      expect(props.workloadKind).toBe(spec.delivery.strategy === 'rolling' ? 'Deployment' : 'Rollout');
    }
  }
});
