import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, main, median, report, tempWorkspace, REPO, type Measure } from './common';

// Benchmark 8: loading the extension's bundle, the part of activation a person
// waits for before the MLOps views fill (activate() itself is ~30 ms). Each
// sample is a fresh Node process that requires dist/extension.js (with a stand-in
// `vscode` module: nothing of it runs at load) and reports how long the require
// took. The baseline, measured in the same run, is the same source built the way
// it was before the schemas moved to their own bundle: one file with zod inside.
// Both are measured on an idle machine and with every core kept busy by spinning
// processes, as on a 2-core machine where the backend and a training run compete.
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

/** Keeps every core busy until stopped. */
function spinners(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

main(async () => {
  const dirs = layouts();
  const idle = sample(dirs);
  const busy = spinners(Math.max(2, (await import('node:os')).availableParallelism()));
  let loaded: { ours: number; baseline: number };
  try {
    loaded = sample(dirs);
  } finally {
    for (const p of busy) p.kill('SIGKILL');
  }
  console.log(`extension bundle load, median of ${ROUNDS} fresh processes:`);
  console.log(`  idle:        ${fmt(idle.ours, 1)} ms, one-file baseline ${fmt(idle.baseline, 1)} ms (ratio ${fmt(idle.baseline / idle.ours, 2)}x faster)`);
  console.log(`  cores busy:  ${fmt(loaded.ours, 1)} ms, one-file baseline ${fmt(loaded.baseline, 1)} ms (ratio ${fmt(loaded.baseline / loaded.ours, 2)}x faster)`);
  const measures: Measure[] = [
    { measure: 'extension bundle load, idle', value: idle.ours, unit: 'ms', target: TARGET_MS, better: 'lower', note: `one-file baseline ${fmt(idle.baseline, 1)} ms` },
    { measure: 'extension bundle load, cores busy', value: loaded.ours, unit: 'ms', target: TARGET_MS, better: 'lower', note: `one-file baseline ${fmt(loaded.baseline, 1)} ms` },
    { measure: 'baseline / ours, idle', value: idle.baseline / idle.ours, unit: 'x' },
    { measure: 'baseline / ours, cores busy', value: loaded.baseline / loaded.ours, unit: 'x' },
  ];
  report({ bench: 'activation', measures });
});
