import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { churnWorkspace, oipBody } from './helpers/deploymentProcess';
import { makeWorkspace, runCli, startServer, waitFor } from './helpers/testServer';
import type { DeploymentState } from '../src/protocol/deployments';
import { deploymentDetails, deploymentsTable, driftCell, latencyCells, requestsCell, variantsCell } from '../src/cli/commands/deploymentText';
import { servingExamples } from '../src/cli/commands/servingExamples';
import type { ModelVersionSummary } from '../src/protocol/native';

// `mlops deployments list | show | stop | restart` against a real backend and a
// real deployment, and what they say when no backend runs (without starting one).
// The deployment recomputes drift once an hour, so the window's row count it
// reports while waiting for rows comes from the worker as rows arrive.

test('mlops deployments without a backend says so and starts none', { timeout: 60_000 }, async () => {
  const ws = makeWorkspace('mlops-deployments-none-');
  const env = { MLOPS_WORKSPACE: ws };
  const list = await runCli(['deployments', 'list'], { cwd: ws, env });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /No deployments: no backend runs for .*, so no deployment does \(mlops serve models:\/NAME@ALIAS starts both\)/);
  const json = await runCli(['deployments', 'list', '--json'], { cwd: ws, env });
  assert.deepEqual(JSON.parse(json.stdout), []);
  const show = await runCli(['deployments', 'show', 'churn'], { cwd: ws, env });
  assert.equal(show.code, 1);
  assert.match(show.stderr, /mlops deployments show: no deployment named 'churn': no backend runs/);
  const stop = await runCli(['deployments', 'stop', 'churn'], { cwd: ws, env });
  assert.equal(stop.code, 1);
  // Serving from a folder without a store: said at once, nothing created.
  const serve = await runCli(['serve', 'models:/churn@champion', '--detach'], { cwd: ws, env });
  assert.equal(serve.code, 1);
  assert.match(serve.stderr, /no MLOps store in .*: models are registered per project folder\. Run mlops serve in your project/);
  assert.ok(!existsSync(join(ws, '.mlops')), 'nothing written, no backend started');

  const usage = await runCli(['deployments', 'show'], { cwd: ws, env });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /give a deployment's name/);
  const unknown = await runCli(['deployments', 'kill', 'x'], { cwd: ws, env });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown subcommand 'kill'/);
});

test('mlops deployments lists, shows, restarts (aliases resolved again) and stops a deployment; serve --recompute-seconds reaches its spec', { timeout: 180_000 }, async () => {
  const ws = await churnWorkspace();
  const rows = (n: number, seed: number) => Array.from({ length: n }, (_, i) => [30 + ((i * 7 + seed) % 30), 40 + ((i * 13 + seed) % 50), i % 3, 10 + ((i * 5 + seed) % 40)]);
  writeFileSync(join(ws, 'reference.csv'), `age,income,plan,tenure\n${rows(400, 1).map((r) => r.join(',')).join('\n')}\n`);
  const env = { MLOPS_WORKSPACE: ws };
  const cli = (...args: string[]) => runCli(args, { cwd: ws, env });

  // Flags checked before any backend starts, naming the flag.
  const tooOften = await cli('serve', 'models:/churn@champion', '--recompute-seconds', '0.1', '--detach');
  assert.equal(tooOften.code, 2);
  assert.match(tooOften.stderr, /--recompute-seconds 0\.1: too small: expected number to be >=0\.2/);
  const notANumber = await cli('serve', 'models:/churn@champion', '--recompute-seconds', 'soon', '--detach');
  assert.equal(notANumber.code, 2);
  assert.match(notANumber.stderr, /--recompute-seconds takes a number \(got 'soon'\)/);

  const server = await startServer(ws);
  try {
    const empty = await cli('deployments', 'list');
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /No deployments run in this workspace's backend/);

    const served = await cli('serve', 'models:/churn@champion', '--reference', 'reference.csv', '--window', '200', '--min-rows', '100', '--recompute-seconds', '3600', '--detach');
    assert.equal(served.code, 0, served.stderr + served.stdout);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(served.stdout)![1];

    const listed = JSON.parse((await cli('deployments', 'list', '--json')).stdout) as DeploymentState[];
    assert.equal(listed.length, 1);
    assert.equal(listed[0].spec.monitoring?.recomputeSeconds, 3600);
    assert.equal(listed[0].spec.monitoring?.reference, 'reference.csv', 'kept relative to the workspace, as shown');

    // 30 requests: the count shows while waiting, although drift is recomputed only hourly.
    await waitFor('the reference to load', async () => ((await server.api('GET', '/api/v1/deployments/churn/monitoring')).body.reference ? true : undefined), 30_000);
    const res = await fetch(`${url}/v2/models/churn/infer`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: oipBody(rows(30, 2)) });
    assert.equal(res.status, 200);
    const table = await waitFor('the waiting count in the table', async () => {
      const out = (await cli('deployments', 'list')).stdout;
      return /waiting 30\/100/.test(out) ? out : undefined;
    }, 30_000);
    const [header, , line] = table.split('\n');
    assert.match(header, /^NAME\s+STATUS\s+URL\s+VARIANTS\s+REQUESTS\s+P50\s+P99\s+DRIFT$/);
    assert.match(line, new RegExp(`^churn\\s+running\\s+${url.replace(/\./g, '\\.')}\\s+churn v1\\s+`));

    const show = await cli('deployments', 'show', 'churn');
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`^Deployment churn: running at ${url.replace(/\./g, '\\.')}`));
    assert.match(show.stdout, /variants\s+champion\s+churn v1 \(models:\/churn@champion\), 100% of requests/);
    assert.match(show.stdout, /monitoring\s+waiting: the window holds 30 of the 100 requests a verdict needs/);
    assert.match(show.stdout, /reference\s+.*reference\.csv \(400 rows\)/);
    assert.match(show.stdout, /recomputed at most every 3600 s/);
    const shown = JSON.parse((await cli('deployments', 'show', 'churn', '--json')).stdout);
    assert.equal(shown.deployment.name, 'churn');
    assert.equal(shown.monitoring.windowRows, 30);
    assert.equal(shown.monitoring.reference.rows, 400);
    assert.equal(shown.monitoring.retrain.available, true);
    assert.ok(!('history' in shown.monitoring) && !('traffic' in shown.monitoring), 'no series');

    // The monitoring route's query: the newest N points, or only what came after an answer.
    const whole = (await server.api('GET', '/api/v1/deployments/churn/monitoring')).body;
    assert.equal(whole.appended, false);
    const since = (await server.api('GET', `/api/v1/deployments/churn/monitoring?after=${whole.cursor}&traffic=5`)).body;
    assert.equal(since.appended, true);
    assert.ok(since.traffic.length <= 5);
    const none = (await server.api('GET', '/api/v1/deployments/churn/monitoring?history=0&traffic=0')).body;
    assert.deepEqual([none.history, none.traffic], [[], []]);
    for (const [query, message] of [
      ['history=-1', /Invalid value for 'history': a whole number of points, 0 or more \(e\.g\. history=720\)/],
      ['traffic=lots', /Invalid value for 'traffic': a whole number of points/],
      ['after=yesterday', /Invalid value for 'after': give the `cursor` of an earlier answer/],
      ['histroy=5', /Unknown query parameter histroy: this route takes history=N, traffic=N and after=CURSOR/],
    ] as const) {
      const bad = await server.api('GET', `/api/v1/deployments/churn/monitoring?${query}`);
      assert.equal(bad.status, 400, query);
      assert.match(bad.body.message, message);
    }

    const missing = await cli('deployments', 'show', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No deployment named 'nope' \(the deployments are 'churn'\)/);

    // Restart: the champion alias moved to version 2, so the redeploy serves it, in place.
    assert.equal((await cli('models', 'alias', 'churn', 'champion', '2')).code, 0);
    const restarted = await cli('deployments', 'restart', 'churn');
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.equal(restarted.stdout.trim(), `Redeployed churn at ${url}: champion churn v2 (was v1).`);
    const after = (await server.api('GET', '/api/v1/deployments/churn')).body.deployment as DeploymentState;
    assert.equal(after.variants[0].version, '2');
    assert.equal(after.url, url, 'same URL');

    const stopped = await cli('deployments', 'stop', 'churn');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /^Stopped deployment churn \(it served http:\/\/127\.0\.0\.1:\d+\)/);
    assert.equal((await server.api('GET', '/api/v1/deployments/churn')).status, 404);
    const gone = await cli('deployments', 'restart', 'churn');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No deployment named 'churn' \(none runs in this backend\)/);
  } finally {
    await server.stop();
  }
});

test('the table says a split, a shadow, what a deployment that never served was asked for, and where drift stands', () => {
  const spec: DeploymentState['spec'] = {
    name: 'churn',
    port: 0,
    auth: true,
    shadow: false,
    variants: [
      { name: 'champion', modelUri: 'models:/churn@champion', weight: 90 },
      { name: 'challenger', modelUri: 'models:/churn@challenger', weight: 10 },
    ],
    monitoring: { reference: 'training', window: { rows: 1000 }, minRows: 500, sampleRate: 1, maxRowsPerSecond: 5000, maxRecordedMiB: 64, recomputeSeconds: 5, driftShare: 0.5, cooldownMinutes: 60 },
  };
  const served = [
    { name: 'champion' as const, model: 'churn', version: '3', modelUri: 'models:/churn@champion', weight: 90 },
    { name: 'challenger' as const, model: 'churn', version: '4', modelUri: 'models:/churn@challenger', weight: 10 },
  ];
  const d: DeploymentState = { name: 'churn', spec, status: 'running', url: 'http://127.0.0.1:1', variants: served, pid: 1, restarts: 0, lastError: null, startedAt: 0, stats: null, monitoring: null };
  assert.equal(variantsCell(d), 'churn v3 90% / churn v4 10%');
  assert.equal(variantsCell({ ...d, spec: { ...spec, shadow: true } }), 'churn v3 + shadow churn v4');
  assert.equal(variantsCell({ ...d, variants: [] }), 'churn@champion / churn@challenger', 'never served: the URIs asked for');
  assert.equal(driftCell(d), 'off');
  const summary = { status: 'waiting' as const, message: null, driftedShare: null, driftedFeatures: [], windowRows: 120, at: null };
  assert.equal(driftCell({ ...d, spec: { ...spec, monitoring: { ...spec.monitoring!, window: { rows: 300 } } }, monitoring: summary }), 'waiting 120/300', 'minRows is at most the window');
  assert.equal(driftCell({ ...d, monitoring: { ...summary, status: 'drift', driftedFeatures: ['age', 'income'] } }), 'DRIFT: age, income');
});

test('serving examples: an OIP body from the signature, a DataFrame with the feature names, nothing for a large input', () => {
  const signature = { inputs: [{ name: 'float_input', elementType: 'float32', shape: ['N', 3] }], outputs: [] } as unknown as ModelVersionSummary['signature'];
  const features = { input: 'float_input', features: [{ name: 'b', index: 1, categorical: false }, { name: 'a', index: 0, categorical: false }, { name: 'c', index: 2, categorical: false }] } as unknown as ModelVersionSummary['features'];
  const lines = servingExamples({ signature, features }, { url: 'http://127.0.0.1:1', model: 'm', tokenLine: 'TOKEN=x' });
  assert.equal(lines[0], 'TOKEN=x');
  assert.match(lines[2], /"inputs":\[\{"name":"float_input","shape":\[1,3\],"datatype":"FP32","data":\[0,0,0\]\}\]/);
  assert.match(lines[4], /"dataframe_split":\{"columns":\["a","b","c"\],"data":\[\[0,0,0\]\]\}/);
  assert.deepEqual(servingExamples({ signature, features: null }, { url: 'u', model: 'm', tokenLine: undefined }).length, 2, 'no auth, no features: the OIP request alone');
  const image = { inputs: [{ name: 'x', elementType: 'float32', shape: [1, 3, 224, 224] }], outputs: [] } as unknown as ModelVersionSummary['signature'];
  assert.deepEqual(servingExamples({ signature: image, features: null }, { url: 'u', model: 'm', tokenLine: undefined }), []);
});

test('latency: this interval\'s while requests come, the last known with how long idle after, "–" before any; counts say "updating…" until the first arrive', () => {
  const now = 1_000_000;
  const spec: DeploymentState['spec'] = { name: 'churn', port: 0, auth: true, shadow: false, variants: [{ name: 'champion', modelUri: 'models:/churn@champion', weight: 100 }], monitoring: null };
  const stats = { type: 'stats' as const, requests: 120, errors: 0, inFlight: 0, p50Ms: 0.45, p99Ms: 1.2 };
  const base: DeploymentState = { name: 'churn', spec, status: 'running', url: 'http://127.0.0.1:1', variants: [{ name: 'champion', model: 'churn', version: '3', modelUri: 'models:/churn@champion', weight: 100 }], pid: 1, restarts: 0, lastError: null, startedAt: now - 60_000, stats, lastLatency: { p50Ms: 0.45, p99Ms: 1.2, at: now - 1_000 }, monitoring: null };
  const idle: DeploymentState = { ...base, stats: { ...stats, p50Ms: null, p99Ms: null }, lastLatency: { p50Ms: 0.45, p99Ms: 1.2, at: now - 12_000 } };

  assert.deepEqual(latencyCells(base, now), ['0.45 ms', '1.2 ms']);
  assert.deepEqual(latencyCells(idle, now), ['0.45 ms (idle 12s)', '1.2 ms (idle 12s)']);
  assert.deepEqual(latencyCells({ ...idle, lastLatency: null }, now), ['–', '–'], 'no request yet');
  assert.deepEqual(latencyCells({ ...idle, lastLatency: undefined }, now), ['–', '–'], 'an older backend without the field');
  assert.match(deploymentsTable([idle], now), /^churn\s+running\s+\S+\s+churn v3\s+120\s+0\.45 ms \(idle 12s\)\s+1\.2 ms \(idle 12s\)\s+off$/m);

  assert.match(deploymentDetails(base, undefined, now), /requests {5}120 \(0 errors, 0 in flight\); latency p50 0\.45 ms, p99 1\.2 ms$/m);
  assert.match(deploymentDetails(idle, undefined, now), /requests {5}120 \(0 errors, 0 in flight\); latency p50 0\.45 ms, p99 1\.2 ms \(idle 12s\)$/m);
  assert.match(deploymentDetails({ ...idle, lastLatency: null }, undefined, now), /requests {5}120 \(0 errors, 0 in flight\); no latency measured yet$/m);

  // Between the process's ready and its first counts.
  const unreported: DeploymentState = { ...base, stats: null, lastLatency: null };
  assert.equal(requestsCell(unreported), 'updating…');
  assert.match(deploymentDetails(unreported, undefined, now), /requests {5}updating… \(the process sends its counts as it starts, then every 2 s\)$/m);
  assert.doesNotMatch(deploymentDetails(unreported, undefined, now), /no counts yet/);
  assert.match(deploymentDetails({ ...unreported, status: 'starting', url: null, variants: [] }, undefined, now), /requests {5}none: the deployment is starting$/m);
  assert.equal(requestsCell({ ...unreported, status: 'starting' }), '');
  assert.deepEqual(latencyCells({ ...unreported, status: 'starting' }, now), ['', '']);
});
