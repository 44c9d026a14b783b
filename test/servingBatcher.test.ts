// The dynamic batcher: under concurrency every caller gets exactly its own rows,
// equal to an unbatched run; a lone request does not wait; a full queue does not
// wait; one bad request in a merged run fails alone; models without a batch
// dimension are never merged.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicBatcher, type RunnableModel } from '../src/core/serving/dynamicBatcher';
import { batchDimensionOf } from '../src/core/serving/batchDimension';
import { ModelSession, type ServingSignature } from '../src/core/serving/modelSession';
import type { NamedTensors } from '../src/core/serving/tensorTypes';
import { classifierModel, linearExpected, linearModel, lookupModel, twoInputModel, writeModels } from './helpers/onnxModels';

const { paths } = writeModels({
  'linear.onnx': linearModel(),
  'fixed.onnx': linearModel(1),
  'lookup.onnx': lookupModel(),
  'two.onnx': twoInputModel(),
  'classifier.onnx': classifierModel(),
});
const opened: ModelSession[] = [];
async function open(name: keyof typeof paths) {
  const s = await ModelSession.create(paths[name]);
  opened.push(s);
  return s;
}
after(async () => {
  for (const s of opened) await s.dispose();
});

const rowsFeed = (rows: number[][]): NamedTensors => ({ float_input: { type: 'float32', dims: [rows.length, 4], data: Float32Array.from(rows.flat()) } });

test('200 concurrent requests of 1-5 rows: each caller gets its own rows, equal to an unbatched run', async () => {
  const session = await open('linear.onnx');
  const batcher = new DynamicBatcher(session, { maxBatchRows: 64, maxWaitMs: 2 });
  assert.equal(batcher.batching, true);
  // Distinct values per request and row, so a row delivered to the wrong caller cannot pass.
  const requests = Array.from({ length: 200 }, (_, r) =>
    Array.from({ length: 1 + (r % 5) }, (_, i) => [r / 50, -i / 3, (r * 7 + i) % 11, Math.sin(r + i)]),
  );
  // Arrive spread over a few turns of the event loop, as HTTP requests do.
  const answers = await Promise.all(
    requests.map(async (rows, r) => {
      if (r % 20 === 0) await new Promise((res) => setImmediate(res));
      return batcher.run(rowsFeed(rows));
    }),
  );
  for (const [r, rows] of requests.entries()) {
    const got = answers[r].probabilities;
    assert.deepEqual(got.dims, [rows.length, 1], `request ${r}`);
    const alone = (await session.run(rowsFeed(rows))).probabilities.data as Float32Array;
    rows.forEach((row, i) => {
      const v = (got.data as Float32Array)[i];
      assert.ok(Math.abs(v - alone[i]) < 1e-6, `request ${r} row ${i}: ${v} vs unbatched ${alone[i]}`);
      assert.ok(Math.abs(v - linearExpected(row)) < 1e-6, `request ${r} row ${i}`);
    });
  }
  const { stats } = batcher;
  assert.equal(stats.requests, 200);
  assert.equal(stats.rows, requests.reduce((n, r) => n + r.length, 0));
  assert.ok(stats.calls < 100, `coalesced into fewer runs (${stats.calls})`);
  assert.ok(stats.meanRequestsPerCall > 2, `mean requests per run ${stats.meanRequestsPerCall}`);
  assert.ok(Math.max(...stats.callsByRows.keys()) <= 64, 'no run over maxBatchRows');
});

test('a lone request does not wait for the batch window, nor do requests queued behind a run', async () => {
  const session = await open('linear.onnx');
  const batcher = new DynamicBatcher(session, { maxWaitMs: 10_000 });
  let started = performance.now();
  await batcher.run(rowsFeed([[1, 2, 3, 4]]));
  assert.ok(performance.now() - started < 1000, 'answered without waiting out maxWaitMs');
  started = performance.now();
  const first = batcher.run(rowsFeed([[1, 2, 3, 4]]));
  await new Promise((res) => setImmediate(res)); // the first is running now
  const behind = [batcher.run(rowsFeed([[0, 0, 0, 0]])), batcher.run(rowsFeed([[1, 1, 1, 1]]))];
  await Promise.all([first, ...behind]);
  assert.ok(performance.now() - started < 1000, 'queued requests ran when the run in flight finished');
});

/** A model whose runs finish only when the test says, recording what each run got. */
function controlledModel(signature: ServingSignature) {
  const calls: { feeds: NamedTensors; finish: () => void }[] = [];
  const model: RunnableModel = {
    signature,
    run: (feeds) =>
      new Promise((resolve) => {
        const out = { y: { ...feeds.x } };
        calls.push({ feeds, finish: () => resolve(out) });
      }),
  };
  return { model, calls };
}

const SIG: ServingSignature = { inputs: [{ name: 'x', type: 'float32', shape: ['N', null] }], outputs: [{ name: 'y', type: 'float32', shape: ['N', null] }], skippedOutputs: [] };
const xFeed = (rows: number, width = 1, start = 0): NamedTensors => ({ x: { type: 'float32', dims: [rows, width], data: Float32Array.from({ length: rows * width }, (_, i) => start + i) } });

test('a full queue is run at once, without waiting for the run in flight or the window', async () => {
  const { model, calls } = controlledModel(SIG);
  const batcher = new DynamicBatcher(model, { maxBatchRows: 4, maxWaitMs: 60_000 });
  const first = batcher.run(xFeed(1));
  await new Promise((res) => setImmediate(res));
  assert.equal(calls.length, 1, 'the first request ran alone, at once');
  const queued = [batcher.run(xFeed(2, 1, 10)), batcher.run(xFeed(1, 1, 20))];
  await new Promise((res) => setImmediate(res));
  assert.equal(calls.length, 1, 'three rows queued: they wait for the run in flight');
  const filler = batcher.run(xFeed(1, 1, 30));
  assert.equal(calls.length, 2, 'four rows: flushed at once');
  assert.deepEqual(calls[1].feeds.x.dims, [4, 1]);
  assert.deepEqual([...(calls[1].feeds.x.data as Float32Array)], [10, 11, 20, 30]);
  calls.forEach((c) => c.finish());
  const [a, b, c] = await Promise.all([...queued, filler, first]);
  assert.deepEqual([...(a.y.data as Float32Array)], [10, 11]);
  assert.deepEqual([...(b.y.data as Float32Array)], [20]);
  assert.deepEqual([...(c.y.data as Float32Array)], [30]);
});

test('requests whose trailing dimensions differ are not stacked together', async () => {
  const { model, calls } = controlledModel(SIG);
  const batcher = new DynamicBatcher(model);
  const all = [batcher.run(xFeed(1, 2)), batcher.run(xFeed(1, 3)), batcher.run(xFeed(2, 2))];
  await new Promise((res) => setImmediate(res));
  assert.deepEqual(calls.map((c) => c.feeds.x.dims), [[3, 2], [1, 3]]);
  calls.forEach((c) => c.finish());
  const out = await Promise.all(all);
  assert.deepEqual(out.map((o) => o.y.dims), [[1, 2], [1, 3], [2, 2]]);
});

test('one bad request in a merged run fails alone; the others get their rows', async () => {
  const session = await open('lookup.onnx');
  const records: string[] = [];
  const batcher = new DynamicBatcher(session, { onBatch: (r) => records.push(`${r.outcome}:${r.requests}`) });
  const indexes = [[0], [1, 2], [99], [4, 3]];
  const results = await Promise.allSettled(indexes.map((ix) => batcher.run({ index: { type: 'int64', dims: [ix.length], data: BigInt64Array.from(ix.map(BigInt)) } })));
  assert.equal(results[2].status, 'rejected');
  assert.match(String((results[2] as PromiseRejectedResult).reason), /out of|bounds|index/i, 'onnxruntime says why');
  for (const i of [0, 1, 3]) {
    const r = results[i] as PromiseFulfilledResult<NamedTensors>;
    assert.equal(r.status, 'fulfilled');
    assert.deepEqual([...(r.value.rows.data as Float32Array)], indexes[i].flatMap((x) => [x, 10 * x]));
  }
  assert.equal(records[0], 'split:4', 'the merged run failed and was split');
  assert.deepEqual(records.slice(1).sort(), ['error:1', 'ok:1', 'ok:1', 'ok:1']);
  assert.equal(batcher.stats.splits, 1);
});

test('drain waits for the per-request retries of a failed merged run, so the session can then be released', async () => {
  const session = await ModelSession.create(paths['lookup.onnx']);
  const batcher = new DynamicBatcher(session, { maxWaitMs: 60_000 });
  const feeds = (ix: number) => ({ index: { type: 'int64' as const, dims: [1], data: BigInt64Array.from([BigInt(ix)]) } });
  const pending = [batcher.run(feeds(1)), batcher.run(feeds(99)), batcher.run(feeds(2))].map((p) => p.then(() => 'ok', () => 'failed'));
  await batcher.drain();
  await session.dispose();
  assert.deepEqual(await Promise.all(pending), ['ok', 'failed', 'ok'], 'the good requests were answered, not cut off by the release');
});

test('a model whose first dimension is fixed is run request by request', async () => {
  const session = await open('fixed.onnx');
  const batcher = new DynamicBatcher(session);
  assert.equal(batcher.batching, false);
  const rows = [[1, 2, 3, 4], [4, 3, 2, 1], [0, 0, 0, 1]];
  const out = await Promise.all(rows.map((r) => batcher.run(rowsFeed([r]))));
  out.forEach((o, i) => assert.ok(Math.abs((o.probabilities.data as Float32Array)[0] - linearExpected(rows[i])) < 1e-6));
  assert.equal(batcher.stats.calls, 3);
});

test('the batch dimension: shared by every input and output, else none', async () => {
  assert.equal(batchDimensionOf((await open('classifier.onnx')).signature), 'N');
  assert.equal(batchDimensionOf((await open('two.onnx')).signature), 'batch');
  assert.equal(batchDimensionOf((await open('fixed.onnx')).signature), undefined);
  const seq: ServingSignature = { inputs: [{ name: 'tokens', type: 'int64', shape: ['seq'] }], outputs: [{ name: 'pooled', type: 'float32', shape: [8] }], skippedOutputs: [] };
  assert.equal(batchDimensionOf(seq), undefined, 'a symbolic dimension the outputs do not keep is not a batch');
  const unknown: ServingSignature = { inputs: [{ name: 'x', type: 'float32', shape: [null, 4] }], outputs: [{ name: 'y', type: 'float32', shape: [null] }], skippedOutputs: [] };
  assert.equal(batchDimensionOf(unknown), undefined);
  assert.equal(new DynamicBatcher((await open('linear.onnx')), { enabled: false }).batching, false);
});

test('a requested subset of outputs comes back from a merged run', async () => {
  const batcher = new DynamicBatcher(await open('classifier.onnx'));
  const [a, b] = await Promise.all([batcher.run(rowsFeed([[5, 1, 1, 0]]), ['label']), batcher.run(rowsFeed([[0, 0, 9, 2], [0, 7, 0, 0]]))]);
  assert.deepEqual(Object.keys(a), ['label']);
  assert.deepEqual([...(a.label.data as BigInt64Array)], [0n]);
  assert.deepEqual([...(b.label.data as BigInt64Array)], [2n, 1n]);
  assert.deepEqual(b.probabilities.dims, [2, 3]);
});
