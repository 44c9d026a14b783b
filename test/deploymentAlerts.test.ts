import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { churnWorkspace } from './helpers/deploymentProcess';
import { seededRandom } from './helpers/seededRandom';
import { startServer, waitFor, type TestServer } from './helpers/testServer';
import type { DeploymentEvent } from '../src/protocol/deployments';
import type { MonitoringState } from '../src/protocol/monitoring';

// Alerts and closing the loop, through the backend: data set drift starting
// raises an alert on the event stream and runs the deployment's onDrift pipeline
// through the real CLI; within the cooldown a new start does not run it again; the
// editor's Retrain runs it on demand. GET …/monitoring keeps the history.

function rows(random: () => number, n: number, shift = 0): number[][] {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: n }, () => [40 + 10 * gauss() + shift, 50 + 15 * gauss() + 2 * shift, Math.floor(random() * 3), 24 + 8 * gauss() + shift]);
}

function deploymentEvents(server: TestServer): { events: DeploymentEvent[]; close(): void } {
  const events: DeploymentEvent[] = [];
  const u = new URL(server.url + '/api/v1/events');
  const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { Authorization: `Bearer ${server.token}` } }, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const data = block.find((l) => l.startsWith('data: '));
        if (block.includes('event: deployment') && data) events.push(JSON.parse(data.slice(6)) as DeploymentEvent);
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return { events, close: () => req.destroy() };
}

test('drift starting raises an alert and runs onDrift once per cooldown; Retrain runs it on demand; the history is kept', { timeout: 120_000 }, async () => {
  const workspace = await churnWorkspace();
  const random = seededRandom(11);
  writeFileSync(join(workspace, 'reference.csv'), `age,income,plan,tenure\n${rows(random, 1500).map((r) => r.join(',')).join('\n')}\n`);
  writeFileSync(join(workspace, 'retrain.pipeline.yaml'), "name: retrain\nsteps:\n  mark:\n    run: sh -c 'sleep 1; echo retrained >> retrained.txt'\n");
  const server = await startServer(workspace);
  const stream = deploymentEvents(server);
  try {
    const created = await server.api('POST', '/api/v1/deployments', {
      name: 'churn',
      variants: [{ name: 'champion', modelUri: 'models:/churn@champion', weight: 100 }],
      monitoring: { reference: 'reference.csv', window: { rows: 200 }, minRows: 100, recomputeSeconds: 0.2, onDrift: 'retrain.pipeline.yaml', cooldownMinutes: 60 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const url = created.body.deployment.url as string;
    const send = async (batch: number[][]) => {
      for (let i = 0; i < batch.length; i += 20) {
        const part = batch.slice(i, i + 20);
        const res = await fetch(`${url}/v2/models/churn/infer`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [part.length, 4], datatype: 'FP32', data: part.flat() }] }),
        });
        assert.equal(res.status, 200);
      }
    };
    const monitoring = async () => (await server.api('GET', '/api/v1/deployments/churn/monitoring')).body as MonitoringState;
    const alerts = () => stream.events.filter((e) => e.kind === 'alert').map((e) => e.alert!);

    await send(rows(random, 200));
    await waitFor('no drift on data like the reference', async () => ((await monitoring()).status === 'ok' ? true : undefined));

    await send(rows(random, 200, 12));
    const started = await waitFor('an alert', () => alerts().find((a) => a.kind === 'started'));
    assert.deepEqual(started.features, ['age', 'income', 'tenure']);
    assert.equal(started.retrain?.status, 'started', JSON.stringify(started));
    assert.equal(started.retrain?.pipeline, 'retrain.pipeline.yaml');
    const finished = await waitFor('the retraining run to finish', () => alerts().find((a) => a.kind === 'retrain' && a.retrain?.status === 'finished'), 60_000);
    assert.equal(finished.retrain?.exitCode, 0);
    assert.equal(readFileSync(join(workspace, 'retrained.txt'), 'utf8'), 'retrained\n');
    assert.match(readFileSync(join(workspace, '.mlops', 'deployments', 'churn', 'retrain.log'), 'utf8'), /mlops pipeline run retrain\.pipeline\.yaml \(drift in deployment churn\)/);

    // Back to normal, then drifting again within the cooldown: an alert, no second run.
    await send(rows(random, 200));
    await waitFor('the drift to end', () => alerts().find((a) => a.kind === 'ended'));
    await send(rows(random, 200, 12));
    const again = await waitFor('a second alert', () => alerts().filter((a) => a.kind === 'started')[1]);
    assert.equal(again.retrain?.status, 'cooldown');
    assert.match(again.retrain?.message ?? '', /cooldown allows the next run in 60 min/);

    // The editor's Retrain runs it now; a second one while it runs is refused.
    const manual = await server.api('POST', '/api/v1/deployments/churn/retrain', {});
    assert.equal(manual.status, 202, JSON.stringify(manual.body));
    assert.equal(manual.body.retrain.status, 'started');
    const busy = await server.api('POST', '/api/v1/deployments/churn/retrain', {});
    assert.equal(busy.status, 409);
    // The panel's Retrain button can say why it is disabled.
    const during = (await monitoring()).retrain;
    assert.equal(during?.available, false);
    assert.equal(during?.running, true);
    assert.match(during?.reason ?? '', /Retraining is running/);
    const outside = await server.api('POST', '/api/v1/deployments/churn/retrain', { pipeline: '../elsewhere.pipeline.yaml' });
    assert.ok(outside.status === 400 || outside.status === 409, JSON.stringify(outside.body));
    await waitFor('the manual run to finish', () => (alerts().filter((a) => a.kind === 'retrain' && a.retrain?.status === 'finished').length === 2 ? true : undefined), 60_000);
    assert.equal(readFileSync(join(workspace, 'retrained.txt'), 'utf8'), 'retrained\nretrained\n');
    // The log tells the drift's run from the one asked for.
    const runs = readFileSync(join(workspace, '.mlops', 'deployments', 'churn', 'retrain.log'), 'utf8').match(/\((drift in|on request for) deployment churn\) ===/g);
    assert.deepEqual(runs, ['(drift in deployment churn) ===', '(on request for deployment churn) ===']);
    // Counters come with the deployment's stats, every 2 s.
    const state = await waitFor('the stats to count every request', async () => {
      const s = await monitoring();
      return s.variants.champion?.requests === 40 ? s : undefined;
    });
    assert.equal(state.status, 'drift');
    assert.equal(state.reference?.rows, 1500);
    assert.deepEqual(state.retrain, { available: true, reason: null, pipeline: 'retrain.pipeline.yaml', running: false, cooldownUntil: state.lastRetrainAt! + 60 * 60_000 });
    assert.ok(state.history.length >= 4, `history: ${state.history.length}`);
    assert.ok(state.history.some((p) => p.datasetDrift) && state.history.some((p) => !p.datasetDrift));
    assert.deepEqual(
      state.alerts.map((a) => a.kind + (a.retrain ? `:${a.retrain.status}` : '')).filter((k) => k !== 'retrain:started'),
      ['started:started', 'retrain:finished', 'ended', 'started:cooldown', 'retrain:finished'],
    );
    assert.ok(state.traffic.length >= 1 && state.traffic.some((t) => t.rps > 0), JSON.stringify(state.traffic));
    const listed = (await server.api('GET', '/api/v1/deployments/churn')).body.deployment;
    assert.equal(listed.monitoring.status, 'drift');
    assert.deepEqual(listed.monitoring.driftedFeatures, ['age', 'income', 'tenure']);
    assert.ok(stream.events.some((e) => e.kind === 'changed' && e.deployment?.stats), 'stats arrive as events');

    const bad = await server.api('POST', '/api/v1/deployments', { name: 'x', variants: [{ name: 'champion', modelUri: 'models:/churn/1', weight: 100 }], monitoring: { window: { rows: 1 } } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /monitoring\.window\.rows/);
  } finally {
    stream.close();
    await server.stop();
  }
  assert.ok(!existsSync(join(workspace, 'elsewhere.pipeline.yaml')));
});
