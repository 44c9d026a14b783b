import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestLog, RowWindow, liveDrift, parseDataFile, parseJsonlColumns, prepareReference, distributionsOf } from '../src/core/monitoring';
import { featureLayout } from '../src/core/serving/featureRows';
import type { NamedTensors } from '../src/core/serving/tensorTypes';
import { seededRandom } from './helpers/seededRandom';
import { RecordSampler } from '../src/server/deployment/recordSampler';

// The pieces of live monitoring, without processes: the bounded request log, the
// row window, JSON Lines data sets, chart distributions and reading feature rows
// out of served tensors.

const row = (at: number, x: number) => ({ at, variant: 'champion', features: { x, y: x * 2 }, prediction: x / 10 });

test('the request log keeps at most its bound on disk, dropping the oldest segments, and reads the newest rows back in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-reqlog-'));
  const log = new RequestLog(dir, 256 * 1024); // segments of 64 KiB (the minimum)
  for (let batch = 0; batch < 100; batch++) log.append(Array.from({ length: 100 }, (_, i) => row(batch * 100 + i, batch * 100 + i)));
  const onDisk = readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
  assert.ok(onDisk <= 256 * 1024 + 64 * 1024, `bounded: ${onDisk} bytes`);
  assert.ok(log.rows < 10_000 && log.rows > 1000, `${log.rows} rows kept`);
  const recent = log.recent(500);
  assert.equal(recent.length, 500);
  assert.deepEqual(recent.map((r) => r.at), Array.from({ length: 500 }, (_, i) => 9500 + i), 'the newest, oldest first');
  assert.deepEqual(log.recent(10, 9995).map((r) => r.at), [9995, 9996, 9997, 9998, 9999], 'none before `since`');
  // Reopened, it counts what is there and goes on numbering segments.
  const reopened = new RequestLog(dir, 256 * 1024);
  assert.equal(reopened.rows, log.rows);
  reopened.append([row(10_000, 1)]);
  assert.equal(reopened.recent(1)[0].at, 10_000);
});

test('the row window keeps the last N rows and reads them as columns, limited by time when asked', () => {
  const w = new RowWindow(['a', 'b'], 3);
  w.add([1, 10, 2, 20], [0.1, 0.2], [1000, 2000], 2);
  w.add([3, 30, 4, 40], undefined, [3000, 4000], 2);
  const all = w.read();
  assert.equal(all.rows, 3);
  assert.deepEqual(Array.from(all.columns.a as Float64Array), [2, 3, 4]);
  assert.deepEqual(Array.from(all.columns.b as Float64Array), [20, 30, 40]);
  assert.deepEqual(Array.from(all.prediction).map((p) => (Number.isNaN(p) ? null : p)), [0.2, null, null]);
  assert.deepEqual([all.from, all.to], [2000, 4000]);
  assert.deepEqual(Array.from(w.read(3000).columns.a as Float64Array), [3, 4]);
  assert.equal(w.added, 4);
  assert.deepEqual([w.count(), w.count(3000), w.count(5000)], [3, 2, 0], 'counted as read() would, without copying');
});

test('JSON Lines data sets: keys are columns, recorded requests are flattened, errors name the line', () => {
  const text = '{"at":1,"variant":"champion","features":{"age":30,"plan":"pro"},"prediction":0.7}\n{"at":2,"variant":"champion","features":{"age":null,"plan":"free"}}\n';
  const parsed = parseJsonlColumns(Buffer.from(text));
  assert.deepEqual(parsed.header, ['age', 'plan', 'prediction']);
  assert.equal(parsed.rows, 2);
  assert.deepEqual(parsed.types, { age: 'numerical', plan: 'categorical', prediction: 'numerical' });
  assert.ok(Number.isNaN((parsed.columns.age as Float64Array)[1]));
  assert.deepEqual(parsed.columns.plan, ['pro', 'free']);
  assert.throws(() => parseJsonlColumns(Buffer.from('{"a":1}\nnot json\n')), /line 2 is not JSON/);
  assert.throws(() => parseJsonlColumns(Buffer.from('[1,2]\n')), /line 1 is not a JSON object/);
  assert.throws(() => parseJsonlColumns(Buffer.from('{"a":"x"}\n'), { types: { a: 'numerical' } }), /column 'a' is declared numerical but row 1 holds "x"/);
  // Chosen by the file name; a numeric category reads like a CSV's (text).
  assert.deepEqual(parseDataFile(Buffer.from('{"plan":1}\n'), 'requests.jsonl', { types: { plan: 'categorical' } }).columns.plan, ['1']);
  assert.equal(parseDataFile(Buffer.from('a\n1\n'), 'ref.csv').rows, 1);
});

test('live drift waits for enough rows, then tests every feature and the prediction, with distributions that sum to one', () => {
  const random = seededRandom(3);
  const n = 2000;
  const ref = { x: Float64Array.from({ length: n }, () => random() * 10), c: Array.from({ length: n }, () => Math.floor(random() * 3)) };
  const reference = prepareReference(ref, [{ name: 'x', type: 'numerical' }, { name: 'c', type: 'categorical' }]);
  const window = new RowWindow(['x', 'c'], 1000);
  const add = (count: number, shift: number) => {
    const values = Float64Array.from({ length: count * 2 }, (_, i) => (i % 2 === 0 ? random() * 10 + shift : Math.floor(random() * 3)));
    window.add(values, Float64Array.from({ length: count }, (_, i) => values[i * 2] / 10), new Float64Array(count).fill(Date.now()), count);
  };
  add(50, 0);
  assert.deepEqual(liveDrift(reference, undefined, window, { driftShare: 0.5, minRows: 100 }), { kind: 'waiting', windowRows: 50 });
  add(950, 5);
  const result = liveDrift(reference, undefined, window, { driftShare: 0.5, minRows: 100 });
  assert.equal(result.kind, 'snapshot');
  if (result.kind !== 'snapshot') return;
  const s = result.snapshot;
  assert.deepEqual(s.features.map((f) => [f.feature, f.test, f.drifted]), [['x', 'wasserstein', true], ['c', 'jensenshannon', false]]);
  assert.equal(s.datasetDrift, true, 'one of two features is half: drift at drift_share 0.5');
  assert.equal(s.prediction, null, 'no prediction reference given');
  const x = s.distributions.x;
  assert.equal(x.kind, 'numerical');
  if (x.kind === 'numerical') {
    assert.equal(x.edges.length, 21);
    assert.ok(Math.abs(x.current.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  }
  const c = distributionsOf(reference.features[1], [0, 1, 2, 2]);
  assert.deepEqual(c.kind === 'categorical' && c.categories, ['0', '1', '2']);
  assert.deepEqual(c.current, [0.25, 0.25, 0.5]);
});

test('feature rows: a single tensor named by the feature schema, one-column inputs by their names, the prediction by the rule', () => {
  const schema = { input: 'float_input', features: [{ name: 'b', categorical: false, index: 1 }, { name: 'a', categorical: true, index: 0 }] };
  const signature = {
    inputs: [{ name: 'float_input', type: 'float32' as const, shape: ['N', 2] }],
    outputs: [{ name: 'label', type: 'int64' as const, shape: ['N'] }, { name: 'probabilities', type: 'float32' as const, shape: ['N', 2] }],
  };
  const layout = featureLayout(signature, schema);
  assert.ok(layout.ok);
  if (!layout.ok) return;
  assert.deepEqual(layout.layout.names, ['a', 'b'], 'in tensor column order');
  assert.deepEqual(layout.layout.categorical, [true, false]);
  const feeds: NamedTensors = { float_input: { type: 'float32', dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } };
  const results: NamedTensors = {
    label: { type: 'int64', dims: [2], data: BigInt64Array.from([0n, 1n]) },
    probabilities: { type: 'float32', dims: [2, 2], data: Float32Array.from([0.75, 0.25, 0.5, 0.5]) },
  };
  const rows = layout.layout.read(feeds, results)!;
  assert.deepEqual(Array.from(rows.values), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(rows.predictions!), [0.25, 0.5], 'the positive class probability');
  const built = layout.layout.feeds(Float64Array.from([5, 6]), 1);
  assert.deepEqual([built.float_input.dims, Array.from(built.float_input.data as Float32Array)], [[1, 2], [5, 6]]);

  const wide = featureLayout(signature, undefined);
  assert.equal(wide.ok, false);
  assert.match(!wide.ok ? wide.error : '', /input 'float_input' has 2 columns and the version has no feature schema.*--features/);

  const columnar = featureLayout({ inputs: [{ name: 'age', type: 'int64', shape: ['N', 1] }, { name: 'income', type: 'float64', shape: ['N'] }], outputs: [{ name: 'y', type: 'float32', shape: ['N', 1] }] }, undefined);
  assert.ok(columnar.ok);
  if (!columnar.ok) return;
  const read = columnar.layout.read(
    { age: { type: 'int64', dims: [2, 1], data: BigInt64Array.from([30n, 40n]) }, income: { type: 'float64', dims: [2], data: Float64Array.from([1.5, 2.5]) } },
    { y: { type: 'float32', dims: [2, 1], data: Float32Array.from([0.5, 0.25]) } },
  )!;
  assert.deepEqual(Array.from(read.values), [30, 1.5, 40, 2.5]);
  assert.deepEqual(Array.from(read.predictions!), [0.5, 0.25]);
});

test('recording samples evenly down to its rate: all of a quiet second, about the limit of a busy one, never past it in a burst', () => {
  const rand = seededRandom(3);
  const sampler = new RecordSampler(1, 1000, rand);
  // A quiet second: 300 single-row requests, all recorded.
  let recorded = 0;
  for (let i = 0; i < 300; i++) if (sampler.admit(1, 10_000 + i)) recorded++;
  assert.equal(recorded, 300);
  // The next second brings 20,000 requests: the first of them are still judged by the quiet one, and the burst stops at the limit.
  recorded = 0;
  for (let i = 0; i < 20_000; i++) if (sampler.admit(1, 11_000 + i / 20)) recorded++;
  assert.equal(recorded, 1000);
  // A second as busy as the last: about 1000 recorded, spread over the whole second (not its first requests).
  const times: number[] = [];
  for (let i = 0; i < 20_000; i++) if (sampler.admit(1, 12_000 + i / 20)) times.push(i / 20);
  assert.ok(times.length > 900 && times.length <= 1000, `${times.length} recorded`);
  assert.ok(times.filter((t) => t >= 500).length > 400, 'the second half of the second is sampled too');
  // One request larger than the limit is still recorded when it comes first; after a gap, everything again.
  assert.equal(sampler.admit(5000, 20_000), true);
  assert.equal(sampler.admit(1, 20_001), false);
  assert.equal(sampler.admit(1, 22_000), true);
  // sampleRate applies below the limit too.
  const half = new RecordSampler(0.5, 1000, seededRandom(5));
  let kept = 0;
  for (let i = 0; i < 600; i++) if (half.admit(1, 30_000 + i)) kept++;
  assert.ok(kept > 240 && kept < 360, `${kept} of 600 at 0.5`);
});
