import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './helpers/testServer';
import { openRaw } from './helpers/rawSocket';

// get-history without max_results answers the whole history, as MLflow's server
// does (scripts that call the REST API rely on it), written as a stream.

let s: TestServer;
let run: string;
const POINTS = 32_000;
before(async () => {
  s = await startServer();
  run = (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
  // Steps in reverse batch order, so the answer's order comes from the server's sort.
  for (let start = POINTS - 1000; start >= 0; start -= 1000) {
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: (start + i) / 10, timestamp: 1_700_000_000_000 + start + i, step: start + i }));
    assert.equal((await s.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics })).status, 200);
  }
});
after(async () => s.stop());

const H = '/api/2.0/mlflow/metrics/get-history';

test('without max_results the whole history comes back, in step order, streamed, with no page token', async () => {
  const res = await fetch(`${s.url}${H}?run_id=${run}&metric_key=loss`, { headers: { Authorization: `Bearer ${s.token}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), null); // written in pieces, not measured first
  const body = await res.json();
  assert.equal(body.metrics.length, POINTS);
  assert.equal(body.next_page_token, undefined);
  body.metrics.forEach((m: { step: number; value: number; key: string }, i: number) => {
    assert.equal(m.step, i);
    assert.equal(m.value, i / 10);
    assert.equal(m.key, 'loss');
  });
});

test('with max_results the history pages as before, and a page token alone gives the rest', async () => {
  const all: number[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const r = await s.api('GET', `${H}?run_id=${run}&metric_key=loss&max_results=10000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
    assert.equal(r.status, 200);
    all.push(...r.body.metrics.map((m: { step: number }) => m.step));
    token = r.body.next_page_token;
    pages++;
  } while (token);
  assert.equal(pages, 4);
  assert.deepEqual(all, Array.from({ length: POINTS }, (_, i) => i));

  const first = await s.api('GET', `${H}?run_id=${run}&metric_key=loss&max_results=30000`);
  assert.equal(first.status, 400); // the page size is still bounded when one is asked for
  const page = await s.api('GET', `${H}?run_id=${run}&metric_key=loss&max_results=20000`);
  const rest = await s.api('GET', `${H}?run_id=${run}&metric_key=loss&page_token=${encodeURIComponent(page.body.next_page_token)}`);
  assert.equal(rest.body.metrics.length, POINTS - 20_000);
  assert.equal(rest.body.metrics[0].step, 20_000);
  assert.equal(rest.body.next_page_token, undefined);

  const none = await s.api('GET', `${H}?run_id=${run}&metric_key=no-such-metric`);
  assert.deepEqual(none.body, { metrics: [] });
});

test('a client that stops reading holds neither the server nor the store; when it reads again the answer is whole', async () => {
  const c = await openRaw(Number(new URL(s.url).port));
  c.socket.write(`GET ${H}?run_id=${run}&metric_key=loss HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\nConnection: close\r\n\r\n`);
  await c.waitFor('{"metrics":[');
  c.socket.pause();
  await new Promise((r) => setTimeout(r, 300));
  // Meanwhile the store answers and takes writes.
  const other = await s.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics: [{ key: 'acc', value: 1, timestamp: 1, step: 0 }] });
  assert.equal(other.status, 200);
  assert.equal((await s.api('GET', `${H}?run_id=${run}&metric_key=acc`)).body.metrics.length, 1);
  c.socket.resume();
  await c.closedWithin(10_000);
  const text = c.received();
  const chunked = text.slice(text.indexOf('\r\n\r\n') + 4);
  // Undo chunked transfer encoding.
  let body = '';
  for (let at = 0; ; ) {
    const eol = chunked.indexOf('\r\n', at);
    const size = parseInt(chunked.slice(at, eol), 16);
    if (!size) break;
    body += chunked.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
  assert.equal(JSON.parse(body).metrics.length, POINTS);
});
