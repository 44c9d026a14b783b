import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import type { MetricPoint } from '../src/core/tracking/types';
import { api, fmt, main, median, report, startServer, tempWorkspace, type Measure } from './common';

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
  series: { runId: string; key: string; total: number; downsampled: boolean; x: number[]; y: (number | string)[]; steps: number[] }[];
}

function check(body: SeriesBody, expected: number): string[] {
  const problems: string[] = [];
  if (!body || !Array.isArray(body.series)) return ['response has no series array'];
  if (body.series.length !== expected) problems.push(`${body.series.length} series, expected ${expected}`);
  for (const s of body.series) {
    if (s.x.length > MAX_POINTS) problems.push(`${s.runId}/${s.key}: ${s.x.length} points > ${MAX_POINTS}`);
    if (s.x.length !== s.y.length || s.x.length !== s.steps.length) problems.push(`${s.runId}/${s.key}: x/y/steps lengths differ`);
    if (s.x.length === 0) problems.push(`${s.runId}/${s.key}: no points`);
    if (s.total !== STEPS) problems.push(`${s.runId}/${s.key}: total ${s.total}, expected ${STEPS}`);
    if (problems.length > 5) break;
  }
  return problems;
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
    const measures: Measure[] = [
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
