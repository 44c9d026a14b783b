import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../src/core/store/store';
import { api, fmt, main, report, startServer, tempWorkspace, type BenchServer, type Measure } from './common';
import type { LoadConfig, LoadResult } from './ingestLoad';

// Benchmark 1: MLflow log-batch ingest over HTTP into the real server, from a
// separate load-generator process on 4 keep-alive connections; then the
// ceiling: the same rows inserted straight into metric_points.
//
// Options (argv or env): BENCH_INGEST_SECONDS (10), BENCH_INGEST_WARMUP (3),
// BENCH_INGEST_CLIENT (agent | autocannon | compare), BENCH_CEILING_POINTS (2e6),
// BENCH_CPU_PROF=<dir> (run the server under --cpu-prof, profiles land in <dir>).

const TARGET_POINTS_PER_SEC = 300_000;
// MLflow 2.17's tracking server (SQLAlchemy on SQLite) under the same load, as
// given in the issue for this machine class. MLflow cannot be installed here
// (PyPI is unreachable), so this figure is quoted, not measured.
const MLFLOW_POINTS_PER_SEC = 14_000;
const CONNECTIONS = 4;
const KEYS = 10;
const STEPS_PER_REQUEST = 100;

const seconds = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_INGEST_WARMUP ?? 3);
const clientChoice = (process.env.BENCH_INGEST_CLIENT ?? 'agent') as 'agent' | 'autocannon' | 'compare';
const ceilingPoints = Number(process.env.BENCH_CEILING_POINTS ?? 2_000_000);

/** CPU time (user + system, ms) a process has used, from /proc; undefined elsewhere. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the comm).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function runLoadProcess(config: LoadConfig): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(__dirname, 'ingestLoad.js'), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), config.warmupMs + config.durationMs + 60_000);
    proc.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() as string) as LoadResult);
      } catch {
        reject(new Error(`load generator printed no result: ${out}${err}`));
      }
    });
  });
}

async function createRuns(server: BenchServer, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api(server, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
    if (res.status !== 200) throw new Error(`runs/create answered ${res.status}: ${JSON.stringify(res.body)}`);
    ids.push(res.body.run.info.run_id);
  }
  return ids;
}

interface HttpFigures extends LoadResult {
  serverCpu?: number;
  /** Points in the store after the server stopped (metric_points rows). */
  storedPoints: number;
}

async function httpIngest(client: 'agent' | 'autocannon'): Promise<HttpFigures> {
  const workspace = tempWorkspace('mlops-bench-ingest-');
  const profDir = process.env.BENCH_CPU_PROF;
  const server = await startServer(workspace, profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
  try {
    const runIds = await createRuns(server, CONNECTIONS);
    const cpuBefore = processCpuMs(server.pid);
    const wallBefore = performance.now();
    const result = await runLoadProcess({
      port: server.port,
      token: server.token,
      runIds,
      connections: CONNECTIONS,
      warmupMs: warmupSeconds * 1000,
      durationMs: seconds * 1000,
      client,
      keys: KEYS,
      stepsPerRequest: STEPS_PER_REQUEST,
    });
    const cpuAfter = processCpuMs(server.pid);
    const wall = performance.now() - wallBefore;
    await server.stop();
    // Every acknowledged point must be in the store.
    const store = openStore(workspace);
    let storedPoints: number;
    try {
      storedPoints = store.db.prepare('SELECT COUNT(*) FROM metric_points').pluck().get() as number;
    } finally {
      store.close();
    }
    return {
      ...result,
      serverCpu: cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / wall : undefined,
      storedPoints,
    };
  } finally {
    await server.stop();
  }
}

/** The same rows straight into metric_points: one prepared statement, one transaction. */
function ceiling(points: number): { pointsPerSec: number; ms: number } {
  const workspace = tempWorkspace('mlops-bench-ceiling-');
  const store = openStore(workspace);
  try {
    const db = store.db;
    db.prepare(
      `INSERT INTO runs (run_uuid, experiment_id, name, status, start_time, artifact_uri) VALUES ('r0', 0, 'ceiling', 'RUNNING', 0, 'mlflow-artifacts:/0/r0/artifacts')`,
    ).run();
    const seriesIds: number[] = [];
    for (let k = 0; k < KEYS; k++) {
      seriesIds.push(Number(db.prepare('INSERT INTO metric_series (run_uuid, key) VALUES (?, ?)').run('r0', `metric_${k}`).lastInsertRowid));
    }
    const values = Float64Array.from({ length: 1 << 16 }, () => Math.random() * 10 - 5);
    const insert = db.prepare('INSERT INTO metric_points (series_id, step, ts, value, is_nan) VALUES (?, ?, ?, ?, ?)');
    const ts = Date.now();
    const started = performance.now();
    store.write(() => {
      // The HTTP shape: per request, 10 keys x 100 consecutive steps.
      let i = 0;
      for (let base = 0; i < points; base += STEPS_PER_REQUEST) {
        for (let k = 0; k < KEYS && i < points; k++) {
          const seriesId = seriesIds[k];
          for (let s = 0; s < STEPS_PER_REQUEST && i < points; s++, i++) insert.run(seriesId, base + s, ts, values[i & 0xffff], 0);
        }
      }
    });
    const ms = performance.now() - started;
    return { pointsPerSec: (points / ms) * 1000, ms };
  } finally {
    store.close();
  }
}

main(async () => {
  console.log(`== Ingest over HTTP: log-batch of ${KEYS} keys x ${STEPS_PER_REQUEST} steps = ${KEYS * STEPS_PER_REQUEST} new points per request, ${CONNECTIONS} keep-alive connections`);
  console.log(`   warm-up ${warmupSeconds} s, measured ${seconds} s, load generator in its own process (2 cores shared with the server)`);
  const clients: ('agent' | 'autocannon')[] = clientChoice === 'compare' ? ['agent', 'autocannon'] : [clientChoice];
  const runs: HttpFigures[] = [];
  for (const client of clients) {
    const r = await httpIngest(client);
    runs.push(r);
    console.log(`   client ${r.client.padEnd(10)} ${fmt(r.pointsPerSec)} points/s  ${fmt(r.requestsPerSec, 1)} req/s  p50 ${fmt(r.p50Ms, 1)} ms  p99 ${fmt(r.p99Ms, 1)} ms  ` +
      `non-2xx ${r.non2xx}  errors ${r.errors}  client CPU ${fmt(r.clientCpu * 100)}%  server CPU ${r.serverCpu === undefined ? '?' : fmt(r.serverCpu * 100) + '%'}  body ${fmt(r.bodyBytes / 1024, 1)} KiB`);
    if (r.firstError) console.log(`   first error: ${r.firstError}`);
  }
  const best = runs.reduce((a, b) => (b.pointsPerSec > a.pointsPerSec ? b : a));
  console.log(`   requests measured: ${fmt(best.requests)} (${fmt(best.points)} points in ${fmt(best.durationMs / 1000, 2)} s); ` +
    `acknowledged in all (warm-up included) ${fmt(best.acknowledgedPoints)} points, in the store afterwards ${fmt(best.storedPoints)}` +
    (best.storedPoints >= best.acknowledgedPoints ? ' (all there)' : ' (POINTS LOST)'));
  console.log(`   vs MLflow 2.17 tracking server: ${fmt(MLFLOW_POINTS_PER_SEC)} points/s under the same load on this machine class ` +
    `(figure from the issue; MLflow cannot be installed here, PyPI is unreachable) -> x${fmt(best.pointsPerSec / MLFLOW_POINTS_PER_SEC, 1)}`);
  console.log(`   target ${fmt(TARGET_POINTS_PER_SEC)} points/s -> ${fmt(best.pointsPerSec / TARGET_POINTS_PER_SEC, 2)} of target`);

  console.log(`== Ceiling: ${fmt(ceilingPoints)} points into metric_points, one prepared statement, one transaction (same schema and pragmas)`);
  const c = ceiling(ceilingPoints);
  console.log(`   ${fmt(c.pointsPerSec)} points/s (${fmt(c.ms)} ms); HTTP ingest reaches ${fmt((best.pointsPerSec / c.pointsPerSec) * 100, 1)}% of it`);

  const measures: Measure[] = [
    { measure: 'ingest HTTP points/s', value: best.pointsPerSec, unit: 'points/s', target: TARGET_POINTS_PER_SEC, better: 'higher' },
    { measure: 'ingest HTTP requests/s', value: best.requestsPerSec, unit: 'req/s' },
    { measure: 'ingest p50 latency', value: best.p50Ms, unit: 'ms' },
    { measure: 'ingest p99 latency', value: best.p99Ms, unit: 'ms' },
    { measure: 'ingest non-2xx', value: best.non2xx + best.errors, unit: 'responses', target: 0, better: 'lower' },
    { measure: 'ingest points lost', value: Math.max(0, best.acknowledgedPoints - best.storedPoints), unit: 'points', target: 0, better: 'lower' },
    { measure: 'ingest vs MLflow 2.17 (quoted 14k/s)', value: best.pointsPerSec / MLFLOW_POINTS_PER_SEC, unit: 'x' },
    { measure: 'ceiling direct insert points/s', value: c.pointsPerSec, unit: 'points/s' },
    { measure: 'ingest HTTP / ceiling', value: best.pointsPerSec / c.pointsPerSec, unit: 'ratio' },
  ];
  report({ bench: 'ingest', measures, details: { runs, ceiling: c, mlflowQuoted: MLFLOW_POINTS_PER_SEC } });
});
