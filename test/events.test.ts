import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServer, runCli } from './helpers/testServer';
import { TrackingStore } from '../src/core/tracking/trackingStore';

interface Event {
  seq: number;
  kind: string;
  experimentId: string | null;
  runId: string | null;
}

/** Subscribes to the SSE stream and collects change events. */
function subscribe(url: string, token: string, since?: number): { events: Event[]; close: () => void; ready: Promise<void> } {
  const events: Event[] = [];
  const u = new URL(url + '/api/v1/events' + (since === undefined ? '' : `?since=${since}`));
  let close = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream');
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)));
        }
      });
      resolve();
    });
    req.on('error', reject);
    req.end();
    close = () => req.destroy();
  });
  return { events, close: () => close(), ready };
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the event stream reports writes made through the server and by other processes', async () => {
  const s = await startServer();
  const sub = subscribe(s.url, s.token);
  await sub.ready;
  // Through the server:
  const run = (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
  await s.api('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: run, key: 'x', value: 1, timestamp: 1 });
  await until('server writes', () => sub.events.some((e) => e.kind === 'metrics' && e.runId === run));
  // By another process writing the store directly (the CLI):
  const created = await runCli(['experiments', 'create', 'from-cli', '--json', '--workspace', s.workspace]);
  assert.equal(created.code, 0, created.stderr);
  const expId = JSON.parse(created.stdout).experimentId;
  await until('CLI write', () => sub.events.some((e) => e.kind === 'experiment' && e.experimentId === expId));
  // And by this test process through the core store:
  const tracking = TrackingStore.open(s.workspace);
  const direct = tracking.runs.create({ experimentId: expId });
  tracking.logBatch(direct.info.runId, { metrics: [{ key: 'm', value: 2, timestamp: 1, step: 0 }], params: [], tags: [] });
  tracking.close();
  await until('direct write', () => sub.events.some((e) => e.kind === 'metrics' && e.runId === direct.info.runId));
  // Sequence numbers only go up.
  const seqs = sub.events.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  // A client that reconnects with ?since= gets what it missed.
  const last = seqs[seqs.length - 1];
  sub.close();
  await s.api('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: run, key: 'missed', value: 'yes' });
  await new Promise((r) => setTimeout(r, 400));
  const again = subscribe(s.url, s.token, last);
  await again.ready;
  await until('replayed change', () => again.events.some((e) => e.kind === 'tags' && e.runId === run));
  again.close();
  await s.stop();
});

test('HEAD on the event stream answers its head at once instead of holding the connection open unanswered', async () => {
  const server = await startServer();
  try {
    const res = await fetch(server.url + '/api/v1/events', { method: 'HEAD', headers: { Authorization: `Bearer ${server.token}` }, signal: AbortSignal.timeout(3000) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
  } finally {
    await server.stop();
  }
});
