import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI, fmt, main, median, percentile, report, sleep, tempWorkspace, type Measure } from './common';

// Benchmark 5: the pipeline runner. A synthetic pipeline of LAYERS x WIDTH
// trivial steps (each `cat`s the outs of 1-2 steps of the layer before into its
// own out and appends a line; the first layer reads source files), with deps and
// outs declared so the cache applies, and a plain shell script that runs the
// same commands one after another in a copy of the folder. Everything goes
// through the real CLI as a person runs it (`node dist/cli.js pipeline run FILE
// --workspace DIR`, one process per run, the real store), timed end to end:
// - the first run on a new workspace (no store, no server: the CLI starts the
//   workspace's server, inside this figure), then the first run of a copy of the
//   pipeline with the server up;
// - a fully cached re-run (target < 1 s);
// - `--force --jobs 1` against the shell script, interleaved: per-step overhead
//   (pipeline - shell) / steps (target < 50 ms) and the ratio pipeline/shell;
// - `--force` with the default --jobs, and `mlops --version` (the CLI's start
//   alone), for information.
// Every figure but the first reuses the server the first run started (as the
// editor or an earlier run would have); ensureServer's health check is inside.
//
// Options (env): BENCH_PIPELINE_REPEAT (7), BENCH_PIPELINE_LAYERS (10),
// BENCH_PIPELINE_WIDTH (10), BENCH_CPU_PROF=<dir> (the measured CLI runs under --cpu-prof),
// BENCH_PIPELINE_COMPARE_CLI=<another build's cli.js> (e.g. the previous commit's
// dist copied under out/, so it finds node_modules): its forced and cached runs
// are measured in the same repetitions, on the same store, for a same-run ratio.

const LAYERS = Number(process.env.BENCH_PIPELINE_LAYERS ?? 10);
const WIDTH = Number(process.env.BENCH_PIPELINE_WIDTH ?? 10);
const STEPS = LAYERS * WIDTH;
const REPEAT = Number(process.env.BENCH_PIPELINE_REPEAT ?? 7);
const CACHED_TARGET_MS = 1000;
const PER_STEP_TARGET_MS = 50;
const PROF_DIR = process.env.BENCH_CPU_PROF;
const COMPARE_CLI = process.env.BENCH_PIPELINE_COMPARE_CLI ? resolve(process.env.BENCH_PIPELINE_COMPARE_CLI) : undefined;

interface Generated {
  /** The pipeline's folder and file, relative to the workspace. */
  folder: string;
  file: string;
  /** The shell script's folder (a copy of the sources) and script. */
  shellFolder: string;
  script: string;
  /** Steps with their needs, for the record. */
  edges: number;
}

const stepName = (layer: number, i: number) => `s${layer}_${i}`;

/** The steps of the layer before that a step needs: itself shifted, and a second one for two steps in three. */
function needsOf(layer: number, i: number): string[] {
  if (layer === 0) return [];
  const needs = [stepName(layer - 1, i)];
  if ((layer * 7 + i) % 3 !== 0) needs.push(stepName(layer - 1, (i + 3) % WIDTH));
  return needs;
}

function generate(workspace: string): Generated {
  const folder = join(workspace, 'project');
  const shellFolder = join(workspace, 'shell');
  mkdirSync(join(folder, 'data'), { recursive: true });
  mkdirSync(join(folder, 'out'), { recursive: true });
  for (let i = 0; i < WIDTH; i++) writeFileSync(join(folder, 'data', `in_${i}.txt`), `source ${i}\n`);
  const yaml = ['name: bench', 'experiment: pipeline-bench', 'steps:'];
  const commands: string[] = [];
  let edges = 0;
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let i = 0; i < WIDTH; i++) {
      const name = stepName(layer, i);
      const needs = needsOf(layer, i);
      edges += needs.length;
      const deps = layer === 0 ? [`data/in_${i}.txt`] : needs.map((n) => `out/${n}.txt`);
      const command = `cat ${deps.join(' ')} > out/${name}.txt && echo ${name} >> out/${name}.txt`;
      commands.push(command);
      yaml.push(`  ${name}:`);
      if (needs.length) yaml.push(`    needs: [${needs.join(', ')}]`);
      yaml.push(`    run: ${command}`, `    deps: [${deps.join(', ')}]`, `    outs: [out/${name}.txt]`);
    }
  }
  writeFileSync(join(folder, 'bench.pipeline.yaml'), yaml.join('\n') + '\n');
  // The shell runs in its own copy: a step's outs can be hard links into the
  // store's blobs, which a shell writing the same paths would change in place.
  mkdirSync(join(shellFolder, 'out'), { recursive: true });
  cpSync(join(folder, 'data'), join(shellFolder, 'data'), { recursive: true });
  writeFileSync(join(shellFolder, 'plain.sh'), ['#!/bin/sh', 'set -e', ...commands].join('\n') + '\n');
  return { folder, file: join(folder, 'bench.pipeline.yaml'), shellFolder, script: join(shellFolder, 'plain.sh'), edges };
}

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The process being timed, for a stop in the middle. */
let current: ChildProcess | undefined;

/** Runs a process to its end; the wall clock from spawn to exit (output piped and kept, as a terminal would show it). */
function timed(file: string, args: string[], cwd: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = (current = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

const profArgs = (): string[] => (PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`] : []);

async function cli(workspace: string, cwd: string, args: string[], cliFile = CLI): Promise<Timed> {
  const r = await timed(process.execPath, [...profArgs(), cliFile, ...args, '--workspace', workspace], cwd);
  if (r.code !== 0) throw new Error(`mlops ${args.join(' ')} exited with ${r.code}:\n${r.stderr.slice(-2000)}`);
  return r;
}

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

/** A run's output must show every step doing what the figure claims. */
function expectSteps(r: Timed, what: 'cached' | 'ran', label: string): void {
  const n = what === 'cached' ? count(r.stderr, /^\S+\s+\| cached: inputs unchanged/gm) : count(r.stderr, /^\S+\s+\| running: /gm);
  if (n !== STEPS) throw new Error(`${label}: ${n} of ${STEPS} steps ${what}:\n${r.stderr.slice(-2000)}`);
}

const startedServer = (r: Timed) => /started this workspace's server/.test(r.stderr);

function serverPid(workspace: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the server the CLI started in the background for this workspace (it would idle for 30 minutes). */
async function stopServer(pid: number | undefined): Promise<void> {
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Out files of the pipeline's folder and the shell's must be byte for byte the same. */
function sameOuts(a: string, b: string): string | undefined {
  const names = readdirSync(join(a, 'out')).sort();
  if (names.length !== STEPS) return `${names.length} out files, expected ${STEPS}`;
  for (const n of names) {
    const other = join(b, 'out', n);
    if (!existsSync(other) || !readFileSync(join(a, 'out', n)).equals(readFileSync(other))) return `out/${n} differs`;
  }
  return undefined;
}

const stats = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });
const range = (xs: number[], digits = 0) => `median ${fmt(median(xs), digits)} ms (min ${fmt(Math.min(...xs), digits)}, max ${fmt(Math.max(...xs), digits)}, n ${xs.length})`;

main(async () => {
  const workspace = tempWorkspace('mlops-bench-pipeline-');
  const g = generate(workspace);
  const cores = cpus().length;
  console.log(`== Pipeline: ${STEPS} steps (${LAYERS} layers x ${WIDTH}, ${g.edges} needs), each a trivial cat/echo with declared deps and outs, ` +
    `through the real CLI (node dist/cli.js pipeline run), one process per run`);
  let pid: number | undefined;
  // Stopped early (run.mjs's timeout, Ctrl-C): the server must not idle on for 30 minutes.
  // (A signal handler runs before main's cleanup removes the workspace, so server.json is still there.)
  const killServer = (): void => {
    // A CLI run left going would recreate the workspace's folders after cleanup.
    if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL');
    pid ??= serverPid(workspace);
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  };
  process.on('exit', killServer);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, killServer);
  try {
    // The first run: no store, no server.
    const cold = await cli(workspace, g.folder, ['pipeline', 'run', g.file]);
    expectSteps(cold, 'ran', 'first run');
    pid = serverPid(workspace);
    const coldStartedServer = startedServer(cold);

    // The same pipeline in another folder (another cache key space): a first run with the server up.
    const copyFolder = join(workspace, 'project-copy');
    mkdirSync(join(copyFolder, 'out'), { recursive: true });
    cpSync(join(g.folder, 'data'), join(copyFolder, 'data'), { recursive: true });
    cpSync(g.file, join(copyFolder, 'bench.pipeline.yaml'));
    const firstWarm = await cli(workspace, copyFolder, ['pipeline', 'run', join(copyFolder, 'bench.pipeline.yaml')]);
    expectSteps(firstWarm, 'ran', 'first run of the copy');

    // Warm-up round (not measured): file caches, the shell's outs.
    await timed('/bin/sh', [g.script], g.shellFolder);
    expectSteps(await cli(workspace, g.folder, ['pipeline', 'run', g.file]), 'cached', 'cached warm-up');

    const forcedSerial: number[] = [];
    const shell: number[] = [];
    const perStep: number[] = [];
    const ratio: number[] = [];
    const cached: number[] = [];
    const forcedParallel: number[] = [];
    const cliStart: number[] = [];
    const otherSerial: number[] = [];
    const otherCached: number[] = [];
    let laterStarts = 0;
    for (let i = 0; i < REPEAT; i++) {
      // Alternate the order, so neither side always follows the other.
      const serialFirst = i % 2 === 0;
      let s: Timed | undefined;
      if (!serialFirst) s = await timed('/bin/sh', [g.script], g.shellFolder);
      const p = await cli(workspace, g.folder, ['pipeline', 'run', g.file, '--force', '--jobs', '1']);
      expectSteps(p, 'ran', 'forced --jobs 1');
      if (serialFirst) s = await timed('/bin/sh', [g.script], g.shellFolder);
      if (s!.code !== 0) throw new Error(`plain.sh exited with ${s!.code}: ${s!.stderr}`);
      const c = await cli(workspace, g.folder, ['pipeline', 'run', g.file]);
      expectSteps(c, 'cached', 'cached re-run');
      const par = await cli(workspace, g.folder, ['pipeline', 'run', g.file, '--force']);
      expectSteps(par, 'ran', 'forced, default jobs');
      const v = await timed(process.execPath, [...profArgs(), CLI, '--version'], workspace);
      if (COMPARE_CLI) {
        const op = await cli(workspace, g.folder, ['pipeline', 'run', g.file, '--force', '--jobs', '1'], COMPARE_CLI);
        expectSteps(op, 'ran', 'compared CLI, forced --jobs 1');
        const oc = await cli(workspace, g.folder, ['pipeline', 'run', g.file], COMPARE_CLI);
        expectSteps(oc, 'cached', 'compared CLI, cached re-run');
        otherSerial.push(op.ms);
        otherCached.push(oc.ms);
      }
      laterStarts += [p, c, par].filter(startedServer).length;
      forcedSerial.push(p.ms);
      shell.push(s!.ms);
      perStep.push((p.ms - s!.ms) / STEPS);
      ratio.push(p.ms / s!.ms);
      cached.push(c.ms);
      forcedParallel.push(par.ms);
      cliStart.push(v.ms);
    }
    // What the editor waits for: problems as you type (the buffer checked by the
    // backend) and the Pipelines view's status, for this 100-step file.
    const editor = await editorRoundTrips(workspace, g.file);

    const differs = sameOuts(g.folder, g.shellFolder);
    if (differs) throw new Error(`the pipeline's outs and the shell script's differ: ${differs}`);

    const overhead = median(perStep);
    const cachedMedian = median(cached);
    console.log(`   first run, new workspace: ${fmt(cold.ms)} ms (${coldStartedServer ? "includes starting the workspace's server" : 'a server was already running'}, creating the store, ${STEPS} steps)`);
    console.log(`   first run, server up (a copy of the pipeline in another folder): ${fmt(firstWarm.ms)} ms`);
    console.log(`   the server: started once by the first run and reused by every run below (${laterStarts ? `${laterStarts} runs started it again` : 'none started it again'}); each run's ensureServer check is inside its figure`);
    console.log(`   cached re-run (${STEPS} steps skipped): ${range(cached)}; target < ${fmt(CACHED_TARGET_MS)} ms (${cachedMedian < CACHED_TARGET_MS ? 'met' : 'NOT met'})`);
    console.log(`   --force --jobs 1: ${range(forcedSerial)}`);
    console.log(`   plain sh script, same ${STEPS} commands: ${range(shell)}`);
    console.log(`   per-step overhead (pipeline - shell) / ${STEPS}: median ${fmt(overhead, 2)} ms (min ${fmt(Math.min(...perStep), 2)}, max ${fmt(Math.max(...perStep), 2)}); ` +
      `target < ${PER_STEP_TARGET_MS} ms (${overhead < PER_STEP_TARGET_MS ? 'met' : 'NOT met'})`);
    console.log(`   ratio pipeline/shell (same repetition): median x${fmt(median(ratio), 1)}`);
    console.log(`   --force, default --jobs (${cores} cores): ${range(forcedParallel)}`);
    console.log(`   the CLI's start alone (mlops --version): ${range(cliStart)}`);
    if (COMPARE_CLI) {
      console.log(`   compared build (${COMPARE_CLI}), same repetitions: --force --jobs 1 ${range(otherSerial)}, ` +
        `per step over the shell ${fmt(median(otherSerial.map((x, i) => (x - shell[i]) / STEPS)), 2)} ms; cached ${range(otherCached)}`);
      console.log(`   ratio compared/this build: --force --jobs 1 x${fmt(median(otherSerial.map((x, i) => x / forcedSerial[i])), 2)}, ` +
        `cached x${fmt(median(otherCached.map((x, i) => x / cached[i])), 2)}`);
    }
    console.log(`   editor: problems as you type (POST /api/v1/pipelines/check of the ${STEPS}-step buffer): median ${fmt(editor.check.median, 1)} ms, p95 ${fmt(editor.check.p95, 1)} ms`);
    console.log(`   editor: the Pipelines view's status (POST /api/v1/pipelines/status, ${STEPS} steps, deps hashed or remembered): median ${fmt(editor.status.median, 1)} ms, p95 ${fmt(editor.status.p95, 1)} ms`);
    console.log(`   check: the pipeline's ${STEPS} out files equal the shell script's`);

    const measures: Measure[] = [
      { measure: 'pipeline first run, new workspace (server start inside)', value: cold.ms, unit: 'ms' },
      { measure: 'pipeline first run, server up', value: firstWarm.ms, unit: 'ms' },
      { measure: 'pipeline cached re-run', value: cachedMedian, unit: 'ms', target: CACHED_TARGET_MS, better: 'lower' },
      { measure: 'pipeline --force --jobs 1', value: median(forcedSerial), unit: 'ms' },
      { measure: 'plain shell script', value: median(shell), unit: 'ms' },
      { measure: 'pipeline per-step overhead vs shell', value: overhead, unit: 'ms', target: PER_STEP_TARGET_MS, better: 'lower' },
      { measure: 'pipeline/shell ratio', value: median(ratio), unit: 'x' },
      { measure: 'pipeline --force, default jobs', value: median(forcedParallel), unit: 'ms' },
      { measure: 'CLI start (mlops --version)', value: median(cliStart), unit: 'ms' },
      { measure: 'editor: pipeline check round trip', value: editor.check.median, unit: 'ms' },
      { measure: 'editor: pipeline status round trip', value: editor.status.median, unit: 'ms' },
    ];
    report({
      bench: 'pipeline',
      measures,
      details: {
        steps: STEPS,
        layers: LAYERS,
        width: WIDTH,
        needs: g.edges,
        repeat: REPEAT,
        cores,
        serverStartInFirstRun: coldStartedServer,
        laterServerStarts: laterStarts,
        firstRunMs: cold.ms,
        firstRunServerUpMs: firstWarm.ms,
        cached: stats(cached),
        forcedSerial: stats(forcedSerial),
        shell: stats(shell),
        perStepOverheadMs: stats(perStep),
        ratio: stats(ratio),
        forcedParallel: stats(forcedParallel),
        cliStart: stats(cliStart),
        ...(COMPARE_CLI
          ? {
              compared: {
                cli: COMPARE_CLI,
                forcedSerial: stats(otherSerial),
                cached: stats(otherCached),
                perStepOverheadMs: stats(otherSerial.map((x, i) => (x - shell[i]) / STEPS)),
                forcedSerialRatio: median(otherSerial.map((x, i) => x / forcedSerial[i])),
                cachedRatio: median(otherCached.map((x, i) => x / cached[i])),
              },
            }
          : {}),
      },
    });
  } finally {
    await stopServer(pid ?? serverPid(workspace));
  }
});

/** Median and p95 of the editor's two pipeline requests, against the workspace's running server. */
async function editorRoundTrips(workspace: string, file: string): Promise<{ check: { median: number; p95: number }; status: { median: number; p95: number } }> {
  const info = JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
  const text = readFileSync(file, 'utf8');
  const time = async (path: string, body: unknown, n: number) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const res = await fetch(info.url + path, { method: 'POST', headers: { Authorization: `Bearer ${info.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as { diagnostics?: unknown[]; steps?: unknown[] };
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { median: median(ms), p95: percentile(ms, 95) };
  };
  return { check: await time('/api/v1/pipelines/check', { file, text }, 40), status: await time('/api/v1/pipelines/status', { file }, 20) };
}
