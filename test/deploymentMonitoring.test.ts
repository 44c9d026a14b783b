import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { churnWorkspace, oipBody, parseMetrics, spec, startDeployment, type Deployment } from './helpers/deploymentProcess';
import { seededRandom } from './helpers/seededRandom';
import type { FromDeploymentProcess } from '../src/protocol/deployments';

// Live monitoring inside a real deployment process: requests are recorded to disk
// and windowed, drift against a reference CSV is recomputed as they arrive, and
// shows on /metrics. The churn models take 4 features: age, income, plan, tenure.

const FEATURES = ['age', 'income', 'plan', 'tenure'];

function normalRows(random: () => number, n: number, shift: number[] = [0, 0, 0, 0]): number[][] {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: n }, () => [40 + 10 * gauss() + shift[0], 50 + 15 * gauss() + shift[1], Math.floor(random() * 3) + shift[2], 24 + 8 * gauss() + shift[3]]);
}

function writeReference(workspace: string, rows: number[][]): void {
  writeFileSync(join(workspace, 'reference.csv'), `${FEATURES.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`);
}

async function send(d: Deployment, rows: number[][], perRequest = 10): Promise<void> {
  for (let i = 0; i < rows.length; i += perRequest) {
    const res = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody(rows.slice(i, i + perRequest)) });
    assert.equal(res.status, 200, await res.text());
  }
}

/** The first drift message after `since` that satisfies `until`. */
async function driftUntil(d: Deployment, since: number, until: (m: Extract<FromDeploymentProcess, { type: 'drift' }>) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = d.messages.slice(since).find((m): m is Extract<FromDeploymentProcess, { type: 'drift' }> => m.type === 'drift' && until(m));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching drift within ${timeoutMs} ms: ${JSON.stringify(d.messages.filter((m) => m.type !== 'stats').slice(-5))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const MONITORING = { reference: 'reference.csv', window: { rows: 300 }, minRows: 100, sampleRate: 1, maxRowsPerSecond: 5000, maxRecordedMiB: 64, recomputeSeconds: 0.2, driftShare: 0.5, cooldownMinutes: 60 };

test('a deployment records its requests, computes drift against the reference as they arrive, and shows it on /metrics', { timeout: 90_000 }, async () => {
  const workspace = await churnWorkspace();
  const random = seededRandom(7);
  writeReference(workspace, normalRows(random, 2000));
  const d = await startDeployment(workspace, spec({ monitoring: MONITORING }));
  try {
    const reference = await d.next('reference');
    assert.equal(reference.info.rows, 2000);
    assert.deepEqual(reference.info.features.map((f) => f.name), FEATURES);
    // More than 1000 reference rows: Evidently's distances (plan has 3 values: Jensen-Shannon).
    assert.deepEqual(reference.info.features.map((f) => f.test), ['wasserstein', 'wasserstein', 'jensenshannon', 'wasserstein']);

    const waiting = await d.next('monitoring', d.messages.indexOf(reference));
    assert.equal(waiting.status, 'waiting');

    let since = d.messages.length;
    await send(d, normalRows(random, 300));
    const calm = await driftUntil(d, since, (m) => m.snapshot.windowRows === 300);
    assert.equal(calm.snapshot.datasetDrift, false, JSON.stringify(calm.snapshot.features));
    assert.equal(calm.snapshot.driftedCount, 0);
    assert.ok(calm.snapshot.prediction, 'the single-output model gets prediction drift');
    assert.equal(calm.snapshot.prediction!.drifted, false);
    const age = calm.snapshot.distributions.age;
    assert.equal(age.kind, 'numerical');
    assert.ok(Math.abs(age.reference.reduce((a, b) => a + b, 0) - 1) < 1e-3 && Math.abs(age.current.reduce((a, b) => a + b, 0) - 1) < 1e-3, 'shares sum to 1');

    // The population moves: older, richer, longer tenure. The window (300 rows) fills with it.
    since = d.messages.length;
    await send(d, normalRows(random, 300, [15, 30, 0, 16]));
    const shifted = await driftUntil(d, since, (m) => m.snapshot.datasetDrift);
    const drifted = shifted.snapshot.features.filter((f) => f.drifted).map((f) => f.feature);
    assert.deepEqual(drifted, ['age', 'income', 'tenure']);
    assert.equal(shifted.snapshot.features.find((f) => f.feature === 'plan')!.drifted, false);
    assert.equal(shifted.snapshot.prediction!.drifted, true, 'the predictions moved with the inputs');

    const metrics = parseMetrics(await (await d.request('/metrics')).text());
    assert.equal(metrics.get('mlops_dataset_drift'), 1);
    assert.equal(metrics.get('mlops_drift_detected{feature="income"}'), 1);
    assert.equal(metrics.get('mlops_drift_detected{feature="plan"}'), 0);
    assert.ok((metrics.get('mlops_drift_score{feature="age",test="wasserstein",score_kind="statistic"}') ?? 0) > 0.1);

    // Recorded on disk as JSON Lines, every request row with its prediction.
    const dir = join(workspace, '.mlops', 'deployments', 'churn-svc', 'requests');
    const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
    assert.equal(lines.length, 600);
    const last = JSON.parse(lines[599]) as { at: number; variant: string; features: Record<string, number>; prediction: number };
    assert.equal(last.variant, 'champion');
    assert.deepEqual(Object.keys(last.features), FEATURES);
    assert.ok(typeof last.prediction === 'number' && last.prediction >= 0 && last.prediction <= 1, 'the positive-class probability');
  } finally {
    await d.stop();
  }

  // A restart starts from the recorded window: a verdict before any new request.
  const again = await startDeployment(workspace, spec({ monitoring: MONITORING }));
  try {
    const first = await driftUntil(again, 0, () => true);
    assert.equal(first.snapshot.windowRows, 300);
    assert.equal(first.snapshot.datasetDrift, true);
  } finally {
    await again.stop();
  }
});

test('monitoring says why it is off: no reference logged with the run, a missing file, a reference without the features', { timeout: 60_000 }, async () => {
  const workspace = await churnWorkspace();
  writeFileSync(join(workspace, 'other.csv'), 'a,b\n1,2\n');
  const cases: [unknown, RegExp][] = [
    [{ ...MONITORING, reference: 'training' }, /registered without a run.*mw\.log_dataset/],
    [{ ...MONITORING, reference: 'nope.csv' }, /nope\.csv does not exist/],
    [{ ...MONITORING, reference: '../outside.csv' }, /outside the workspace/],
  ];
  for (const [monitoring, expected] of cases) {
    const d = await startDeployment(workspace, spec({ monitoring: monitoring as never }));
    try {
      const m = await d.next('monitoring');
      assert.equal(m.status, 'off');
      assert.match(m.message ?? '', expected);
      // Serving goes on.
      assert.equal((await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([[1, 2, 3, 4]]) })).status, 200);
    } finally {
      await d.stop();
    }
  }
  const d = await startDeployment(workspace, spec({ monitoring: { ...MONITORING, reference: 'other.csv' } }));
  try {
    const m = await d.next('monitoring', 0);
    const error = m.status === 'error' ? m : await d.next('monitoring', d.messages.indexOf(m) + 1);
    assert.equal(error.status, 'error');
    assert.match(error.message ?? '', /has no column 'age', 'income', 'plan', 'tenure' \(its columns: a, b\)/);
  } finally {
    await d.stop();
  }
});

test('while waiting for rows, the window\'s count is reported as requests arrive, not only when drift is recomputed', { timeout: 60_000 }, async () => {
  const workspace = await churnWorkspace();
  const random = seededRandom(5);
  writeReference(workspace, normalRows(random, 500));
  // Drift recomputed once an hour: any count after the first must come from the rows arriving.
  const d = await startDeployment(workspace, spec({ monitoring: { ...MONITORING, minRows: 200, recomputeSeconds: 3600 } }));
  try {
    await d.next('reference');
    for (const expected of [30, 60, 90]) {
      const since = d.messages.length;
      await send(d, normalRows(random, 30));
      const deadline = Date.now() + 20_000;
      for (;;) {
        const counted = d.messages.slice(since).find((m) => m.type === 'monitoring' && m.windowRows === expected);
        if (counted && counted.type === 'monitoring') {
          assert.equal(counted.status, 'waiting');
          assert.equal(counted.message, `${expected} of the 200 requests needed in the window; ${200 - expected} more to go`);
          break;
        }
        if (Date.now() > deadline) throw new Error(`no count of ${expected}: ${JSON.stringify(d.messages.filter((m) => m.type === 'monitoring').slice(-3))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(!d.messages.some((m) => m.type === 'drift'), 'no verdict below minRows');
  } finally {
    await d.stop();
  }
});
