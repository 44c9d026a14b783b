import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { churnWorkspace, oipBody, parseMetrics, spec, startDeployment } from './helpers/deploymentProcess';

// A --no-auth deployment answers programs on this machine, not web pages: a page
// can POST text/plain or form bodies to it without a preflight, and each answered
// request would feed drift monitoring (and so could start the onDrift pipeline).
// Real clients still work as they are: Triton's HTTP client and `curl -d` send no
// Content-Type or a form type, and the body is read as JSON anyway.

/** A request with exactly these headers (fetch would add a Content-Type and others). */
function send(url: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { method: body === undefined ? 'GET' : 'POST', headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a --no-auth deployment refuses web pages (foreign or null Origin, cross-site fetch) with 403 in the route\'s error shape, and still answers curl-like and loopback requests', { timeout: 60_000 }, async () => {
  const d = await startDeployment(await churnWorkspace(), spec({ name: 'open', auth: false }), { MLOPS_DEPLOYMENT_TOKEN: '' });
  try {
    const oip = oipBody([[1, 2, 0, 3]]);
    const v1 = JSON.stringify({ instances: [[1, 2, 0, 3]] });
    const page = (origin: string) => ({ Origin: origin, 'Content-Type': 'text/plain;charset=UTF-8' });
    const refused: [string, string, Record<string, string>, RegExp][] = [
      ['/v2/models/churn/infer', oip, page('https://evil.example'), /from a page of https:\/\/evil\.example: deployment open runs with --no-auth/],
      ['/v2/models/churn/infer', oip, page('null'), /from a sandboxed or local page \(Origin: null\)/],
      ['/v2/models/churn/infer', oip, { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' }, /from a page of another site \(Sec-Fetch-Site: cross-site\)/],
      ['/v2/models/churn/infer', oip, page('http://localhost.evil.example'), /a page of http:\/\/localhost\.evil\.example/],
      ['/v1/models/churn:predict', v1, { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' }, /--no-auth/],
      ['/v2/models/churn/infer', oip, { Origin: 'https://evil.example', 'Content-Type': 'multipart/form-data; boundary=x' }, /--no-auth/],
    ];
    for (const [path, body, headers, message] of refused) {
      const answer = await send(d.url, path, body, headers);
      assert.equal(answer.status, 403, `${path} ${JSON.stringify(headers)}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.error, message, 'OIP and KServe v1 errors are {"error"}');
      assert.match(answer.body.error, /Call it from a program \(curl, a client library: they send no Origin header\), or serve it with auth/);
    }
    // MLflow-shaped routes answer in MLflow's shape.
    for (const path of ['/v1/feedback', '/invocations']) {
      const answer = await send(d.url, path, '{"request_id":"x","label":1}', page('https://evil.example'));
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error_code, 'PERMISSION_DENIED');
      assert.match(answer.body.message, /--no-auth/);
    }

    // What programs send is answered: no Content-Type (Triton's client), curl -d's form type, loopback pages, same-origin fetches.
    const port = new URL(d.url).port;
    const answered: [string, string, Record<string, string>][] = [
      ['/v2/models/churn/infer', oip, {}],
      ['/v2/models/churn/infer', oip, { 'Content-Type': 'application/x-www-form-urlencoded' }],
      ['/v1/models/churn:predict', v1, {}],
      ['/v1/models/churn:predict', v1, { 'Content-Type': 'application/x-www-form-urlencoded' }],
      ['/v2/models/churn/infer', oip, { Origin: `http://localhost:${port}`, 'Content-Type': 'application/json' }],
      ['/v2/models/churn/infer', oip, { Origin: `http://127.0.0.1:${port}` }],
      ['/v2/models/churn/infer', oip, { Origin: 'http://[::1]:8080' }],
      ['/v2/models/churn/infer', oip, { 'Sec-Fetch-Site': 'same-origin' }],
      ['/v2/models/churn/infer', oip, { 'Sec-Fetch-Site': 'none' }],
      ['/invocations', JSON.stringify({ inputs: [[1, 2, 0, 3]] }), { 'Content-Type': 'application/json' }],
    ];
    for (const [path, body, headers] of answered) {
      const answer = await send(d.url, path, body, headers);
      assert.equal(answer.status, 200, `${path} ${JSON.stringify(headers)}: ${JSON.stringify(answer.body)}`);
    }
    // /invocations keeps MLflow's rule: JSON or CSV.
    const plain = await send(d.url, '/invocations', JSON.stringify({ inputs: [[1, 2, 0, 3]] }), { 'Content-Type': 'text/plain' });
    assert.equal(plain.status, 415, JSON.stringify(plain.body));
    // Refused requests never reached a model (nor monitoring): only the answered ones are counted.
    const metrics = parseMetrics(await (await d.request('/metrics')).text());
    const counted = [...metrics].filter(([k]) => k.startsWith('mlops_requests_total{') && k.includes('status="200"')).reduce((n, [, v]) => n + v, 0);
    assert.equal(counted, answered.length);
  } finally {
    await d.stop();
  }
});
