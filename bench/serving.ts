import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { api, CLI, fmt, main, median, percentile, REPO, report, sleep, startServer, tempWorkspace, type Measure } from './common';
import { seededRandom } from '../test/helpers/seededRandom';

// Benchmark 7: serving one small model. A 20-feature logistic regression is
// fitted by scikit-learn on seeded synthetic data (bench/servingModel.py), and
// written twice with the same weights: joblib for Flask, and an ONNX graph built
// by hand (MatMul + Add + Sigmoid; label = decision > 0). Both must give the same
// probabilities on check rows (within 1e-5) before anything is timed.
//
// Contenders, each answering single-row requests to the same load generator
// (autocannon, one configuration for all: 16 keep-alive connections, pipelining
// 1, a warm-up, then a measured window). Latencies are taken from each response
// event with sub-millisecond precision: autocannon's own histogram records whole
// milliseconds, so every answer under 1 ms would read 0. A connection the server
// closes after its answer is reopened for the next request (honourConnectionClose).
// The contenders:
// - ours, Open Inference Protocol v2 (POST /v2/models/NAME/infer) through
//   `mlops serve models:/NAME/1 --reference train.csv` with the workspace token
//   (auth on) and drift monitoring on, recording every request, as a user runs it;
// - ours, MLflow's POST /invocations with dataframe_split, columns named through
//   the version's feature schema (registered with --features);
// - Flask + gunicorn (2 sync workers) around the sklearn model, predict_proba on
//   a JSON row: the textbook recipe (Debian's python3-flask, python3-sklearn,
//   python3-gunicorn; skipped, and said so, if they are missing). gunicorn's sync
//   workers close the connection after every response, so its clients reconnect:
//   that is part of the recipe's cost, not something the load generator adds;
// - a bare node:http + onnxruntime-node server (bench/servingBare.ts) in its own
//   process, with the session options our deployment uses for a small model;
// - and, without HTTP, the in-process rate of awaited single-row session.run
//   calls: the ceiling for any server on one event loop.
//
// Reading the figures on this machine: it has 2 cores, shared, and the load
// generator is one of the processes competing for them (a third to a half of a
// core at these rates). A Node server runs one event loop, and
// onnxruntime-node's run() executes on that same thread (after a setImmediate),
// so a Node contender can use at most one core, the load generator most of the
// other; gunicorn's two workers compete with the load generator for both. The
// kernel's loopback TCP work (writev, in profiles) is charged to the sending
// process and is a large share of every server's time here. Rates are lower
// than on a machine with spare cores, and whichever side saturates first (the
// server or the load generator) caps a contender: so besides requests/s, each
// contender's CPU (cores busy during the window) and CPU per request are
// printed, which compare efficiency even when the server was not the limit. A
// build run elsewhere on the machine during a window shows as "others CPU".
// Figures are reported, never asserted.
//
// Options (env): BENCH_SERVING_SECONDS (10), BENCH_SERVING_WARMUP (2),
// BENCH_SERVING_CONNECTIONS (16), BENCH_SERVING_ROUNDS (3: every contender once
// per round, in a rotating order; each one's median round is reported, and
// ratios are the median of same-round ratios, so a build elsewhere on the
// machine during one round skews less),
// BENCH_PYTHON (/usr/bin/python3, Debian's, which has the python3-* packages),
// BENCH_SERVING_FLASK=0 (leave Flask out: a quicker run while working on ours),
// BENCH_CPU_PROF=<dir> (the backend, its deployment process and the bare server
// run under --cpu-prof; where the deployment and the bare server spent their CPU
// during each load window is printed).

const SECONDS = Number(process.env.BENCH_SERVING_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_SERVING_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_SERVING_CONNECTIONS ?? 16);
const ROUNDS = Math.max(1, Number(process.env.BENCH_SERVING_ROUNDS ?? 3));
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const PROF_DIR = process.env.BENCH_CPU_PROF;
const FEATURES = 20;
const TRAIN_ROWS = 5000;
const CHECK_ROWS = 8;
const MODEL = 'bench-lr';
const TOLERANCE = 1e-5;
const TARGET_VS_FLASK = 8;
const TARGET_VS_BARE = 0.9;
const TARGET_P50_MS = 1;

interface Target {
  key: 'oip' | 'mlflow' | 'flask' | 'bare';
  label: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  /** The body for check row i (the load uses row 0). */
  body(row: number[]): string;
  /** Class-1 probability and label out of an answer. */
  read(answer: any): { p1: number; label: number };
  /** Processes whose CPU is the server's. */
  pids(): number[];
}

interface LoadFigures {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Over the whole run, warm-up included. */
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Cores busy during the measured window. */
  serverCpu: number | undefined;
  loadCpu: number;
  /** Cores busy with anything else on the machine (another build, the backend). */
  otherCpu: number | undefined;
  /** The measured window on the monotonic clock, in µs (to select profile samples). */
  windowUs: [number, number];
}

const children = new Set<ChildProcess>();
/** Children started in their own process group (gunicorn and its workers). */
const groups = new Set<number>();

function killChildren(signal: NodeJS.Signals): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, signal);
    } catch {
      /* gone */
    }
  }
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
}
process.on('exit', () => killChildren('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => killChildren('SIGTERM'));

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** train.csv (features and a 0/1 label drawn from a known logistic model) and check.json. */
function writeData(dir: string): number[][] {
  const rand = seededRandom(7);
  const weights = Array.from({ length: FEATURES }, () => (rand() * 2 - 1) * 1.5);
  const bias = 0.3;
  const fd = openSync(join(dir, 'train.csv'), 'w');
  writeSync(fd, [...featureNames(), 'y'].join(',') + '\n');
  const lines: string[] = [];
  for (let i = 0; i < TRAIN_ROWS; i++) {
    const x = Array.from({ length: FEATURES }, () => Math.round(normal(rand) * 1e4) / 1e4);
    const z = x.reduce((s, v, k) => s + v * weights[k], bias);
    lines.push([...x, rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0].join(','));
  }
  writeSync(fd, lines.join('\n') + '\n');
  closeSync(fd);
  const checkRand = seededRandom(11);
  const check = Array.from({ length: CHECK_ROWS }, () => Array.from({ length: FEATURES }, () => Math.round(normal(checkRand) * 1e4) / 1e4));
  writeFileSync(join(dir, 'check.json'), JSON.stringify(check));
  return check;
}

const featureNames = () => Array.from({ length: FEATURES }, (_, k) => `f${k}`);

function pythonHas(modules: string[]): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a child whose stdout's first line matching `ready` is awaited; its output is kept for errors. */
function startChild(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; detached?: boolean; ready?: RegExp; timeoutMs?: number }): Promise<{ proc: ChildProcess; match?: RegExpExecArray; output: () => string }> {
  const proc = spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached });
  children.add(proc);
  if (options.detached && proc.pid) groups.add(proc.pid);
  proc.on('exit', () => {
    children.delete(proc);
  });
  let output = '';
  proc.stderr?.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${file} ${args.join(' ')}: ${why}\n${output.slice(-3000)}`));
    const timer = setTimeout(() => fail('not ready in time'), options.timeoutMs ?? 30_000);
    proc.stdout?.on('data', (d) => {
      output += d;
      const m = options.ready?.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, match: m, output: () => output });
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`exited (${signal ?? code}) before it was ready`);
    });
    if (!options.ready) {
      clearTimeout(timer);
      resolve({ proc, output: () => output });
    }
  });
}

async function stopChild(proc: ChildProcess, group = false): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const send = (signal: NodeJS.Signals) => {
    try {
      if (group && proc.pid) process.kill(-proc.pid, signal);
      else proc.kill(signal);
    } catch {
      /* gone */
    }
  };
  send('SIGTERM');
  const timer = setTimeout(() => send('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  if (group && proc.pid) groups.delete(proc.pid);
}

/** CPU time (ms) of a process from /proc; 0 once it is gone. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** A process and its children (gunicorn's master and workers). */
function treeOf(pid: number): number[] {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

const cpuMsOfAll = (pids: number[]) => pids.reduce((s, p) => s + cpuMsOf(p), 0);

/** CPU time (ms) the whole machine has been busy, from /proc/stat (all but idle and iowait). */
function machineBusyMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return ((f.reduce((a, b) => a + b, 0) - f[3] - f[4]) * 1000) / 100;
  } catch {
    return NaN;
  }
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

const cores = (c: number | undefined) => (c === undefined || !Number.isFinite(c) ? '-' : `${fmt(c, 2)} cores`);

async function post(target: Target, body: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${target.port}${target.path}`, { method: 'POST', headers: target.headers, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${target.label}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Every contender must answer the check rows as sklearn does before it is timed. */
async function checkAnswers(target: Target, check: number[][], expected: { probabilities: number[][]; labels: number[] }): Promise<number> {
  let worst = 0;
  for (let i = 0; i < check.length; i++) {
    const { p1, label } = target.read(await post(target, target.body(check[i])));
    worst = Math.max(worst, Math.abs(p1 - expected.probabilities[i][1]));
    if (label !== expected.labels[i]) throw new Error(`${target.label}: check row ${i} labelled ${label}, sklearn says ${expected.labels[i]}`);
  }
  if (!(worst <= TOLERANCE)) throw new Error(`${target.label}: probabilities differ from sklearn's by ${worst} (> ${TOLERANCE})`);
  return worst;
}

/**
 * autocannon (8.0) writes the next request on a connection even when the answer
 * said `Connection: close` (gunicorn's sync workers close after every answer);
 * that request is lost with the socket, stays in its queue, and every later
 * answer is paired with an older request: latencies of seconds and spurious
 * connection errors. Given to every contender alike, this makes each connection
 * do what an HTTP/1.1 client must: after such an answer, open a new connection
 * for the next request. Keep-alive servers are not affected.
 */
function honourConnectionClose(client: any): void {
  let closing = false;
  client.on('headers', (info: { shouldKeepAlive?: boolean }) => (closing = info.shouldKeepAlive === false));
  const doRequest = client._doRequest;
  client._doRequest = function (this: any, ...args: unknown[]) {
    if (closing && !this.destroyed) {
      closing = false;
      return this._resetConnection();
    }
    return doRequest.apply(this, args);
  };
}

/** One autocannon run against a target: warm-up, then the measured window. */
async function load(target: Target, row: number[]): Promise<LoadFigures> {
  // Loaded at run time from node_modules (not bundled: it ships worker files).
  const autocannon = createRequire(__filename)('autocannon');
  const latencies: number[] = [];
  let measuring = false;
  let windowStart = 0;
  let windowEnd = 0;
  let non2xx = 0;
  let errors = 0;
  const statusCodes: Record<string, number> = {};
  const pids = target.pids();
  let serverCpuStart = 0;
  let serverCpu: number | undefined;
  let loadCpuStart = process.cpuUsage();
  let loadCpu = 0;
  let machineStart = 0;
  let otherCpu: number | undefined;
  const windowUs: [number, number] = [0, 0];
  const result = await new Promise<{ timeouts: number }>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${target.port}${target.path}`,
        method: 'POST',
        headers: target.headers,
        body: target.body(row),
        connections: CONNECTIONS,
        pipelining: 1,
        timeout: 10,
        setupClient: honourConnectionClose,
        // Stopped by the timers below; this is only a backstop.
        duration: WARMUP + SECONDS + 30,
      },
      (err: Error | null, res: { timeouts: number }) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode < 200 || statusCode >= 300) non2xx++;
      if (measuring) latencies.push(responseTime);
    });
    instance.on('reqError', () => errors++);
    setTimeout(() => {
      measuring = true;
      windowStart = performance.now();
      windowUs[0] = monotonicUs();
      serverCpuStart = cpuMsOfAll(pids);
      loadCpuStart = process.cpuUsage();
      machineStart = machineBusyMs();
    }, WARMUP * 1000);
    setTimeout(() => {
      measuring = false;
      windowEnd = performance.now();
      windowUs[1] = monotonicUs();
      const ms = windowEnd - windowStart;
      const used = process.cpuUsage(loadCpuStart);
      loadCpu = (used.user + used.system) / 1000 / ms;
      serverCpu = pids.length ? (cpuMsOfAll(pids) - serverCpuStart) / ms : undefined;
      const machine = (machineBusyMs() - machineStart) / ms;
      otherCpu = serverCpu === undefined || !Number.isFinite(machine) ? undefined : Math.max(0, machine - serverCpu - loadCpu);
      instance.stop();
    }, (WARMUP + SECONDS) * 1000);
  });
  const seconds = (windowEnd - windowStart) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    seconds,
    rps: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    non2xx,
    errors,
    timeouts: result.timeouts,
    statusCodes,
    serverCpu,
    loadCpu,
    otherCpu,
    windowUs,
  };
}

/** Awaited single-row session.run calls, one after another, in this process: no HTTP, no JSON. */
async function rawCeiling(file: string, row: number[]): Promise<{ rps: number; usPerCall: number; calls: number }> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const data = Float32Array.from(row);
  const once = async () => {
    const out = await session.run({ float_input: new ort.Tensor('float32', data, [1, FEATURES]) });
    return (out.probabilities.data as Float32Array)[1];
  };
  const until = async (ms: number) => {
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      await once();
      calls++;
    }
    return { calls, ms: performance.now() - start };
  };
  await until(WARMUP * 500);
  const { calls, ms } = await until(Math.min(SECONDS, 5) * 1000);
  await session.release();
  return { rps: (calls / ms) * 1000, usPerCall: (ms * 1000) / calls, calls };
}

interface ProfileSummary {
  /** CPU time the process was busy (not idle) inside the windows. */
  busyMs: number;
  /** Time spent in the function itself, largest first. */
  self: { name: string; share: number }[];
  /** Time spent in the function and what it called (our bundles' functions and the socket write), largest first. */
  inclusive: { name: string; share: number }[];
}

/**
 * Where a process's CPU went during the load windows, from its .cpuprofile. V8
 * stamps samples with the monotonic clock in µs, the clock of process.hrtime,
 * so a window recorded here selects the samples of one contender's load.
 */
function profileSummary(file: string, windows: [number, number][], top: number): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nameOf = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? ` ${f.url.replace(/^.*\/(node_modules\/|dist\/|out\/)/, '$1')}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'}${where}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (!windows.some(([a, b]) => t >= a && t <= b)) return;
    const name = nameOf(id);
    if (name === '(idle)') return;
    busy += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = nameOf(cur);
      if (seen.has(n)) continue;
      seen.add(n);
      if (/ (dist|out)\//.test(n) || n === 'writev') inclusive.set(n, (inclusive.get(n) ?? 0) + dt);
    }
  });
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, share: us / busy }));
  return { busyMs: busy / 1000, self: ranked(self), inclusive: ranked(inclusive) };
}

function printProfile(title: string, p: ProfileSummary): void {
  console.log(`\n   ${title}: ${fmt(p.busyMs)} ms busy in the window(s); self time / inclusive time (share of busy time)`);
  const rows = Math.max(p.self.length, p.inclusive.length);
  const left = p.self.map((h) => `${lpad(fmt(h.share * 100, 1), 5)}%  ${h.name}`);
  const width = Math.min(70, Math.max(...left.map((l) => l.length)));
  for (let i = 0; i < rows; i++) {
    const l = (left[i] ?? '').slice(0, width);
    const r = p.inclusive[i] ? `${lpad(fmt(p.inclusive[i].share * 100, 1), 5)}%  ${p.inclusive[i].name}` : '';
    console.log(`   ${pad(l, width)}  |  ${r}`);
  }
}

const oipBody = (row: number[]) => JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, FEATURES], datatype: 'FP32', data: row }] });
const mlflowBody = (row: number[]) => JSON.stringify({ dataframe_split: { columns: featureNames(), data: [row] } });
const rowBody = (row: number[]) => JSON.stringify(row);

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

main(async () => {
  const dir = tempWorkspace('mlops-bench-serving-');
  console.log(`== Serving: a ${FEATURES}-feature logistic regression, single-row requests, ${CONNECTIONS} connections, ` +
    `${WARMUP} s warm-up + ${SECONDS} s measured per contender${ROUNDS > 1 ? `, ${ROUNDS} rounds` : ''}, ${cpus().length} cores shared by servers and load generator`);
  if (!pythonHas(['sklearn', 'onnx', 'joblib', 'numpy'])) {
    console.log(`   skipped: ${PYTHON} cannot import sklearn, onnx, joblib and numpy, which make the model (apt-get install python3-sklearn python3-onnx)`);
    report({ bench: 'serving', measures: [], details: { skipped: 'python3-sklearn / python3-onnx missing' } });
    return;
  }

  // --- The model, twice, and the check that both compute the same function.
  const check = writeData(dir);
  const made = spawnSync(PYTHON, [join(REPO, 'bench', 'servingModel.py'), dir], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`bench/servingModel.py failed: ${made.stderr}`);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { probabilities: number[][]; labels: number[]; trainAccuracy: number };
  const onnxFile = join(dir, 'model.onnx');
  const session = await ort.InferenceSession.create(onnxFile);
  const out = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(check.flat()), [check.length, FEATURES]) });
  await session.release();
  const probs = out.probabilities.data as Float32Array;
  const labels = out.label.data as BigInt64Array;
  let modelDiff = 0;
  check.forEach((_, i) => {
    modelDiff = Math.max(modelDiff, Math.abs(probs[2 * i] - expected.probabilities[i][0]), Math.abs(probs[2 * i + 1] - expected.probabilities[i][1]));
    if (Number(labels[i]) !== expected.labels[i]) throw new Error(`ONNX labels check row ${i} ${labels[i]}, sklearn ${expected.labels[i]}`);
  });
  if (!(modelDiff <= TOLERANCE)) throw new Error(`the ONNX model's probabilities differ from sklearn's by ${modelDiff} (> ${TOLERANCE})`);
  console.log(`   model: sklearn LogisticRegression on ${fmt(TRAIN_ROWS)} seeded rows (train accuracy ${fmt(expected.trainAccuracy * 100, 1)}%); ` +
    `ONNX built by hand with the same weights: probabilities equal to sklearn's on ${check.length} rows within ${modelDiff.toExponential(1)}, labels equal`);
  const row = check[0];

  // --- The ceiling: no HTTP.
  const ceiling = await rawCeiling(onnxFile, row);

  // --- Ours: the real CLI on a temp workspace.
  // --cpu-prof is refused in NODE_OPTIONS; the backend forks deployments with its
  // own execArgv (fork's default), so the flag given to the backend reaches them.
  const profArgs = PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`] : [];
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  const server = await startServer(workspace, profArgs);
  const registered = spawnSync(process.execPath, [CLI, 'models', 'register', onnxFile, '--name', MODEL, '--features', featureNames().join(','), '--workspace', workspace], { encoding: 'utf8' });
  if (registered.status !== 0) throw new Error(`mlops models register failed: ${registered.stderr}${registered.stdout}`);
  // Served as a user would: drift monitoring on, against the training data, recording every request.
  copyFileSync(join(dir, 'train.csv'), join(workspace, 'train.csv'));
  const serve = await startChild(process.execPath, [CLI, 'serve', `models:/${MODEL}/1`, '--workspace', workspace, '--reference', join(workspace, 'train.csv')], {
    ready: /Serving deployment \S+ at (http:\/\/127\.0\.0\.1:(\d+))/,
    timeoutMs: 60_000,
  });
  const ourPort = Number(serve.match![2]);
  const deployment = (await api(server, 'GET', `/api/v1/deployments/${MODEL}`)).body.deployment as { pid: number | null };
  const deploymentPid = deployment.pid;
  const auth = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' };
  const json = { 'Content-Type': 'application/json' };
  const targets: Target[] = [
    {
      key: 'oip',
      label: `ours, OIP v2 /v2/models/${MODEL}/infer`,
      port: ourPort,
      path: `/v2/models/${MODEL}/infer`,
      headers: auth,
      body: oipBody,
      read: (a) => {
        const p = a.outputs.find((o: { name: string }) => o.name === 'probabilities').data;
        return { p1: p[1], label: Number(a.outputs.find((o: { name: string }) => o.name === 'label').data[0]) };
      },
      pids: () => (deploymentPid ? [deploymentPid] : []),
    },
    {
      key: 'mlflow',
      label: 'ours, MLflow /invocations dataframe_split',
      port: ourPort,
      path: '/invocations',
      headers: auth,
      body: mlflowBody,
      read: (a) => ({ p1: a.predictions[0].probabilities[1], label: Number(a.predictions[0].label) }),
      pids: () => (deploymentPid ? [deploymentPid] : []),
    },
  ];

  // --- The bare loop.
  const bareArgs = [...profArgs, join(__dirname, 'servingBare.js'), onnxFile, '0'];
  const bare = await startChild(process.execPath, bareArgs, { ready: /"port":(\d+)/ });
  targets.push({
    key: 'bare',
    label: 'bare node:http + onnxruntime-node',
    port: Number(bare.match![1]),
    path: '/predict',
    headers: json,
    body: rowBody,
    read: (a) => ({ p1: a.probabilities[1], label: a.label }),
    pids: () => [bare.proc.pid!],
  });

  // --- Flask + gunicorn.
  let flaskSkipped: string | undefined;
  let gunicorn: ChildProcess | undefined;
  if (process.env.BENCH_SERVING_FLASK === '0') {
    flaskSkipped = 'BENCH_SERVING_FLASK=0 (a quicker run while working on our server)';
  } else if (!pythonHas(['flask', 'gunicorn', 'sklearn'])) {
    flaskSkipped = `${PYTHON} cannot import flask, gunicorn and sklearn (apt-get install python3-flask python3-gunicorn python3-sklearn)`;
  } else {
    const port = await freePort();
    const started = await startChild(
      PYTHON,
      ['-m', 'gunicorn', '--workers', '2', '--worker-class', 'sync', '--bind', `127.0.0.1:${port}`, '--log-level', 'warning', '--chdir', join(REPO, 'bench'), 'servingFlask:app'],
      { env: { BENCH_SKLEARN_MODEL: join(dir, 'model.joblib') }, detached: true },
    );
    gunicorn = started.proc;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      // Both workers import sklearn on their own: wait until two answer.
      if (ok && treeOf(gunicorn.pid!).length >= 3) break;
      if (gunicorn.exitCode !== null || Date.now() > deadline) throw new Error(`gunicorn did not start: ${started.output().slice(-3000)}`);
      await sleep(200);
    }
    await sleep(500);
    const master = gunicorn.pid!;
    targets.push({
      key: 'flask',
      label: 'Flask + gunicorn (2 sync workers), sklearn',
      port,
      path: '/predict',
      headers: json,
      body: rowBody,
      read: (a) => ({ p1: a.probabilities[1], label: a.label }),
      pids: () => treeOf(master),
    });
  }

  const answerDiff: Record<string, number> = {};
  for (const t of targets) answerDiff[t.key] = await checkAnswers(t, check, expected);
  console.log(`   every server answers the ${check.length} check rows as sklearn does (largest probability difference ${Math.max(...Object.values(answerDiff)).toExponential(1)})`);
  console.log(`   ours: \`mlops serve models:/${MODEL}/1 --reference train.csv\` with the workspace token (auth on, Authorization: Bearer from .mlops/server.json), deployment process pid ${deploymentPid}`);
  if (flaskSkipped) console.log(`   Flask + gunicorn: SKIPPED: ${flaskSkipped}`);

  // --- Load: every contender once per round; the order rotates from round to round.
  const rounds: Record<string, LoadFigures[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const order = targets.map((_, i) => targets[(i + r) % targets.length]);
    for (const t of order) {
      const f = await load(t, row);
      (rounds[t.key] ??= []).push(f);
      console.log(`   ${ROUNDS > 1 ? `round ${r + 1}: ` : ''}${t.label}: ${fmt(f.rps)} req/s, p50 ${fmt(f.p50Ms, 3)} ms, p99 ${fmt(f.p99Ms, 3)} ms` +
        ` (server ${cores(f.serverCpu)}, load generator ${cores(f.loadCpu)}, other processes ${cores(f.otherCpu)})`);
    }
  }
  // Monitoring must have been on: every answered request recorded, drift computed on them.
  const monitoring = (await api(server, 'GET', `/api/v1/deployments/${MODEL}`)).body.deployment.monitoring as { status: string; windowRows?: number; message?: string } | undefined;
  console.log(`   ours, drift monitoring during the load: ${monitoring ? `${monitoring.status}${monitoring.windowRows !== undefined ? `, window of ${fmt(monitoring.windowRows)} recorded requests` : ''}${monitoring.message ? ` (${monitoring.message})` : ''}` : 'OFF (no monitoring state)'}`);

  // Each contender's median round (by req/s); ratios are taken round by round, then their median.
  const figures: Record<string, LoadFigures> = {};
  for (const [key, list] of Object.entries(rounds)) figures[key] = [...list].sort((a, b) => a.rps - b.rps)[Math.floor((list.length - 1) / 2)];
  const ratio = (a: string, b: string, of: (f: LoadFigures) => number = (f) => f.rps): number | undefined =>
    rounds[a] && rounds[b] ? median(rounds[a].map((f, r) => of(f) / of(rounds[b][r]))) : undefined;
  const perCore = (f: LoadFigures) => (f.serverCpu ? f.rps / f.serverCpu : NaN);

  // --- Stop everything before printing (profiles are written on exit).
  await stopChild(serve.proc);
  await stopChild(bare.proc);
  if (gunicorn) await stopChild(gunicorn, true);
  await server.stop();

  // --- The table.
  const header = ['contender', 'req/s', 'p50 ms', 'p99 ms', 'errors+non-2xx', 'server CPU', 'req/s per server core', 'load-gen CPU', 'others CPU'];
  const rows: string[][] = targets.map((t) => {
    const f = figures[t.key];
    return [t.label, fmt(f.rps), fmt(f.p50Ms, 3), fmt(f.p99Ms, 3), String(f.errors + f.non2xx + f.timeouts), cores(f.serverCpu), fmt(perCore(f)), cores(f.loadCpu), cores(f.otherCpu)];
  });
  if (flaskSkipped) rows.push(['Flask + gunicorn (2 sync workers), sklearn', 'skipped', '', '', '', '', '', '', '']);
  rows.push(['raw session.run, in-process, no HTTP', fmt(ceiling.rps), fmt(ceiling.usPerCall / 1000, 3), '', '', '', '', '', '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log('');
  console.log('   ' + header.map((h, i) => (i === 0 ? pad(h, widths[i]) : lpad(h, widths[i]))).join('  '));
  for (const r of rows) console.log('   ' + r.map((c, i) => (i === 0 ? pad(c, widths[i]) : lpad(c, widths[i]))).join('  ').trimEnd());
  console.log(`   (${ROUNDS > 1 ? `each contender's median of ${ROUNDS} rounds; ` : ''}CPU in cores busy during the window; "others" is the rest of the machine, e.g. another build;` +
    ` raw session.run: ${fmt(ceiling.calls)} awaited calls one after another, its p50 column is the mean time per call)`);

  const busyElsewhere = Object.values(rounds).flat().filter((f) => (f.otherCpu ?? 0) > 0.25).length;
  if (busyElsewhere) {
    console.log(`   note: other processes kept more than a quarter of a core busy in ${busyElsewhere} of ${Object.values(rounds).flat().length} windows ` +
      '(see "others CPU"): on 2 cores that lowers rates, Flask\'s two workers most; compare CPU per request, which is steadier');
  }

  const errorsOf = (list: LoadFigures[]) => list.reduce((s, f) => s + f.errors + f.non2xx + f.timeouts, 0);
  for (const t of targets) {
    const list = rounds[t.key];
    if (errorsOf(list) === 0) continue;
    const codes: Record<string, number> = {};
    for (const f of list) for (const [c, n] of Object.entries(f.statusCodes)) codes[c] = (codes[c] ?? 0) + n;
    console.log(`   !!! ${t.label}: ${list.reduce((s, f) => s + f.errors, 0)} connection errors, ${list.reduce((s, f) => s + f.timeouts, 0)} timeouts, ` +
      `${list.reduce((s, f) => s + f.non2xx, 0)} non-2xx answers (status codes ${JSON.stringify(codes)}): ITS FIGURES ARE NOT COMPARABLE !!!`);
  }

  const oip = figures.oip;
  const mlflow = figures.mlflow;
  const bareF = figures.bare;
  const flask = figures.flask;
  const oipVsFlask = ratio('oip', 'flask');
  const mlflowVsFlask = ratio('mlflow', 'flask');
  const oipVsBare = ratio('oip', 'bare')!;
  const mlflowVsBare = ratio('mlflow', 'bare')!;
  const oipVsBarePerCore = ratio('oip', 'bare', perCore)!;
  const mlflowVsBarePerCore = ratio('mlflow', 'bare', perCore)!;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const sameRound = ROUNDS > 1 ? ' (median of same-round ratios)' : '';
  console.log('');
  if (oipVsFlask !== undefined && mlflowVsFlask !== undefined) {
    console.log(`   ours/Flask:   OIP x${fmt(oipVsFlask, 1)}, MLflow x${fmt(mlflowVsFlask, 1)}${sameRound}; target >= ${TARGET_VS_FLASK}x (${verdict(oipVsFlask >= TARGET_VS_FLASK)}, ${verdict(mlflowVsFlask >= TARGET_VS_FLASK)})`);
    // The issue's two targets assume Flask near 1/8 of the bare loop (3,100 against 25,000 req/s).
    // A deployment is one process, so the bare loop, run the same way, bounds what it can reach.
    const bareVsFlask = ratio('bare', 'flask')!;
    console.log(`   bare/Flask:   x${fmt(bareVsFlask, 1)}${sameRound}: the ceiling of any one-process Node server on this machine in this run` +
      `${bareVsFlask < TARGET_VS_FLASK ? `; ${TARGET_VS_FLASK}x Flask is out of reach of the bare loop itself here` : ''}`);
  } else {
    console.log('   ours/Flask:   not measured (Flask + gunicorn skipped)');
  }
  console.log(`   ours/bare:    OIP ${fmt(oipVsBare, 2)}, MLflow ${fmt(mlflowVsBare, 2)}${sameRound}; target >= ${TARGET_VS_BARE} (${verdict(oipVsBare >= TARGET_VS_BARE)}, ${verdict(mlflowVsBare >= TARGET_VS_BARE)});` +
    ` per server core: OIP ${fmt(oipVsBarePerCore, 2)}, MLflow ${fmt(mlflowVsBarePerCore, 2)}`);
  console.log(`   ours p50:     OIP ${fmt(oip.p50Ms, 3)} ms, MLflow ${fmt(mlflow.p50Ms, 3)} ms; target < ${TARGET_P50_MS} ms (${verdict(oip.p50Ms < TARGET_P50_MS)}, ${verdict(mlflow.p50Ms < TARGET_P50_MS)})`);
  console.log(`   ceiling:      raw session.run ${fmt(ceiling.rps)} calls/s (${fmt(ceiling.usPerCall, 1)} µs each); ours OIP reaches ${fmt((oip.rps / ceiling.rps) * 100, 1)}% of it, the bare loop ${fmt((bareF.rps / ceiling.rps) * 100, 1)}%`);
  console.log(`   CPU per request (server side): ours OIP ${fmt(1e6 / perCore(oip), 1)} µs, MLflow ${fmt(1e6 / perCore(mlflow), 1)} µs, bare ${fmt(1e6 / perCore(bareF), 1)} µs` +
    `${flask ? `, Flask ${fmt(1e6 / perCore(flask), 1)} µs` : ''}, raw session.run ${fmt(ceiling.usPerCall, 1)} µs`);

  const profiles: Record<string, ProfileSummary> = {};
  if (PROF_DIR) {
    const files = readdirSync(PROF_DIR).filter((f) => f.endsWith('.cpuprofile'));
    // File names are CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main one.
    const fileOf = (pid: number | null | undefined) => files.find((f) => f.split('.')[3] === String(pid) && f.split('.')[4] === '0');
    const sources: [string, string, number | null | undefined][] = [
      ['oip', `the deployment process during the OIP load`, deploymentPid],
      ['mlflow', `the deployment process during the MLflow load`, deploymentPid],
      ['bare', `the bare server during its load`, bare.proc.pid],
    ];
    for (const [key, title, pid] of sources) {
      const file = fileOf(pid);
      if (!file || !rounds[key]) {
        console.log(`   (no profile of ${title} in ${PROF_DIR})`);
        continue;
      }
      profiles[key] = profileSummary(join(PROF_DIR, file), rounds[key].map((f) => f.windowUs), 15);
      printProfile(`${title} (${file})`, profiles[key]);
    }
  }

  const loadMeasures = (key: string, name: string, withTarget: boolean): Measure[] => {
    const f = figures[key];
    if (!f) return [];
    return [
      { measure: `serving: ${name} req/s`, value: f.rps, unit: 'req/s' },
      { measure: `serving: ${name} p50`, value: f.p50Ms, unit: 'ms', ...(withTarget ? { target: TARGET_P50_MS, better: 'lower' as const } : {}) },
      { measure: `serving: ${name} p99`, value: f.p99Ms, unit: 'ms' },
    ];
  };
  const measures: Measure[] = [
    ...loadMeasures('oip', 'ours OIP v2', true),
    ...loadMeasures('mlflow', 'ours MLflow /invocations', true),
    ...loadMeasures('bare', 'bare node:http + onnxruntime', false),
    ...loadMeasures('flask', 'Flask + gunicorn', false),
    { measure: 'serving: raw session.run (ceiling)', value: ceiling.rps, unit: 'calls/s' },
    ...(oipVsFlask !== undefined && mlflowVsFlask !== undefined
      ? [
          { measure: 'serving: ours OIP / Flask', value: oipVsFlask, unit: 'x', target: TARGET_VS_FLASK, better: 'higher' as const },
          { measure: 'serving: ours MLflow / Flask', value: mlflowVsFlask, unit: 'x', target: TARGET_VS_FLASK, better: 'higher' as const },
          { measure: 'serving: bare loop / Flask (one-process ceiling)', value: ratio('bare', 'flask')!, unit: 'x' },
        ]
      : []),
    { measure: 'serving: ours OIP / bare loop', value: oipVsBare, unit: 'x', target: TARGET_VS_BARE, better: 'higher' },
    { measure: 'serving: ours MLflow / bare loop', value: mlflowVsBare, unit: 'x', target: TARGET_VS_BARE, better: 'higher' },
    { measure: 'serving: ours OIP / bare loop, per server core', value: oipVsBarePerCore, unit: 'x' },
    { measure: 'serving: ours MLflow / bare loop, per server core', value: mlflowVsBarePerCore, unit: 'x' },
    { measure: 'serving: ours OIP / raw session.run', value: oip.rps / ceiling.rps, unit: 'x' },
    { measure: 'serving: errors + non-2xx, all contenders', value: Object.values(rounds).reduce((s, list) => s + errorsOf(list), 0), unit: 'requests', target: 0 },
  ];
  report({
    bench: 'serving',
    measures,
    details: {
      seconds: SECONDS,
      warmup: WARMUP,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      cores: cpus().length,
      loadGenerator: 'autocannon (in the benchmark process), pipelining 1, keep-alive',
      auth: 'ours with the workspace token (Authorization: Bearer)',
      modelCheck: { rows: check.length, largestProbabilityDifference: modelDiff, answers: answerDiff, trainAccuracy: expected.trainAccuracy },
      contenders: Object.fromEntries(targets.map((t) => [t.key, { label: t.label, ...figures[t.key], ...(ROUNDS > 1 ? { rounds: rounds[t.key] } : {}) }])),
      ...(flaskSkipped ? { flaskSkipped } : {}),
      ceiling,
      ...(PROF_DIR ? { profiles } : {}),
    },
  });
});
