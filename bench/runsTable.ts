import { deepStrictEqual } from 'node:assert';
import { existsSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import type { MetricPoint } from '../src/core/tracking/types';
import { api, fmt, main, median, percentile, report, startServer, tempWorkspace, type BenchServer, type Measure } from './common';

// Benchmark 4: the runs table. A store of 5,000 runs in 2 experiments, each
// with 10 params, 10 metrics (a few hundred points each, written through the
// real ingest path) and 10 tags, served by the real server. Measures, for the
// current implementation and for the previous one (the server started with
// MLOPS_RUNS_TABLE_LEGACY=1, same store, same process run, so the ratio is
// same-run):
// - POST /api/v1/runs/table for all runs in one request (median of several);
// - the panel's sequence: a first page of 300 runs (the first screenful), then
//   the rest in one request;
// - the p99 latency of small log-batch requests while table requests for all
//   runs run back to back on another connection (and alone, for reference).
//
// Options (env): BENCH_TABLE_RUNS (5000), BENCH_TABLE_POINTS (200 per metric),
// BENCH_TABLE_REPEAT (7), BENCH_TABLE_PROBE_MS (3000),
// BENCH_TABLE_WORKSPACE=<dir> (reuse/keep a prepared store there; for iterating),
// BENCH_CPU_PROF=<dir> (run the servers under --cpu-prof).

const FIRST_SCREEN_TARGET_MS = 300;
const RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 5000);
const POINTS = Number(process.env.BENCH_TABLE_POINTS ?? 200);
const REPEAT = Number(process.env.BENCH_TABLE_REPEAT ?? 7);
const PROBE_MS = Number(process.env.BENCH_TABLE_PROBE_MS ?? 3000);
const EXPERIMENTS = 2;
const PARAMS = 10;
const METRICS = 10;
const TAGS = 10;
// The runs table panel's page sizes (src/extension/panels/runsTablePanel.ts).
const FIRST_PAGE = 300;
const PAGE_SIZE = 50_000;

interface Setup {
  experimentIds: string[];
  probeRunId: string;
  ms: number;
  reused: boolean;
}

function populate(workspace: string): Setup {
  const tracking = TrackingStore.open(workspace);
  try {
    const existing = tracking.store.db.prepare(`SELECT experiment_id FROM experiments WHERE name LIKE 'table-bench-%' ORDER BY name`).pluck().all() as number[];
    const runCount = tracking.store.db.prepare(`SELECT COUNT(*) FROM runs WHERE experiment_id != 0`).pluck().get() as number;
    const probe = tracking.store.db.prepare(`SELECT run_uuid FROM runs WHERE experiment_id = 0 AND name = 'ingest-probe'`).pluck().get() as string | undefined;
    if (existing.length === EXPERIMENTS && runCount === RUNS && probe) {
      return { experimentIds: existing.map(String), probeRunId: probe, ms: 0, reused: true };
    }
    const started = performance.now();
    const experimentIds = Array.from({ length: EXPERIMENTS }, (_, e) => tracking.experiments.create(`table-bench-${e}`));
    const metricKeys = Array.from({ length: METRICS }, (_, k) => (k < 5 ? `train/metric_${k}` : `val/metric_${k}`));
    const t0 = Date.now() - RUNS * 60_000;
    let lastReport = started;
    for (let r = 0; r < RUNS; r++) {
      const experimentId = experimentIds[r % EXPERIMENTS];
      const runId = tracking.runs.create({ experimentId, runName: `run-${r}`, startTime: t0 + r * 60_000, userId: 'bench' }).info.runId;
      const params = Array.from({ length: PARAMS }, (_, p) => ({ key: `param_${p}`, value: p === 0 ? String(0.001 * (1 + (r % 17))) : `value-${(r * 7 + p) % 13}` }));
      const tags = Array.from({ length: TAGS }, (_, t) => ({ key: `tag_${t}`, value: t === 0 ? `group-${r % 5}` : `tag value ${(r + t) % 9}` }));
      const metrics: MetricPoint[] = [];
      const scale = 1 + Math.random();
      for (let k = 0; k < METRICS; k++) {
        for (let step = 0; step < POINTS; step++) {
          metrics.push({ key: metricKeys[k], value: scale * (k + 1) * Math.exp(-step / 100) + Math.random() * 0.1, timestamp: t0 + r * 60_000 + step, step });
        }
      }
      tracking.logBatch(runId, { metrics, params, tags });
      // Most runs are over; some still run.
      if (r % 10 !== 0) tracking.runs.update(runId, { status: r % 23 === 0 ? 'FAILED' : 'FINISHED', endTime: t0 + r * 60_000 + 30_000 });
      const now = performance.now();
      if (now - lastReport > 10_000) {
        lastReport = now;
        console.log(`   ... ${r + 1}/${RUNS} runs, ${fmt((now - started) / 1000, 1)} s`);
      }
    }
    const probeRunId = tracking.runs.create({ experimentId: '0', runName: 'ingest-probe' }).info.runId;
    return { experimentIds, probeRunId, ms: performance.now() - started, reused: false };
  } finally {
    tracking.close();
  }
}

interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

interface Figures {
  label: string;
  full: { median: number; min: number; max: number; bytes: number; runs: number };
  firstScreen: { median: number; cold: number };
  panelTotal: { median: number };
  ingestBusy: Latency;
  tableRequestsDuringProbe: number;
  body: unknown;
}

/** Small log-batch requests, one after another, for `ms`: their latencies. */
async function probeIngest(server: BenchServer, runId: string, ms: number, stepBase: number, agent: Agent): Promise<Latency> {
  const times: number[] = [];
  const end = Date.now() + ms;
  for (let i = 0; Date.now() < end; i++) {
    const metrics = Array.from({ length: 100 }, (_, j) => ({ key: 'probe', value: j, timestamp: Date.now(), step: stepBase + i * 100 + j }));
    const res = await api(server, 'POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics }, { agent });
    if (res.status !== 200) throw new Error(`log-batch answered ${res.status}: ${JSON.stringify(res.body)}`);
    times.push(res.ms);
  }
  times.sort((a, b) => a - b);
  return { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1] };
}

async function table(server: BenchServer, body: unknown, agent?: Agent, discardBody = false) {
  const res = await api(server, 'POST', '/api/v1/runs/table', body, { agent, discardBody });
  if (res.status !== 200) throw new Error(`/api/v1/runs/table answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  return res;
}

let probeStep = 0;

async function measure(label: string, workspace: string, setup: Setup, legacy: boolean): Promise<Figures> {
  const profDir = process.env.BENCH_CPU_PROF;
  const server = await startServer(workspace, profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [], legacy ? { MLOPS_RUNS_TABLE_LEGACY: '1' } : {});
  const all = { experimentIds: setup.experimentIds, orderBy: ['attributes.start_time DESC'], maxResults: PAGE_SIZE };
  try {
    // The panel's first request on a fresh server: worker thread start, statements, a cold page cache.
    const coldFirstScreen = (await table(server, { ...all, maxResults: FIRST_PAGE })).ms;
    // Warm up.
    const first = await table(server, all);
    const body = first.body as { runs: unknown[] };
    const full: number[] = [];
    for (let i = 0; i < REPEAT; i++) full.push((await table(server, all, undefined, true)).ms);

    // The panel: the first screenful, then the rest in one request.
    const firstScreen: number[] = [];
    const panelTotal: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const started = performance.now();
      const page = await table(server, { ...all, maxResults: FIRST_PAGE });
      firstScreen.push(performance.now() - started);
      const token = (page.body as { nextPageToken?: string }).nextPageToken;
      if (token) await table(server, { ...all, pageToken: token }, undefined, true);
      panelTotal.push(performance.now() - started);
    }

    // Ingest while whole-table requests run back to back on another connection.
    const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const readerAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    let reading = true;
    let answered = 0;
    const reader = (async () => {
      while (reading) {
        await table(server, all, readerAgent, true);
        answered++;
      }
    })();
    const ingestBusy = await probeIngest(server, setup.probeRunId, PROBE_MS, (probeStep += 10_000_000), probeAgent);
    reading = false;
    await reader;
    probeAgent.destroy();
    readerAgent.destroy();
    const sorted = [...full].sort((a, b) => a - b);
    return {
      label,
      full: { median: median(full), min: sorted[0], max: sorted[sorted.length - 1], bytes: first.bytes, runs: body.runs.length },
      firstScreen: { median: median(firstScreen), cold: coldFirstScreen },
      panelTotal: { median: median(panelTotal) },
      ingestBusy,
      tableRequestsDuringProbe: answered,
      body: first.body,
    };
  } finally {
    await server.stop();
  }
}

async function ingestAlone(workspace: string, setup: Setup): Promise<Latency> {
  const server = await startServer(workspace);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    return await probeIngest(server, setup.probeRunId, PROBE_MS, (probeStep += 10_000_000), agent);
  } finally {
    agent.destroy();
    await server.stop();
  }
}

main(async () => {
  const workspace = process.env.BENCH_TABLE_WORKSPACE ?? tempWorkspace('mlops-bench-table-');
  console.log(`== Runs table: ${fmt(RUNS)} runs in ${EXPERIMENTS} experiments x (${PARAMS} params, ${METRICS} metrics of ${POINTS} points, ${TAGS} tags), POST /api/v1/runs/table`);
  const setup = populate(workspace);
  const dbFile = join(workspace, '.mlops', 'mlops.db');
  const dbMb = existsSync(dbFile) ? statSync(dbFile).size / 1e6 : NaN;
  console.log(setup.reused ? `   setup: reused the store in BENCH_TABLE_WORKSPACE (${fmt(dbMb)} MB)` : `   setup: ${fmt(setup.ms / 1000, 1)} s through TrackingStore.logBatch; store ${fmt(dbMb)} MB`);

  const idle = await ingestAlone(workspace, setup);
  const before = await measure('previous (main thread)', workspace, setup, true);
  const after = await measure('current', workspace, setup, false);

  let identical = true;
  let difference = '';
  try {
    deepStrictEqual(after.body, before.body);
  } catch (err) {
    identical = false;
    difference = (err as Error).message.slice(0, 800);
  }

  const line = (f: Figures) =>
    `   ${f.label.padEnd(24)} all runs: median ${fmt(f.full.median, 1)} ms (min ${fmt(f.full.min, 1)}, max ${fmt(f.full.max, 1)}), ${fmt(f.full.runs)} runs, ${fmt(f.full.bytes / 1e6, 2)} MB\n` +
    `   ${''.padEnd(24)} panel: first ${FIRST_PAGE} runs ${fmt(f.firstScreen.median, 1)} ms (on a fresh server ${fmt(f.firstScreen.cold, 1)} ms), all ${fmt(f.panelTotal.median, 1)} ms\n` +
    `   ${''.padEnd(24)} ingest during table reads: p50 ${fmt(f.ingestBusy.p50, 2)} ms  p99 ${fmt(f.ingestBusy.p99, 2)} ms  max ${fmt(f.ingestBusy.max, 1)} ms (${f.ingestBusy.n} log-batches, ${f.tableRequestsDuringProbe} table requests meanwhile)`;
  console.log(`   ingest alone: p50 ${fmt(idle.p50, 2)} ms  p99 ${fmt(idle.p99, 2)} ms (${idle.n} log-batches of 100 points)`);
  console.log(line(before));
  console.log(line(after));
  console.log(`   ratio previous/current: all runs x${fmt(before.full.median / after.full.median, 2)}, first screen x${fmt(before.firstScreen.median / after.firstScreen.median, 2)}, ` +
    `ingest p99 during reads x${fmt(before.ingestBusy.p99 / after.ingestBusy.p99, 2)}`);
  console.log(`   check: ${identical ? 'the two implementations answer the same rows and columns' : 'RESPONSES DIFFER: ' + difference}`);
  console.log(`   target: first screenful < ${FIRST_SCREEN_TARGET_MS} ms -> ${fmt(after.firstScreen.median, 1)} ms (${after.firstScreen.median <= FIRST_SCREEN_TARGET_MS ? 'met' : 'NOT met'})`);

  const measures: Measure[] = [
    { measure: 'table all runs median (previous)', value: before.full.median, unit: 'ms' },
    { measure: 'table all runs median', value: after.full.median, unit: 'ms' },
    { measure: 'table all runs previous/current', value: before.full.median / after.full.median, unit: 'x' },
    { measure: 'table first screen (previous)', value: before.firstScreen.median, unit: 'ms' },
    { measure: 'table first screen', value: after.firstScreen.median, unit: 'ms', target: FIRST_SCREEN_TARGET_MS, better: 'lower' },
    { measure: 'table first screen, fresh server', value: after.firstScreen.cold, unit: 'ms', target: FIRST_SCREEN_TARGET_MS, better: 'lower' },
    { measure: 'ingest p99 alone', value: idle.p99, unit: 'ms' },
    { measure: 'ingest p99 during table reads (previous)', value: before.ingestBusy.p99, unit: 'ms' },
    { measure: 'ingest p99 during table reads', value: after.ingestBusy.p99, unit: 'ms' },
    { measure: 'ingest p99 previous/current', value: before.ingestBusy.p99 / after.ingestBusy.p99, unit: 'x' },
    { measure: 'table responses differ', value: identical ? 0 : 1, unit: '', target: 0, better: 'lower' },
  ];
  const strip = ({ body: _body, ...rest }: Figures) => rest;
  report({ bench: 'runsTable', measures, details: { idle, before: strip(before), after: strip(after), storeMb: dbMb, setupMs: setup.ms, difference: difference || undefined } });
});
