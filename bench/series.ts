import { existsSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import type { MetricPoint } from '../src/core/tracking/types';
import { api, fmt, main, median, percentile, report, startServer, tempWorkspace, type BenchServer, type Measure } from './common';

// Benchmark 2: one chart request for 500 long series. A fresh store gets
// 100 runs x 5 keys x 20,000 steps = 10 M points through the real ingest path
// (TrackingStore.logBatch, so the M4 bucket summaries are maintained as in
// production), then the real server answers POST /api/v1/series for all 500
// series at 1000 points each.
//
// Options (env): BENCH_SERIES_RUNS (100), BENCH_SERIES_KEYS (5),
// BENCH_SERIES_STEPS (20000), BENCH_SERIES_REPEAT (5),
// BENCH_SERIES_WORKSPACE=<dir> (reuse/keep a prepared store there; for iterating).

const TARGET_MS = 200;
const RUNS = Number(process.env.BENCH_SERIES_RUNS ?? 100);
const KEYS = Number(process.env.BENCH_SERIES_KEYS ?? 5);
const STEPS = Number(process.env.BENCH_SERIES_STEPS ?? 20_000);
const REPEAT = Number(process.env.BENCH_SERIES_REPEAT ?? 5);
const MAX_POINTS = 1000;
// Steps per logBatch call: a client that flushes every 1000 steps.
const STEPS_PER_BATCH = 1000;

interface Setup {
  runIds: string[];
  keys: string[];
  points: number;
  ms: number;
  reused: boolean;
}

function populate(workspace: string): Setup {
  const keys = Array.from({ length: KEYS }, (_, k) => `train/metric_${k}`);
  const tracking = TrackingStore.open(workspace);
  try {
    const existing = tracking.store.db.prepare(`SELECT run_uuid FROM runs ORDER BY created_seq, start_time, run_uuid`).pluck().all() as string[];
    if (existing.length === RUNS) {
      const points = tracking.store.db.prepare('SELECT SUM(point_count) FROM metric_series').pluck().get() as number;
      if (points === RUNS * KEYS * STEPS) return { runIds: existing, keys, points, ms: 0, reused: true };
    }
    const started = performance.now();
    const runIds: string[] = [];
    let points = 0;
    let lastReport = started;
    for (let r = 0; r < RUNS; r++) {
      const runId = tracking.runs.create({ experimentId: '0', runName: `bench-${r}` }).info.runId;
      runIds.push(runId);
      // A noisy decaying curve per key: random doubles, like a real loss.
      const scale = 1 + Math.random();
      const ts0 = Date.now();
      for (let first = 0; first < STEPS; first += STEPS_PER_BATCH) {
        const last = Math.min(STEPS, first + STEPS_PER_BATCH);
        const metrics: MetricPoint[] = [];
        for (let k = 0; k < KEYS; k++) {
          for (let step = first; step < last; step++) {
            metrics.push({ key: keys[k], value: scale * (k + 1) * Math.exp(-step / 5000) + Math.random() * 0.1, timestamp: ts0 + step, step });
          }
        }
        tracking.logBatch(runId, { metrics, params: [], tags: [] });
        points += metrics.length;
      }
      const now = performance.now();
      if (now - lastReport > 10_000) {
        lastReport = now;
        console.log(`   ... ${fmt(points)} points (${r + 1}/${RUNS} runs), ${fmt((now - started) / 1000, 1)} s`);
      }
    }
    return { runIds, keys, points, ms: performance.now() - started, reused: false };
  } finally {
    tracking.close();
  }
}

interface SeriesBody {
  series: { runId: string; key: string; total: number; downsampled: boolean; x: number[]; y: (number | string)[]; steps?: number[] }[];
}

function check(body: SeriesBody, expected: number): string[] {
  const problems: string[] = [];
  if (!body || !Array.isArray(body.series)) return ['response has no series array'];
  if (body.series.length !== expected) problems.push(`${body.series.length} series, expected ${expected}`);
  for (const s of body.series) {
    if (s.x.length > MAX_POINTS) problems.push(`${s.runId}/${s.key}: ${s.x.length} points > ${MAX_POINTS}`);
    if (s.x.length !== s.y.length || (s.steps && s.x.length !== s.steps.length)) problems.push(`${s.runId}/${s.key}: x/y/steps lengths differ`);
    if (s.x.length === 0) problems.push(`${s.runId}/${s.key}: no points`);
    if (s.total !== STEPS) problems.push(`${s.runId}/${s.key}: total ${s.total}, expected ${STEPS}`);
    if (problems.length > 5) break;
  }
  return problems;
}

interface Latency {
  n: number;
  p50: number;
  p99: number;
}

// Separate connections for the probe and the reader, so neither queues behind the other.
const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
const readerAgent = new Agent({ keepAlive: true, maxSockets: 1 });

/** Small log-batch requests, one after another, for `ms`: their latencies. */
async function probeIngest(server: BenchServer, runId: string, ms: number, stepBase: number): Promise<Latency> {
  const times: number[] = [];
  const end = Date.now() + ms;
  for (let i = 0; Date.now() < end; i++) {
    const metrics = Array.from({ length: 100 }, (_, j) => ({ key: 'probe', value: j, timestamp: Date.now(), step: stepBase + i * 100 + j }));
    const res = await api(server, 'POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics }, { agent: probeAgent });
    if (res.status !== 200) throw new Error(`log-batch answered ${res.status}`);
    times.push(res.ms);
  }
  times.sort((a, b) => a - b);
  return { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Ingest latency alone, then while heavy series queries run back to back. */
async function ingestDuringReads(server: BenchServer, request: unknown): Promise<{ idle: Latency; busy: Latency; queries: number }> {
  const created = await api(server, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', run_name: 'ingest-probe' });
  const runId = (created.body as { run: { info: { run_id: string } } }).run.info.run_id;
  const idle = await probeIngest(server, runId, 3000, 0);
  let reading = true;
  let queries = 0;
  const reader = (async () => {
    while (reading) {
      // Its own connection, body not parsed: this process must stay free to time the probe.
      await api(server, 'POST', '/api/v1/series', request, { agent: readerAgent, discardBody: true });
      queries++;
    }
  })();
  const busy = await probeIngest(server, runId, 3000, 10_000_000);
  reading = false;
  await reader;
  probeAgent.destroy();
  readerAgent.destroy();
  return { idle, busy, queries };
}

main(async () => {
  const workspace = process.env.BENCH_SERIES_WORKSPACE ?? tempWorkspace('mlops-bench-series-');
  const total = RUNS * KEYS * STEPS;
  console.log(`== Series query: ${RUNS} runs x ${KEYS} keys x ${fmt(STEPS)} steps = ${fmt(total)} points, one POST /api/v1/series for all ${RUNS * KEYS} series at maxPoints ${MAX_POINTS}`);
  const setup = populate(workspace);
  const dbFile = join(workspace, '.mlops', 'mlops.db');
  const dbMb = existsSync(dbFile) ? statSync(dbFile).size / 1e6 : NaN;
  if (setup.reused) console.log(`   setup: reused the store in BENCH_SERIES_WORKSPACE (${fmt(setup.points)} points, ${fmt(dbMb)} MB)`);
  else console.log(`   setup: ${fmt(setup.points)} points through TrackingStore.logBatch (${STEPS_PER_BATCH}-step batches) in ${fmt(setup.ms / 1000, 1)} s = ${fmt((setup.points / setup.ms) * 1000)} points/s; store ${fmt(dbMb)} MB`);

  const server = await startServer(workspace);
  try {
    const request = { runIds: setup.runIds, keys: setup.keys, maxPoints: MAX_POINTS };
    const timings: number[] = [];
    let first: { ms: number; bytes: number } | undefined;
    let problems: string[] = [];
    let points = 0;
    let downsampled = 0;
    for (let i = 0; i <= REPEAT; i++) {
      const res = await api(server, 'POST', '/api/v1/series', request);
      if (res.status !== 200) throw new Error(`/api/v1/series answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
      if (i === 0) {
        first = { ms: res.ms, bytes: res.bytes };
        const body = res.body as SeriesBody;
        problems = check(body, RUNS * KEYS);
        points = body.series.reduce((n, s) => n + s.x.length, 0);
        downsampled = body.series.filter((s) => s.downsampled).length;
      } else {
        timings.push(res.ms);
      }
    }
    const med = median(timings);
    console.log(`   first request after server start (worker thread and connection start, cold statements): ${fmt(first!.ms, 1)} ms`);
    console.log(`   then ${REPEAT} requests: median ${fmt(med, 1)} ms (min ${fmt(Math.min(...timings), 1)}, max ${fmt(Math.max(...timings), 1)}); ` +
      `response ${fmt(first!.bytes / 1e6, 1)} MB, ${fmt(points)} points in ${RUNS * KEYS} series (${downsampled} downsampled)`);
    console.log(`   check: ${problems.length ? 'FAILED: ' + problems.join('; ') : `${RUNS * KEYS} series, each <= ${MAX_POINTS} points, x/y/steps aligned`}`);
    console.log(`   target < ${TARGET_MS} ms -> median is ${fmt(med / TARGET_MS, 2)} of the budget (${med <= TARGET_MS ? 'met' : 'NOT met'})`);
    console.log(`   context: MLflow's UI freezes at 10 runs x 10,000 steps; DVC's VS Code extension plots at most 7 experiments.`);
    const stall = await ingestDuringReads(server, request);
    console.log(`== Heavy reads vs ingestion: log-batch requests of 100 points, one after another, alone and while the 500-series query above runs back to back`);
    console.log(`   alone:        p50 ${fmt(stall.idle.p50, 2)} ms  p99 ${fmt(stall.idle.p99, 2)} ms  (${stall.idle.n} requests)`);
    console.log(`   during reads: p50 ${fmt(stall.busy.p50, 2)} ms  p99 ${fmt(stall.busy.p99, 2)} ms  (${stall.busy.n} requests, ${stall.queries} series queries answered meanwhile)`);
    console.log(`   the queries run on worker threads, so ingestion waits for CPU, never for a query to finish (one query takes ~${fmt(med)} ms)`);
    const measures: Measure[] = [
      { measure: 'ingest p99 alone', value: stall.idle.p99, unit: 'ms' },
      { measure: 'ingest p99 during series reads', value: stall.busy.p99, unit: 'ms' },
      { measure: 'series setup (10M points, logBatch)', value: setup.ms / 1000, unit: 's', note: setup.reused ? 'reused store' : undefined },
      { measure: 'series query first (cold)', value: first!.ms, unit: 'ms' },
      { measure: 'series query median', value: med, unit: 'ms', target: TARGET_MS, better: 'lower' },
      { measure: 'series check', value: problems.length, unit: 'problems', target: 0, better: 'lower' },
    ];
    report({ bench: 'series', measures, details: { timings, first, responseBytes: first!.bytes, points, downsampled, problems, setupPointsPerSec: setup.reused ? undefined : (setup.points / setup.ms) * 1000, storeMb: dbMb } });
  } finally {
    await server.stop();
  }
});
