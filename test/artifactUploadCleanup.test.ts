import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { makeWorkspace, startServer, type TestServer } from './helpers/testServer';
import { openRaw, parseHead } from './helpers/rawSocket';

// A refused or failed upload leaves nothing in .mlops/artifacts/uploads.

let s: TestServer;
before(async () => (s = await startServer()));
after(async () => s.stop());

const uploadsOf = (workspace: string) => readdirSync(join(workspace, '.mlops', 'artifacts', 'uploads'));

async function newRun(): Promise<string> {
  return (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
}

test('an upload to a deleted run is refused before its body is read: 400 at once, nothing on disk', async () => {
  const run = await newRun();
  assert.equal((await s.api('POST', '/api/2.0/mlflow/runs/delete', { run_id: run })).status, 200);
  const c = await openRaw(Number(new URL(s.url).port));
  const size = 8 * 1024 * 1024;
  c.socket.write(`PUT /api/2.0/mlflow-artifacts/artifacts/0/${run}/artifacts/model.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\nContent-Length: ${size}\r\n\r\n`);
  void c.trickle(Buffer.alloc(size, 1), 256 * 1024, 10);
  const head = parseHead(await c.waitFor('\r\n\r\n', 3_000));
  assert.equal(head.status, 400);
  assert.match(JSON.parse(head.body).message, /must be in the 'active' state/);
  await c.closedWithin(5_000);
  assert.deepEqual(uploadsOf(s.workspace), []);
});

test('a client that leaves mid-upload leaves no partial file', async () => {
  const run = await newRun();
  const c = await openRaw(Number(new URL(s.url).port));
  c.socket.write(`PUT /api/2.0/mlflow-artifacts/artifacts/0/${run}/artifacts/half.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\nContent-Length: 1000000\r\n\r\n`);
  c.socket.write(Buffer.alloc(300_000, 2));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(uploadsOf(s.workspace).length, 1); // the partial file is there while the upload runs
  c.socket.destroy();
  const deadline = Date.now() + 3_000;
  while (uploadsOf(s.workspace).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(uploadsOf(s.workspace), []);
});

test('a body that fails at once (before the file is even open) or midway leaves no partial file', async () => {
  const workspace = makeWorkspace();
  const tracking = TrackingStore.open(workspace);
  try {
    const run = tracking.runs.create({ experimentId: '0' }).info.runId;
    for (let i = 0; i < 20; i++) {
      const failing = new Readable({ read() {} });
      failing.destroy(new Error('disk or network failure'));
      await assert.rejects(tracking.artifacts.writeStream(run, `a${i}.bin`, failing), /failure/);
      const midway = Readable.from(
        (async function* () {
          yield Buffer.alloc(100_000, 3);
          throw new Error('failure after 100 kB');
        })(),
      );
      await assert.rejects(tracking.artifacts.writeStream(run, `b${i}.bin`, midway), /failure/);
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(uploadsOf(workspace), []);
  } finally {
    tracking.close();
  }
});

test('an upload to a run deleted while it streams is refused and its file removed', async () => {
  const workspace = makeWorkspace();
  const tracking = TrackingStore.open(workspace);
  try {
    const run = tracking.runs.create({ experimentId: '0' }).info.runId;
    const body = Readable.from(
      (async function* () {
        yield Buffer.alloc(50_000, 4);
        tracking.runs.setLifecycle(run, 'deleted');
        yield Buffer.alloc(50_000, 5);
      })(),
    );
    await assert.rejects(tracking.artifacts.writeStream(run, 'late.bin', body), /active/);
    assert.deepEqual(uploadsOf(workspace), []);
  } finally {
    tracking.close();
  }
});
