/** Charts for tests that render in memory. */
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';

/**
 * An App whose output directory is never created: tests render with toJson(), never
 * app.synth(). cdk8s's Testing.app() makes a temporary directory per call and leaves it.
 */
export function testApp(): App {
  return new App({ outdir: path.join(os.tmpdir(), 'cdk8s-test-app-never-written') });
}

/** A chart in a testApp(), as Testing.chart() gives, without the directory. */
export function testChart(): Chart {
  return new Chart(testApp(), 'test');
}
