import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fmt, main, median, report, tempWorkspace, REPO, type Measure } from './common';

// Benchmark 8: loading the extension's bundle, the part of activation a person
// waits for before the MLOps views fill (activate() itself is ~30 ms). Each
// sample is a fresh Node process that requires dist/extension.js (with a stand-in
// `vscode` module: nothing of it runs at load) and reports how long the require
// took. The baseline, measured in the same run, is the same source built the way
// it was before the schemas moved to their own bundle: one file with zod inside.
// Both are measured at three loads: idle; busy, one spinning process per core, as
// on a 2-core machine where the backend and a training run compete (the < 50 ms
// target holds here); and overloaded, two processes per core, half spinning and half
// churning memory (which also evicts the caches a load relies on), reported beside
// the baseline only: with a fraction of a core, any load takes a multiple of its time.
//
// Options (env): BENCH_ACTIVATION_ROUNDS (15).

const ROUNDS = Number(process.env.BENCH_ACTIVATION_ROUNDS ?? 15);
const TARGET_MS = 50;

/** One folder per layout, beside a stand-in `vscode` package they both resolve. */
function layouts(): { ours: string; baseline: string } {
  const root = tempWorkspace('mlops-bench-activation-');
  const stub = join(root, 'node_modules', 'vscode');
  mkdirSync(stub, { recursive: true });
  // Any member is a class (the bundle extends vscode.TreeItem and the like at load).
  writeFileSync(join(stub, 'index.js'), 'module.exports = new Proxy({}, { get: () => class {} });\n');
  const ours = join(root, 'ours');
  mkdirSync(ours);
  for (const file of ['extension.js', 'extensionSchemas.js', 'extensionWatcher.js']) copyFileSync(join(REPO, 'dist', file), join(ours, file));
  const baseline = join(root, 'baseline');
  mkdirSync(baseline);
  const build = `require('esbuild').buildSync({ entryPoints: ['src/extension/extension.ts'], outfile: ${JSON.stringify(join(baseline, 'extension.js'))}, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'], define: { navigator: 'undefined' }, logLevel: 'error' });`;
  const built = spawnSync(process.execPath, ['-e', build], { cwd: REPO, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the one-file baseline failed: ${built.stderr}`);
  return { ours, baseline };
}

/** Milliseconds a fresh process takes to require `bundle`. */
function loadOnce(bundle: string): number {
  const script = `const t = performance.now(); require(${JSON.stringify(bundle)}); process.stdout.write(String(performance.now() - t));`;
  const res = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`loading ${bundle} failed: ${res.stderr}`);
  return Number(res.stdout);
}

/** Alternates the two layouts so that drift in the machine's load hits both alike. */
function sample(dirs: { ours: string; baseline: string }): { ours: number; baseline: number } {
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(loadOnce(join(dirs.ours, 'extension.js')));
    baseline.push(loadOnce(join(dirs.baseline, 'extension.js')));
  }
  return { ours: median(ours), baseline: median(baseline) };
}

const SPIN = 'for (;;) {}';
// Writes through 64 MiB, allocated afresh each pass: memory bandwidth and the caches stay taken.
const CHURN = 'for (;;) { const b = Buffer.alloc(64 * 1024 * 1024); for (let i = 0; i < b.length; i += 64) b[i] = i; }';

/** Samples both layouts while `scripts` run, one process each, killed afterwards. */
function sampleUnder(dirs: { ours: string; baseline: string }, scripts: string[]): { ours: number; baseline: number } {
  const load: ChildProcess[] = scripts.map((script) => spawn(process.execPath, ['-e', script], { stdio: 'ignore' }));
  try {
    return sample(dirs);
  } finally {
    for (const p of load) p.kill('SIGKILL');
  }
}

main(async () => {
  const cores = Math.max(2, availableParallelism());
  const dirs = layouts();
  const levels = [
    { name: 'idle', value: sample(dirs), target: TARGET_MS },
    { name: 'busy', value: sampleUnder(dirs, Array.from({ length: cores }, () => SPIN)), target: TARGET_MS },
    { name: 'overloaded', value: sampleUnder(dirs, Array.from({ length: 2 * cores }, (_, i) => (i % 2 ? CHURN : SPIN))), target: undefined },
  ];
  console.log(`extension bundle load, median of ${ROUNDS} fresh processes (${cores} cores):`);
  for (const { name, value } of levels) {
    console.log(`  ${`${name}:`.padEnd(12)} ${fmt(value.ours, 1)} ms, one-file baseline ${fmt(value.baseline, 1)} ms (ratio ${fmt(value.baseline / value.ours, 2)}x faster)`);
  }
  const measures: Measure[] = [
    ...levels.map(({ name, value, target }): Measure => ({ measure: `extension bundle load, ${name}`, value: value.ours, unit: 'ms', target, better: 'lower', note: `one-file baseline ${fmt(value.baseline, 1)} ms` })),
    ...levels.map(({ name, value }): Measure => ({ measure: `baseline / ours, ${name}`, value: value.baseline / value.ours, unit: 'x' })),
  ];
  report({ bench: 'activation', measures });
});
