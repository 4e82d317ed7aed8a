/**
 * Class 5 of issue 14: every value that reaches a manifest is checked by the Kubernetes rules,
 * with the API server's wording, so that what the synth accepts the API server accepts too.
 */
import { dns1035Label, dns1123Label, labelValue, parseKubernetesQuantity, qualifiedName, quantity } from '../../src/spec/k8s-rules';
import { parseQuantity } from '../../src/spec/quantity';
import { editReference, lineIn, objectsOf, problemsOf } from '../helpers';
import { validateWithModels, isCoreKind } from '../support/schema-validator';

const LABEL_VALUE_MESSAGE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('quantities follow resource.Quantity', () => {
  test('E and Ei are suffixes, not exponents: 2Ei against a 512Mi limit is a request above its limit', () => {
    // GIVEN a memory request of 2Ei (2^61 bytes), far above the 512Mi limit
    const text = editReference(['requests: { cpu: 200m, memory: 256Mi }\n      limits: { cpu: "1", memory: 512Mi }', 'requests: { cpu: 200m, memory: 2Ei }\n      limits: { cpu: "1", memory: 512Mi }']);
    // WHEN loaded THEN the request is reported as above the limit (it parsed as NaN before and passed)
    expect(problemsOf(text)).toEqual([`platform.yaml:${lineIn(text, '2Ei')}: services.order-service.resources.requests.memory: request 2Ei exceeds limit 512Mi`]);
  });

  test.each([
    ['2Ei', 2 * 2 ** 60], ['1E', 1e18], ['1e3', 1000], ['1E3', 1000], ['1.5e-3', 0.0015], ['250m', 0.25], ['100n', 1e-7], ['5u', 5e-6], ['.5', 0.5], ['3.', 3], ['+1Ki', 1024],
  ])('%s parses to %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  test.each(['8Ei', '9223372036854775808', '10E', '1e19', '1e999999999'])('%s is above 2^63-1 and refused', (q) => {
    expect(quantity(q)).toEqual([expect.stringMatching(/^is too large: no quantity may represent a number greater than 2\^63-1/)]);
  });

  test.each(['7Ei', '9223372036854775807', '9E', '1e-999999999', '0'])('%s is within range', (q) => {
    expect(quantity(q)).toEqual([]);
  });

  test.each(['1Ki ', '1KiB', '1 Gi', '--1', '1e', 'e3', '1.2.3', '0x10', ''])('%j is malformed', (q) => {
    expect(parseKubernetesQuantity(q)).toBeUndefined();
  });

  test('a memory limit above the maximum is a located problem', () => {
    const text = editReference(['limits: { cpu: "1", memory: 512Mi }', 'limits: { cpu: "1", memory: 8Ei }']);
    expect(problemsOf(text)).toEqual([expect.stringMatching(new RegExp(`^platform\\.yaml:${lineIn(text, '8Ei')}: services\\.order-service\\.resources\\.limits\\.memory: is too large`))]);
  });
});

describe('names, labels and selectors follow apimachinery validation, in its words', () => {
  test('gateway.selector: a key that is not a qualified name and a value that is not a label value', () => {
    const text = editReference(['  tlsCredential: shop-api-tls\n', '  tlsCredential: shop-api-tls\n  gateway:\n    selector: { "istio app": ingress, istio: -ingress }\n']);
    const problems = problemsOf(text);
    expect(problems).toContain(`platform.yaml:${lineIn(text, 'selector:')}: platform.gateway.selector.istio app: key: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
    expect(problems).toContain(`platform.yaml:${lineIn(text, 'selector:')}: platform.gateway.selector.istio: ${LABEL_VALUE_MESSAGE}`);
  });

  test('gateway.selector may not be empty (it would select every pod)', () => {
    const text = editReference(['  tlsCredential: shop-api-tls\n', '  tlsCredential: shop-api-tls\n  gateway:\n    selector: {}\n']);
    expect(problemsOf(text)).toEqual([expect.stringMatching(/platform\.gateway\.selector: must name at least one label/)]);
  });

  test('gateway.serviceAccount and storageClass are RFC 1123 subdomains', () => {
    const text = editReference(
      ['  tlsCredential: shop-api-tls\n', '  tlsCredential: shop-api-tls\n  gateway:\n    serviceAccount: Ingress_SA\n'],
      ['storageClass: fast-ssd', 'storageClass: Fast SSD'],
    );
    const problems = problemsOf(text);
    expect(problems).toContain(`platform.yaml:${lineIn(text, 'Ingress_SA')}: platform.gateway.serviceAccount: ${SUBDOMAIN_MESSAGE}`);
    expect(problems).toContain(`platform.yaml:${lineIn(text, 'Fast SSD')}: environments.prod.platform.postgres.storage.storageClass: ${SUBDOMAIN_MESSAGE}`);
  });

  test('a Secret key follows IsConfigMapKey', () => {
    const text = editReference(['key: jwt-signing-key', 'key: ..hidden']);
    expect(problemsOf(text)).toEqual([`platform.yaml:${lineIn(text, '..hidden')}: services.user-service.secretEnv.JWT_SIGNING_KEY.key: must not start with '..'`]);
  });

  test('counts are int32, as the API stores them', () => {
    const text = editReference(['    replicas: 3\n', '    replicas: 3000000000\n']);
    expect(problemsOf(text)).toContain(`platform.yaml:${lineIn(text, '3000000000')}: services.user-service.replicas: must be at most 2147483647 (Kubernetes stores it as a 32-bit integer)`);
  });

  test('retryOn takes only the retry conditions Istio knows', () => {
    const text = editReference(['    replicas: 3\n', '    replicas: 3\n    traffic: { retries: { retryOn: "5xx,503,bogus" } }\n']);
    expect(problemsOf(text)).toEqual([expect.stringMatching(/services\.user-service\.traffic\.retries\.retryOn: "bogus" is not a retry condition; use a comma-separated list \(no spaces\) of HTTP status codes such as 503 and 5xx, gateway-error/)]);
  });

  test('an image must be a reference (no upper case in the path, no spaces)', () => {
    const text = editReference(['ghcr.io/shop-example/user-service:2.0.0', 'ghcr.io/Shop Example/user-service:2.0.0']);
    expect(problemsOf(text)).toContain(`platform.yaml:${lineIn(text, 'Shop Example')}: services.user-service.image: must be an image reference such as registry.example.com/team/app:1.2.3 or app@sha256:<64 hex digits>`);
  });

  test('a string that is not valid Unicode (a lone surrogate) is refused where it stands', () => {
    const text = editReference(['LOG_LEVEL: info', 'LOG_LEVEL: "in\\ud800fo"']);
    expect(problemsOf(text)).toEqual([`platform.yaml:${lineIn(text, 'in\\ud800fo')}: services.user-service.env.LOG_LEVEL: is not valid Unicode: it holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair), which cannot be written as UTF-8`]);
  });

  test('the rules keep apimachinery\'s exact wording', () => {
    expect(labelValue('-x')).toEqual([LABEL_VALUE_MESSAGE]);
    expect(labelValue('x'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(qualifiedName('a/b/c')).toEqual(["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]);
    expect(qualifiedName('Example.com/x')).toEqual([`prefix part ${SUBDOMAIN_MESSAGE}`]);
    expect(qualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(dns1123Label('My')).toEqual(["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]);
    expect(dns1035Label('1a')).toEqual(["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]);
  });

  test('a valid selector with a prefixed key reaches every selector and the objects pass the Kubernetes schemas', () => {
    const text = editReference(['  tlsCredential: shop-api-tls\n', '  tlsCredential: shop-api-tls\n  gateway:\n    selector: { app.kubernetes.io/name: istio-ingressgateway, istio: ingressgateway }\n']);
    const objects = objectsOf('prod', text);
    expect(objects.filter(isCoreKind).flatMap(validateWithModels)).toEqual([]);
    expect(JSON.stringify(objects)).toContain('"app.kubernetes.io/name":"istio-ingressgateway"');
  });
});
