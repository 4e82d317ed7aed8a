// A fake Prometheus for the cluster simulation: answers the instant-query API
// (POST/GET /api/v1/query, what Argo Rollouts' Prometheus provider calls) with success rates the
// test chooses per service, and logs every query so that a test can print what the analysis asked.
//
// The Argo Rollouts controller reaches it through HTTP_PROXY, so request targets arrive in absolute
// form (http://prometheus.monitoring.svc.cluster.local:9090/api/v1/query): only the path is used.
//
// Control API (for the test, on the same port):
//   PUT  /sim/rates    {"<destination_service_name>": 0.99 | null, "default": 0.99}  (merged)
//        null means "no traffic": no series match, so the result is what Prometheus returns for
//        absent data: an empty vector, or N when the query ends in a fallback `or vector(N)`.
//   GET  /sim/queries  every query seen: [{at, service, query, answer}]
//   POST /sim/reset    rates back to {default: 0.99}, log cleared
// usage: node fake-prometheus.mjs PORT
import http from 'node:http';

const port = Number(process.argv[2]);
let rates = { default: 0.99 };
let queries = [];

function serviceOf(query) {
  const m = /destination_service_name\s*=~?\s*"([^"]+)"/.exec(query);
  return m ? m[1] : undefined;
}

/** The value Prometheus would return: the chosen rate, or for "no traffic" the fallback if any. */
function answer(query) {
  const service = serviceOf(query);
  const rate = service !== undefined && service in rates ? rates[service] : rates.default;
  if (rate !== null) return { service, value: rate };
  const fallback = /\bor\s+vector\s*\(\s*([0-9.eE+-]+)\s*\)\s*\)?\s*$/.exec(query);
  return { service, value: fallback ? Number(fallback[1]) : undefined };
}

function body(req) {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => resolve(s));
  });
}

function send(res, code, obj) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://fake-prometheus');
  const text = await body(req);
  if (url.pathname === '/api/v1/query') {
    const params = req.method === 'POST' ? new URLSearchParams(text) : url.searchParams;
    const query = params.get('query') ?? '';
    const time = Number(params.get('time') ?? Date.now() / 1000);
    const { service, value } = answer(query);
    queries.push({ at: new Date().toISOString(), service: service ?? null, query, answer: value ?? 'empty vector' });
    const result = value === undefined ? [] : [{ metric: {}, value: [time, String(value)] }];
    return send(res, 200, { status: 'success', data: { resultType: 'vector', result } });
  }
  if (url.pathname === '/sim/rates' && req.method === 'PUT') {
    rates = { ...rates, ...JSON.parse(text || '{}') };
    return send(res, 200, rates);
  }
  if (url.pathname === '/sim/queries') return send(res, 200, queries);
  if (url.pathname === '/sim/reset' && req.method === 'POST') {
    rates = { default: 0.99 };
    queries = [];
    return send(res, 200, rates);
  }
  if (url.pathname === '/-/ready') return send(res, 200, { ready: true });
  send(res, 404, { status: 'error', error: `fake prometheus: no ${req.method} ${url.pathname}` });
});
server.listen(port, '127.0.0.1');
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
