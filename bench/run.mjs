// Runs the benchmarks (bundled to out/bench/ by `node esbuild.mjs --bench`)
// one after another, each in its own process, prints their figures and a
// summary table, and writes bench/results/latest.json. Figures are reported,
// never asserted: the exit code is non-zero only if a benchmark crashed.
//
//   npm run bench                  all of them
//   npm run bench -- series        only the named ones (ingest, series, python, runsTable, pipeline, drift, serving, activation)
//   node bench/run.mjs runsTable   the same without bundling first
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const BENCHES = [
  { name: 'ingest', file: 'out/bench/ingest.js', timeoutS: 150 },
  { name: 'series', file: 'out/bench/series.js', timeoutS: 300 },
  { name: 'python', file: 'out/bench/python.js', timeoutS: 240 },
  { name: 'runsTable', file: 'out/bench/runsTable.js', timeoutS: 300 },
  { name: 'pipeline', file: 'out/bench/pipeline.js', timeoutS: 300 },
  { name: 'drift', file: 'out/bench/drift.js', timeoutS: 300 },
  { name: 'serving', file: 'out/bench/serving.js', timeoutS: 420 },
  { name: 'activation', file: 'out/bench/activation.js', timeoutS: 180 },
];
const ALIASES = { pythonClient: 'python', py: 'python', query: 'series', table: 'runsTable', pipelines: 'pipeline', monitoring: 'drift', serve: 'serving', inference: 'serving', extension: 'activation' };

const asked = process.argv.slice(2).map((a) => ALIASES[a] ?? a);
const unknown = asked.filter((a) => !BENCHES.some((b) => b.name === a));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}. Known: ${BENCHES.map((b) => b.name).join(', ')}.`);
  process.exit(2);
}
const selected = asked.length ? BENCHES.filter((b) => asked.includes(b.name)) : BENCHES;
for (const b of selected) {
  if (!existsSync(join(repo, b.file))) {
    console.error(`${b.file} is missing: run "npm run bench" (it bundles bench/*.ts first).`);
    process.exit(2);
  }
}
if (!existsSync(join(repo, 'dist', 'cli.js'))) {
  console.error('dist/cli.js is missing: run "npm run build" (or "npm run bench").');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'mlops-bench-run-'));
let current;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted = true;
    // The child stops its servers and removes its temp folders on SIGTERM.
    if (current && current.exitCode === null) current.kill('SIGTERM');
  });
}

function runOne(bench) {
  const resultFile = join(scratch, `${bench.name}.json`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, bench.file)], {
      cwd: repo,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BENCH_RESULT_FILE: resultFile },
    });
    current = child;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`${bench.name}: still running after ${bench.timeoutS} s, stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 15_000).unref();
    }, bench.timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      let result;
      try {
        result = JSON.parse(readFileSync(resultFile, 'utf8'));
      } catch {
        result = undefined;
      }
      resolve({
        name: bench.name,
        ok: code === 0 && !timedOut,
        exit: code ?? signal,
        timedOut,
        seconds: (Date.now() - started) / 1000,
        result,
      });
    });
  });
}

const runs = [];
for (const bench of selected) {
  if (interrupted) break;
  console.log('');
  runs.push(await runOne(bench));
}
rmSync(scratch, { recursive: true, force: true });

// Summary: one row per figure; ratio is oriented so that >= 1 means the target is met.
function ratioOf(m) {
  if (m.target === undefined || m.target === null) return '';
  if (m.target === 0) return m.value === 0 ? 'ok' : 'FAIL';
  const r = m.better === 'lower' ? m.target / m.value : m.value / m.target;
  return `${r.toFixed(2)} ${r >= 1 ? '(met)' : '(NOT met)'}`;
}
function num(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
  const digits = Number.isInteger(v) || Math.abs(v) >= 1000 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
const rows = [['measure', 'value', 'target', 'ratio']];
for (const run of runs) {
  const measures = run.result?.measures ?? [];
  if (!run.ok) rows.push([`${run.name}: ${run.timedOut ? 'timed out' : `failed (exit ${run.exit})`}`, '', '', '']);
  else if (measures.length === 0) rows.push([`${run.name}: no figures (skipped)`, '', '', '']);
  for (const m of measures) {
    const target =
      m.target === undefined || m.target === null ? '' : m.target === 0 ? '= 0' : `${m.better === 'lower' ? '<' : '>='} ${num(m.target)} ${m.unit}`;
    rows.push([m.measure, `${num(m.value)} ${m.unit}`, target, ratioOf(m)]);
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
console.log('\n== Summary');
console.log(line(rows[0]));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows.slice(1)) console.log(line(r));
console.log(`(ratio: value vs target, >= 1 means met; total ${runs.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s)`);

const resultsDir = join(repo, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const cpu = cpus();
writeFileSync(
  join(resultsDir, 'latest.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      benches: runs,
    },
    null,
    2,
  ) + '\n',
);
console.log('Results written to bench/results/latest.json');
process.exit(interrupted ? 130 : runs.every((r) => r.ok) ? 0 : 1);
