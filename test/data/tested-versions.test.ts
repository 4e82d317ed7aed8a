/**
 * The data-store versions `npm run test:integration` runs follow the deployed images: a new image
 * default fails here, before any server starts, until the pinned server (scripts/integration/
 * versions.env) or the documented gap (test/integration/versions.ts) follows it.
 */
import { objectsOf } from '../helpers';
import { checkTestedVersion, deployedVersion, integrationVersions, KNOWN_GAPS, statefulSetImages } from '../integration/versions';

const dev = objectsOf('dev');

describe('the versions the integration tests run', () => {
  const pinned = integrationVersions();

  test.each([
    ['postgres', /-db$/, pinned.POSTGRES_VERSION],
    ['redis', /^redis$/, pinned.REDIS_VERSION],
  ] as const)('%s: the pinned server is the version the StatefulSets deploy', (store, name, version) => {
    // GIVEN the store's images in the default spec and the server version install-servers.sh pins
    const images = statefulSetImages(dev, name);
    // WHEN each is compared with the pinned server version
    const results = images.map((image) => checkTestedVersion(store, image, version));
    // THEN there is no gap: the integration tests run the deployed version
    expect(images.length).toBeGreaterThan(0);
    expect(KNOWN_GAPS[store]).toBeUndefined();
    expect(results.filter((r) => !r.ok).map((r) => r.line)).toEqual([]);
  });

  test('PostgreSQL: the pinned package is a build of the pinned version', () => {
    expect(pinned.POSTGRES_PACKAGE_VERSION.startsWith(`${pinned.POSTGRES_VERSION}.`)).toBe(true);
  });

  test('rabbitmq: the deployed image is the one the documented gap is about', () => {
    // GIVEN the RabbitMQ image in the default spec
    const [image] = statefulSetImages(dev, /^rabbitmq$/);
    // WHEN its version is compared with the documented gap
    // THEN they are the same: a new image needs a new look at what the tests can run
    expect(deployedVersion(image)).toBe(KNOWN_GAPS.rabbitmq?.deployed);
  });
});

describe('checkTestedVersion', () => {
  const gaps = { redis: { deployed: '7.4.1', tested: '7.0.15', why: 'why' } };

  test('accepts the deployed version where no gap is documented, and nothing else', () => {
    expect(checkTestedVersion('postgres', 'postgres:16.4-bookworm', '16.4', gaps).ok).toBe(true);
    const older = checkTestedVersion('postgres', 'postgres:16.4-bookworm', '15.18 (Debian 15.18-0+deb12u1)', gaps);
    expect(older).toEqual({ ok: false, line: expect.stringContaining('tested 15.18 (Debian 15.18-0+deb12u1), but the manifests deploy postgres:16.4-bookworm (16.4)') });
  });

  test('accepts exactly the documented gap, and says so', () => {
    expect(checkTestedVersion('redis', 'redis:7.4.1-bookworm', '7.0.15', gaps)).toEqual({ ok: true, line: expect.stringContaining('NOT the deployed redis:7.4.1-bookworm') });
  });

  test('fails when either side of a documented gap moves', () => {
    // GIVEN a gap 7.0.15 for 7.4.1
    // WHEN the image moves, the server moves, or the server catches up
    const newImage = checkTestedVersion('redis', 'redis:7.4.2-bookworm', '7.0.15', gaps);
    const newServer = checkTestedVersion('redis', 'redis:7.4.1-bookworm', '7.0.16', gaps);
    const caughtUp = checkTestedVersion('redis', 'redis:7.4.1-bookworm', '7.4.1', gaps);
    // THEN each fails, and the last says the gap can go
    expect([newImage.ok, newServer.ok, caughtUp.ok]).toEqual([false, false, false]);
    expect(caughtUp.line).toContain('remove the gap');
  });

  test('an image without a version tag is an error', () => {
    expect(() => checkTestedVersion('redis', 'redis@sha256:0123', '7.0.15', gaps)).toThrow('no version in the tag');
  });
});
