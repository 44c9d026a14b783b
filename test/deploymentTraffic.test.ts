// A/B traffic: the split follows the weights, a sticky key always lands on the
// same variant, and in shadow mode the champion answers while the challenger's
// copy is only counted.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { churnWorkspace, oipBody, parseMetrics, registerModel, spec, startDeployment, waitForMetric } from './helpers/deploymentProcess';
import { wideLinearModel } from './helpers/onnxModels';

const row = [1, 2, 3, 4];
let workspace: string;
before(async () => {
  workspace = await churnWorkspace();
});

const abSpec = (championWeight: number, challengerWeight: number) =>
  spec({
    variants: [
      { name: 'champion', modelUri: 'models:/churn@champion', weight: championWeight },
      { name: 'challenger', modelUri: 'models:/churn@challenger', weight: challengerWeight },
    ],
  });

/** Sends `count` OIP requests over `clients` connections; returns the variant header of each. */
async function send(url: (i: number) => Promise<Response>, count: number, clients = 8): Promise<string[]> {
  const variants: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const res = await url(next++);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        variants.push(res.headers.get('x-mlops-variant') ?? '');
      }
    }),
  );
  return variants;
}

test('a 90/10 split sends about 10% to the challenger (binomial, 5 sigma) and each answer names its version', async () => {
  const d = await startDeployment(workspace, abSpec(90, 10));
  try {
    const n = 2000;
    const seen = new Map<string, string>();
    const variants = await send(async (i) => {
      const res = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) });
      const body = await res.clone().json();
      seen.set(res.headers.get('x-mlops-variant')!, `${res.headers.get('x-mlops-model-version')} ${body.model_name}/${body.model_version}`);
      return res;
    }, n);
    const challenger = variants.filter((v) => v === 'challenger').length;
    const expected = n * 0.1;
    const sigma = Math.sqrt(n * 0.1 * 0.9);
    assert.ok(Math.abs(challenger - expected) < 5 * sigma, `challenger answered ${challenger} of ${n}`);
    assert.equal(seen.get('champion'), 'churn/1 churn/1');
    assert.equal(seen.get('challenger'), 'churn/2 churn/2');
  } finally {
    await d.stop();
  }
});

test('a sticky key (X-MLOps-Sticky-Key or X-User-Id) always gets the same variant', async () => {
  const d = await startDeployment(workspace, abSpec(50, 50));
  try {
    const byUser = new Map<string, Set<string>>();
    for (let user = 0; user < 40; user++) {
      for (let i = 0; i < 5; i++) {
        const header: Record<string, string> = i % 2 ? { 'X-User-Id': `user-${user}` } : { 'X-MLOps-Sticky-Key': `user-${user}` };
        const res = await d.request('/invocations', { method: 'POST', body: JSON.stringify({ inputs: [row] }), headers: { 'Content-Type': 'application/json', ...header } });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        const set = byUser.get(`user-${user}`) ?? new Set();
        set.add(res.headers.get('x-mlops-variant')!);
        byUser.set(`user-${user}`, set);
      }
    }
    for (const [user, set] of byUser) assert.equal(set.size, 1, `${user} saw ${[...set].join(' and ')}`);
    // 40 users at 50/50: both arms get some (all on one arm has probability 2^-39).
    const arms = new Set([...byUser.values()].map((s) => [...s][0]));
    assert.deepEqual([...arms].sort(), ['challenger', 'champion']);
  } finally {
    await d.stop();
  }
});

test('shadow mode: the champion answers every request; the challenger gets a copy, counted in metrics only', async () => {
  const d = await startDeployment(workspace, { ...abSpec(100, 0), shadow: true });
  try {
    const n = 200;
    const variants = await send(() => d.request('/v1/models/churn:predict', { method: 'POST', body: JSON.stringify({ instances: [row] }) }), n, 4);
    assert.ok(variants.every((v) => v === 'champion'));
    const key = 'mlops_requests_total{model="churn",version="2",variant="challenger",protocol="kserve_v1",status="200"}';
    const metrics = await waitForMetric(d, key, n);
    assert.equal(metrics.get('mlops_requests_total{model="churn",version="1",variant="champion",protocol="kserve_v1",status="200"}'), n);
    assert.ok((metrics.get('mlops_request_duration_seconds_count{variant="challenger",protocol="kserve_v1"}') ?? 0) >= n);
    // Feedback on a shadowed request scores both variants.
    const res = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]), headers: { 'X-Request-Id': 'shadowed' } });
    assert.equal(res.headers.get('x-mlops-variant'), 'champion');
    await waitForMetric(d, 'mlops_requests_total{model="churn",version="2",variant="challenger",protocol="oip",status="200"}', 1);
    const fb = await (await d.request('/v1/feedback', { method: 'POST', body: JSON.stringify({ request_id: 'shadowed', label: 1 }) })).json();
    assert.deepEqual(fb.variants.sort(), ['challenger', 'champion']);
    const after = parseMetrics(await (await d.request('/metrics')).text());
    assert.equal(after.get('mlops_feedback_total{variant="challenger"}'), 1);
  } finally {
    await d.stop();
  }
});

test('a challenger from another registered model: the champion\'s name is split, the challenger\'s name pins it', async () => {
  const ws = await churnWorkspace();
  await registerModel(ws, 'churn_wide', wideLinearModel(4));
  const d = await startDeployment(ws, spec({ variants: [{ name: 'champion', modelUri: 'models:/churn/1', weight: 50 }, { name: 'challenger', modelUri: 'models:/churn_wide/1', weight: 50 }] }));
  try {
    const split = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const res = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([row]) });
      split.add(`${res.headers.get('x-mlops-variant')} ${(await res.json()).model_name}`);
    }
    assert.deepEqual([...split].sort(), ['challenger churn_wide', 'champion churn']);
    for (const path of ['/v2/models/churn_wide/infer', '/v2/models/churn_wide/versions/1/infer']) {
      for (let i = 0; i < 10; i++) {
        const res = await d.request(path, { method: 'POST', body: oipBody([row]) });
        assert.equal(res.headers.get('x-mlops-model-version'), 'churn_wide/1', path);
        await res.arrayBuffer();
      }
    }
    const pinned = await d.request('/v2/models/churn/versions/1/infer', { method: 'POST', body: oipBody([row]) });
    assert.equal(pinned.headers.get('x-mlops-model-version'), 'churn/1');
    assert.equal((await d.request('/v2/models/churn_wide')).status, 200);
  } finally {
    await d.stop();
  }
});
