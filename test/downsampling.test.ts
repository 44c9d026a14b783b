import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { SeriesQuery, bucketWidth } from '../src/core/tracking/seriesQuery';
import { makeWorkspace, startServer } from './helpers/testServer';

/** A seeded random walk with spikes, so min and max are not at bucket edges. */
function series(n: number, seed: number): { step: number; value: number }[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  let v = 0;
  return Array.from({ length: n }, (_, step) => {
    v += rand() - 0.5;
    return { step, value: rand() < 0.002 ? v + 50 * (rand() - 0.5) : v };
  });
}

test('downsampled series keep the first, last, min and max point of every bucket (M4)', () => {
  const tracking = TrackingStore.open(makeWorkspace());
  const run = tracking.runs.create({ experimentId: '0' });
  const points = series(20_000, 7);
  for (let i = 0; i < points.length; i += 1000) {
    tracking.logBatch(run.info.runId, { metrics: points.slice(i, i + 1000).map((p) => ({ key: 'loss', value: p.value, timestamp: 1_000_000 + p.step, step: p.step })), params: [], tags: [] });
  }
  const query = new SeriesQuery(tracking.store.db);
  for (const maxPoints of [1000, 400, 4000]) {
    const [s] = query.run({ runIds: [run.info.runId], keys: ['loss'], maxPoints, x: 'step' }).series;
    assert.equal(s.downsampled, true);
    assert.equal(s.total, 20_000);
    assert.ok(s.x.length <= maxPoints, `${s.x.length} <= ${maxPoints}`);
    // Every returned point is a real point.
    for (let i = 0; i < s.x.length; i++) assert.equal(s.y[i], points[s.steps[i]].value);
    // Recover the buckets from consecutive returned steps and check M4 against brute force:
    // the global first, last, min and max always survive, and within each stretch between
    // returned points no point exceeds the returned extremes around it.
    const returned = new Set(s.steps);
    assert.ok(returned.has(0) && returned.has(19_999), 'first and last points kept');
    const globalMin = points.reduce((a, b) => (b.value < a.value ? b : a));
    const globalMax = points.reduce((a, b) => (b.value > a.value ? b : a));
    assert.ok(returned.has(globalMin.step), 'global min kept');
    assert.ok(returned.has(globalMax.step), 'global max kept');
    // Bucket-level check against brute force. The contract (seriesQuery.ts): output
    // bucket i of width w holds the stored 64-step summaries whose first step is in
    // [i*w, (i+1)*w), and raw points past the last whole summary by their own step.
    const width = bucketWidth(0, 19_999, 20_000, maxPoints);
    const lastWhole = Math.floor(20_000 / 64) * 64;
    const bucketOf = (st: number) => (width >= 64 && st < lastWhole ? Math.floor((Math.floor(st / 64) * 64) / width) : Math.floor(st / width));
    const buckets = new Map<number, { step: number; value: number }[]>();
    for (const p of points) {
      const b = bucketOf(p.step);
      if (!buckets.has(b)) buckets.set(b, []);
      buckets.get(b)!.push(p);
    }
    const returnedByBucket = new Map<number, number[]>();
    for (const st of s.steps) {
      const b = bucketOf(st);
      if (!returnedByBucket.has(b)) returnedByBucket.set(b, []);
      returnedByBucket.get(b)!.push(st);
    }
    assert.equal(returnedByBucket.size, buckets.size, 'every bucket is represented');
    for (const [b, members] of buckets) {
      const got = new Set(returnedByBucket.get(b));
      const min = members.reduce((x, y) => (y.value < x.value ? y : x));
      const max = members.reduce((x, y) => (y.value > x.value ? y : x));
      assert.ok(got.has(members[0].step), `bucket ${b}: first kept`);
      assert.ok(got.has(members[members.length - 1].step), `bucket ${b}: last kept`);
      assert.ok(got.has(min.step), `bucket ${b}: min kept`);
      assert.ok(got.has(max.step), `bucket ${b}: max kept`);
      assert.ok(got.size <= 4, `bucket ${b}: at most 4 points`);
    }
  }
  // Short series come back whole.
  const short = tracking.runs.create({ experimentId: '0' });
  tracking.logBatch(short.info.runId, { metrics: [1, NaN, Infinity].map((value, step) => ({ key: 'k', value, timestamp: 5, step })), params: [], tags: [] });
  const [whole] = query.run({ runIds: [short.info.runId], keys: ['k'], maxPoints: 1000, x: 'time' }).series;
  assert.equal(whole.downsampled, false);
  assert.deepEqual(whole.x, [5, 5, 5]);
  assert.ok(Number.isNaN(whole.y[1]) && whole.y[2] === Infinity);
  tracking.close();
});

test('a zoomed step range is exact at the edges and comes back whole when small', () => {
  const tracking = TrackingStore.open(makeWorkspace());
  const run = tracking.runs.create({ experimentId: '0' });
  const points = series(5000, 3);
  for (let i = 0; i < points.length; i += 1000) {
    tracking.logBatch(run.info.runId, { metrics: points.slice(i, i + 1000).map((p) => ({ key: 'm', value: p.value, timestamp: p.step, step: p.step })), params: [], tags: [] });
  }
  const query = new SeriesQuery(tracking.store.db);
  const [zoom] = query.run({ runIds: [run.info.runId], keys: ['m'], maxPoints: 1000, x: 'step', startStep: 1234, endStep: 1900 }).series;
  assert.equal(zoom.downsampled, false);
  assert.equal(zoom.total, 667);
  assert.equal(zoom.steps[0], 1234);
  assert.equal(zoom.steps[zoom.steps.length - 1], 1900);
  const [wide] = query.run({ runIds: [run.info.runId], keys: ['m'], maxPoints: 200, x: 'step', startStep: 1001, endStep: 4010 }).series;
  assert.equal(wide.downsampled, true);
  assert.ok(wide.steps.every((st) => st >= 1001 && st <= 4010), 'no point outside the range');
  assert.equal(wide.steps[0], 1001);
  assert.equal(wide.steps[wide.steps.length - 1], 4010);
  tracking.close();
});

test('per-run step ranges (a zoom on a time axis) apply to their own run, and a range past the data is clamped to it', () => {
  const tracking = TrackingStore.open(makeWorkspace());
  const a = tracking.runs.create({ experimentId: '0' }).info.runId;
  const b = tracking.runs.create({ experimentId: '0' }).info.runId;
  const points = series(5000, 5);
  for (const runId of [a, b]) {
    for (let i = 0; i < points.length; i += 1000) {
      tracking.logBatch(runId, { metrics: points.slice(i, i + 1000).map((p) => ({ key: 'm', value: p.value, timestamp: 1000 + p.step, step: p.step })), params: [], tags: [] });
    }
  }
  const query = new SeriesQuery(tracking.store.db);
  const res = query.run({ runIds: [a, b], keys: ['m'], maxPoints: 400, x: 'time', startStep: 0, endStep: 99, runRanges: { [b]: { startStep: 2000, endStep: 2299 } } }).series;
  assert.equal(res.length, 2);
  assert.equal(res[0].total, 100, 'run a uses the shared range');
  assert.deepEqual([res[0].steps[0], res[0].steps.at(-1)], [0, 99]);
  assert.equal(res[1].total, 300, 'run b uses its own range, every point');
  assert.equal(res[1].downsampled, false);
  assert.deepEqual([res[1].steps[0], res[1].steps.at(-1), res[1].x[0]], [2000, 2299, 3000]);
  // Zoomed past the end of the data: the buckets span the steps that exist, not the empty range.
  const [past] = query.run({ runIds: [a], keys: ['m'], maxPoints: 400, x: 'step', startStep: 3000, endStep: 1_000_000_000 }).series;
  const [exact] = query.run({ runIds: [a], keys: ['m'], maxPoints: 400, x: 'step', startStep: 3000, endStep: 4999 }).series;
  assert.equal(past.total, 2000);
  assert.ok(past.x.length > 100, `the clamped range keeps its detail (${past.x.length} points)`);
  assert.deepEqual(past, exact);
  const [none] = query.run({ runIds: [a], keys: ['m'], maxPoints: 400, x: 'step', startStep: 6000, endStep: 7000 }).series;
  assert.equal(none.x.length, 0);
  tracking.close();
});

test('POST /api/v1/series answers many runs and keys in one request', async () => {
  const s = await startServer();
  try {
    const ids: string[] = [];
    for (let r = 0; r < 3; r++) {
      const id = (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
      ids.push(id);
      for (let i = 0; i < 3000; i += 1000) {
        const metrics = [];
        for (let st = i; st < i + 1000; st++) metrics.push({ key: st % 2 ? 'a' : 'b', value: Math.sin(st / 50) + r, timestamp: st, step: st });
        await s.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: id, metrics });
      }
    }
    const res = await s.api('POST', '/api/v1/series', { runIds: ids, keys: ['a', 'b', 'missing'], maxPoints: 100 });
    assert.equal(res.status, 200);
    assert.equal(res.body.series.length, 6);
    for (const series of res.body.series) assert.ok(series.x.length <= 100 && series.x.length > 10);
    const bad = await s.api('POST', '/api/v1/series', { runIds: [], keys: ['a'] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /runIds/);
    const ranged = await s.api('POST', '/api/v1/series', { runIds: ids, keys: ['a'], maxPoints: 100, x: 'time', runRanges: { [ids[1]]: { startStep: 11, endStep: 21 } } });
    assert.equal(ranged.status, 200);
    assert.deepEqual(ranged.body.series[1].steps, [11, 13, 15, 17, 19, 21]);
    const inverted = await s.api('POST', '/api/v1/series', { runIds: ids, keys: ['a'], runRanges: { [ids[0]]: { startStep: 5, endStep: 1 } } });
    assert.equal(inverted.status, 400);
    const table = await s.api('POST', '/api/v1/runs/table', { experimentIds: ['0'] });
    assert.equal(table.body.runs.length, 3);
    assert.deepEqual(table.body.columns.metrics, ['a', 'b']);
  } finally {
    await s.stop();
  }
});

test('the series JSON written on worker threads is exactly the series data, with NaN and Infinity as MLflow strings', async () => {
  const { seriesElementsJson, seriesResponseJson } = await import('../src/core/tracking/seriesJson');
  const tracking = TrackingStore.open(makeWorkspace());
  const ids: string[] = [];
  for (let r = 0; r < 3; r++) {
    const run = tracking.runs.create({ experimentId: '0' });
    ids.push(run.info.runId);
    const values = [0.5, NaN, Infinity, -Infinity, -0.25, 1e-9, 123456789.5];
    tracking.logBatch(run.info.runId, { metrics: values.map((value, step) => ({ key: 'val/loss k', value, timestamp: 1000 + step, step })), params: [], tags: [] });
  }
  const query = new SeriesQuery(tracking.store.db);
  for (const x of ['step', 'time'] as const) {
    const request = { runIds: ids, keys: ['val/loss k'], maxPoints: 1000, x };
    const expected = query.run(request).series.map((s) => {
      const { steps, ...rest } = { ...s, y: s.y.map((v) => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity')) };
      return x === 'time' ? { ...rest, steps } : rest; // with x = step, x is the steps
    });
    // Two parts joined, as two workers' answers are.
    const first = query.runPacked({ ...request, runIds: ids.slice(0, 1) });
    const rest = query.runPacked({ ...request, runIds: ids.slice(1) });
    const body = seriesResponseJson([Buffer.from(seriesElementsJson(first)), Buffer.from(''), Buffer.from(seriesElementsJson(rest))]);
    assert.deepEqual(JSON.parse(body.toString()), { series: expected });
  }
  assert.deepEqual(JSON.parse(seriesResponseJson([]).toString()), { series: [] });
  tracking.close();
});

test('GET /api/v1/summary counts experiments, runs and runs in progress', async () => {
  const s = await startServer();
  try {
    const id = (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
    await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
    await s.api('POST', '/api/2.0/mlflow/runs/update', { run_id: id, status: 'FINISHED' });
    const r = await s.api('GET', '/api/v1/summary');
    assert.deepEqual(r.body, { experiments: 1, runs: 2, running: 1 });
  } finally {
    await s.stop();
  }
});
