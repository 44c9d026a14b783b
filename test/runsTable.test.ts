import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import type { MetricPoint } from '../src/core/tracking/types';
import { RunsTableQuery, compileRunsTable } from '../src/core/tracking/runsTableQuery';
import { decodePageToken } from '../src/core/tracking/pageToken';
import { runsTableRequest } from '../src/protocol/native';
import { makeWorkspace, startServer, type TestServer } from './helpers/testServer';

// POST /api/v1/runs/table is answered on worker threads from SQL-built JSON
// (runsTableQuery.ts). The server started with MLOPS_RUNS_TABLE_LEGACY=1 answers
// as before (full runs serialised on the main thread): both must agree.

const WEIRD = 'quote " backslash \\ newline \n tab \t nul-ish \u0001 emoji 🚀 accents éß 中文 \u2028';

interface Fixture {
  workspace: string;
  experiments: { a: string; b: string; empty: string };
}

/** A store with what a table meets: deleted runs, NaN/Inf, runs without metrics, odd keys and values, several experiments. */
function varied(): Fixture {
  const workspace = makeWorkspace('mlops-table-');
  const tracking = TrackingStore.open(workspace);
  try {
    const a = tracking.experiments.create('table-a');
    const b = tracking.experiments.create('table-b');
    const empty = tracking.experiments.create('table-empty');
    const values = [0.5, NaN, Infinity, -Infinity, 0, -0, 1e-300, 0.1 + 0.2, 123456789.123456789, -42, 1e21, 5e-324, 1 / 3];
    for (let r = 0; r < 26; r++) {
      const experimentId = r % 3 === 0 ? b : r % 7 === 0 ? '0' : a;
      const run = tracking.runs.create({ experimentId, runName: r % 5 === 0 ? `run ${WEIRD} ${r}` : `run-${r}`, startTime: r % 6 === 0 ? 1_700_000_000_000 : 1_700_000_000_000 + r * 1000, userId: r % 4 ? 'alice' : '' });
      const runId = run.info.runId;
      const params = r % 4 === 3 ? [] : [{ key: 'lr', value: String(0.1 * (r % 3)) }, { key: 'optimizer', value: r % 2 ? 'adam' : 'sgd' }, { key: '10', value: 'numeric key' }, { key: 'p name/with.dots-and space', value: WEIRD }];
      const tags = r % 5 === 4 ? [] : [{ key: 'team', value: r % 2 ? 'x' : 'y' }, { key: '2', value: 'numeric tag key' }, { key: 'note', value: WEIRD }];
      const metrics: MetricPoint[] = [];
      if (r % 4 !== 1) {
        // Several points per series: the latest (highest step) is what the table shows.
        for (let step = 0; step < 3; step++) {
          metrics.push({ key: 'loss', value: step === 2 ? values[r % values.length] : 99, timestamp: 1000 + step, step });
          metrics.push({ key: 'acc', value: step === 2 ? values[(r + 5) % values.length] : -1, timestamp: 1000 + step, step });
        }
        if (r % 2) metrics.push({ key: 'val/loss 2', value: values[(r + 2) % values.length], timestamp: 5, step: 0 });
      }
      tracking.logBatch(runId, { metrics, params, tags });
      // A series with no points yet (another writer's transaction in between) is not a column.
      if (r % 8 === 2) tracking.store.db.prepare(`INSERT INTO metric_series (run_uuid, key) VALUES (?, 'no points yet')`).run(runId);
      if (r % 3 === 1) tracking.runs.update(runId, { status: 'FINISHED', endTime: 1_700_000_100_000 + r });
      if (r % 6 === 5) tracking.runs.setLifecycle(runId, 'deleted');
    }
    return { workspace, experiments: { a, b, empty } };
  } finally {
    tracking.close();
  }
}

function requests(f: Fixture): Record<string, unknown>[] {
  const { a, b, empty } = f.experiments;
  const out: Record<string, unknown>[] = [];
  for (const viewType of [undefined, 'ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']) {
    for (const experimentIds of [[a], [a, b], [a, b, '0', empty], [empty], ['999']]) {
      out.push({ experimentIds, viewType });
    }
  }
  const all = [a, b, '0'];
  out.push({ experimentIds: all, filter: 'metrics.loss > 0.2', viewType: 'ALL' });
  out.push({ experimentIds: all, filter: `params.optimizer = 'adam' and tags.team = 'x'` });
  out.push({ experimentIds: all, filter: 'attributes.status = "FINISHED"' });
  out.push({ experimentIds: all, orderBy: ['metrics.loss DESC'], viewType: 'ALL' });
  out.push({ experimentIds: all, orderBy: ['params.lr ASC', 'attributes.run_name DESC'] });
  out.push({ experimentIds: all, orderBy: ['attributes.start_time DESC'], maxResults: 4 });
  return out;
}

/** Every page of a request, following nextPageToken. */
async function pages(s: TestServer, request: Record<string, unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  let pageToken: string | undefined;
  do {
    const res = await s.api('POST', '/api/v1/runs/table', { ...request, pageToken });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    out.push(res.body);
    pageToken = res.body.nextPageToken;
  } while (pageToken && out.length < 50);
  return out;
}

async function answers(workspace: string, legacy: boolean, list: Record<string, unknown>[]): Promise<unknown[][]> {
  const s = await startServer(workspace, [], legacy ? { MLOPS_RUNS_TABLE_LEGACY: '1' } : {});
  try {
    const out: unknown[][] = [];
    for (const request of list) out.push(await pages(s, request));
    return out;
  } finally {
    await s.stop();
  }
}

test('the runs table answers exactly what it answered before the table workers, for a varied store', async () => {
  const f = varied();
  const list = requests(f);
  const before = await answers(f.workspace, true, list);
  const after = await answers(f.workspace, false, list);
  for (let i = 0; i < list.length; i++) assert.deepStrictEqual(after[i], before[i], `request ${JSON.stringify(list[i])}`);

  // On the calling thread (a run without the worker bundle), the same again.
  const tracking = TrackingStore.open(f.workspace);
  try {
    const query = new RunsTableQuery(tracking.store.db);
    list.forEach((request, i) => {
      (after[i] as { nextPageToken?: string }[]).forEach((page, p) => {
        const offset = p === 0 ? 0 : decodePageToken((after[i][p - 1] as { nextPageToken: string }).nextPageToken);
        // Defaults filled in as the route does.
        const input = { ...runsTableRequest.parse(request), offset };
        assert.deepStrictEqual(JSON.parse(query.json(compileRunsTable(input))), page, `in-process ${JSON.stringify(request)} page ${p}`);
      });
    });
  } finally {
    tracking.close();
  }

  // What the fixture is meant to cover really is in the answers.
  const everything = after.flat().flatMap((p) => (p as { runs: { lifecycleStage: string; metrics: Record<string, unknown>; params: Record<string, string> }[] }).runs);
  const metricValues = new Set(everything.flatMap((r) => Object.values(r.metrics)));
  for (const special of ['NaN', 'Infinity', '-Infinity', 0, 5e-324, 0.1 + 0.2]) assert.ok(metricValues.has(special), `a metric is ${special}`);
  assert.ok(everything.some((r) => r.lifecycleStage === 'deleted'));
  assert.ok(everything.some((r) => Object.keys(r.metrics).length === 0));
  assert.ok(everything.some((r) => r.params['p name/with.dots-and space'] === WEIRD));
  // Paging: the 4-run pages of one listing join up to the whole listing, no run twice.
  const paged = after[list.length - 1] as { runs: { runId: string }[]; nextPageToken?: string }[];
  assert.ok(paged.length > 2);
  const ids = paged.flatMap((p) => p.runs.map((r) => r.runId));
  assert.equal(new Set(ids).size, ids.length);
});

test('bad runs table requests are 400s with a message that names the problem, as before', async () => {
  const f = varied();
  const bad: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    [{}, /experimentIds/],
    [{ experimentIds: [] }, /experimentIds must name at least one experiment/],
    [{ experimentIds: ['abc'] }, /Invalid experiment id 'abc'/],
    [{ experimentIds: [f.experiments.a], filter: 'metrics.loss >>> 1' }, /./],
    [{ experimentIds: [f.experiments.a], orderBy: ['nonsense.key ASC'] }, /./],
    [{ experimentIds: [f.experiments.a], viewType: 'SOME' }, /viewType/],
    [{ experimentIds: [f.experiments.a], maxResults: 0 }, /maxResults/],
    [{ experimentIds: [f.experiments.a], pageToken: '!!!' }, /page token/],
  ];
  const answer = async (legacy: boolean) => {
    const s = await startServer(f.workspace, [], legacy ? { MLOPS_RUNS_TABLE_LEGACY: '1' } : {});
    try {
      const out: { status: number; body: any }[] = [];
      for (const [body] of bad) out.push(await s.api('POST', '/api/v1/runs/table', body));
      return out;
    } finally {
      await s.stop();
    }
  };
  const before = await answer(true);
  const after = await answer(false);
  bad.forEach(([body, message], i) => {
    assert.equal(after[i].status, 400, `${JSON.stringify(body)} -> ${JSON.stringify(after[i].body)}`);
    assert.match(after[i].body.error_code, /INVALID_PARAMETER_VALUE|MALFORMED_REQUEST/);
    assert.match(after[i].body.message, message);
    assert.deepEqual(after[i], before[i], `same answer as before for ${JSON.stringify(body)}`);
  });
});

test('a log-batch completes while large runs table requests are in flight', async () => {
  const workspace = makeWorkspace('mlops-table-load-');
  const tracking = TrackingStore.open(workspace);
  let experimentId: string;
  let probeRun: string;
  try {
    experimentId = tracking.experiments.create('big');
    const kv = (prefix: string, r: number) => Array.from({ length: 10 }, (_, i) => ({ key: `${prefix}_${i}`, value: `${prefix} value ${(r + i) % 7}` }));
    tracking.store.write(() => {
      for (let r = 0; r < 3000; r++) {
        const runId = tracking.runs.create({ experimentId, runName: `run-${r}` }).info.runId;
        tracking.logBatch(runId, { params: kv('p', r), tags: kv('t', r), metrics: Array.from({ length: 10 }, (_, i) => ({ key: `m_${i}`, value: r * i, timestamp: 1, step: 0 })) });
      }
    });
    probeRun = tracking.runs.create({ experimentId: '0' }).info.runId;
  } finally {
    tracking.close();
  }
  const s = await startServer(workspace);
  try {
    const body = JSON.stringify({ experimentIds: [experimentId], maxResults: 50_000 });
    const headers = { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' };
    const warm = await s.api('POST', '/api/v1/runs/table', body);
    assert.equal(warm.body.runs.length, 3000);
    // Several whole-table loads at once, then a training script's batch. The
    // order of answers is the point: on the main thread each table load runs to
    // the end before anything else, so its answer would come first.
    let firstTableAnswer: number | undefined;
    const loads = Array.from({ length: 6 }, () =>
      fetch(`${s.url}/api/v1/runs/table`, { method: 'POST', headers, body }).then(async (res) => {
        firstTableAnswer ??= performance.now();
        return (await res.json()) as { runs: unknown[] };
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    const ingest = await s.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: probeRun, metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 1 }] });
    const ingested = performance.now();
    assert.equal(ingest.status, 200);
    for (const res of await Promise.all(loads)) assert.equal(res.runs.length, 3000);
    assert.ok(firstTableAnswer !== undefined && ingested < firstTableAnswer, 'the log-batch was answered before any of the table loads');
  } finally {
    await s.stop();
  }
});
