import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, main, median, report, tempWorkspace, REPO, type Measure } from './common';
import { parseCsvColumns } from '../src/core/monitoring/csvColumns';
import { prepareReference } from '../src/core/monitoring/preparedReference';
import { driftReport } from '../src/core/monitoring/driftReport';
import type { CodedColumn, Columns, FeatureSpec } from '../src/core/monitoring/driftTypes';
import { seededRandom } from '../test/helpers/seededRandom';

// Benchmark 6: the drift engine. A reference of 1,000,000 rows x 20 features
// (14 numerical, two of them with few values, and 6 categorical, one binary) is
// written as CSV, then prepared cold: the file read and parsed into typed columns,
// each numeric column sorted, categories counted. Then a new window of 100,000
// rows (some features shifted) gets every feature's test (Evidently's defaults
// for a large reference: normed Wasserstein and Jensen-Shannon, plus a PSI and a
// KL override), target < 1 s. scipy runs the same tests on the same data in the
// same benchmark (Debian's python3-scipy; the line is skipped without it).
//
// Options (env): BENCH_DRIFT_ROWS (1,000,000), BENCH_DRIFT_WINDOW (100,000), BENCH_DRIFT_REPEAT (5).

const ROWS = Number(process.env.BENCH_DRIFT_ROWS ?? 1_000_000);
const WINDOW = Number(process.env.BENCH_DRIFT_WINDOW ?? 100_000);
const REPEAT = Number(process.env.BENCH_DRIFT_REPEAT ?? 5);
const WINDOW_TARGET_MS = 1000;
const PYTHON = '/usr/bin/python3';

interface FeaturePlan {
  spec: FeatureSpec;
  /** A value for row i; `shift` moves the window's distribution. */
  value(rand: () => number, shift: number): number | string;
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function plans(): FeaturePlan[] {
  const out: FeaturePlan[] = [];
  for (let k = 0; k < 12; k++) {
    out.push({
      spec: { name: `num${k}`, type: 'numerical', ...(k === 10 ? { stattest: 'psi' as const } : k === 11 ? { stattest: 'kl_div' as const } : {}) },
      // Four decimals, as a CSV export would round them; some features a little heavy-tailed.
      value: (rand, shift) => Math.round((10 * k + (1 + k / 10) * (k % 3 === 0 ? normal(rand) ** 3 : normal(rand)) + shift * (k % 2 === 0 ? 0.5 : 0)) * 1e4) / 1e4,
    });
  }
  out.push({ spec: { name: 'rooms', type: 'numerical' }, value: (rand, shift) => Math.floor(rand() * (4 + shift)) });
  out.push({ spec: { name: 'tenure', type: 'numerical' }, value: (rand) => Math.floor(rand() * 30) });
  const names = ['basic', 'pro', 'team', 'enterprise', 'trial', 'edu', 'gov', 'partner', 'internal', 'legacy', 'nonprofit', 'startup'];
  for (let k = 0; k < 5; k++) {
    const count = 3 + 2 * k;
    out.push({
      spec: { name: `cat${k}`, type: 'categorical' },
      value: (rand, shift) => names[Math.min(count - 1, Math.floor(rand() ** (1 + shift * (k % 2)) * count))],
    });
  }
  out.push({ spec: { name: 'churned', type: 'categorical' }, value: (rand, shift) => (rand() < 0.2 + 0.1 * shift ? 'yes' : 'no') });
  return out;
}

function writeCsv(file: string, features: FeaturePlan[], rows: number, seed: number, shift: number): void {
  const rand = seededRandom(seed);
  const fd = openSync(file, 'w');
  writeSync(fd, features.map((f) => f.spec.name).join(',') + '\n');
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    // Half a percent of cells are missing, as real exports have them.
    chunk.push(features.map((f) => (rand() < 0.005 ? '' : String(f.value(rand, shift)))).join(','));
    if (chunk.length === 20_000) {
      writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
  closeSync(fd);
}

/** Writes the columns where the scipy side reads them: raw float64 and int32 codes (in the reference's dictionary). */
function writeForScipy(dir: string, specs: FeatureSpec[], reference: Columns, current: Columns, tests: string[]): void {
  const features = specs.map((spec, i) => {
    const refFile = `ref_${i}.bin`;
    const curFile = `cur_${i}.bin`;
    if (spec.type === 'numerical') {
      writeFileSync(join(dir, refFile), reference[spec.name] as Float64Array);
      writeFileSync(join(dir, curFile), current[spec.name] as Float64Array);
    } else {
      // The two files were parsed separately: map the window's codes into one shared dictionary.
      const ref = reference[spec.name] as CodedColumn;
      const cur = current[spec.name] as CodedColumn;
      const index = new Map(ref.categories.map((c, k) => [c, k]));
      const remap = cur.categories.map((c) => index.get(c) ?? (index.set(c, index.size), index.size - 1));
      writeFileSync(join(dir, refFile), ref.codes);
      writeFileSync(join(dir, curFile), Int32Array.from(cur.codes, (k) => (k < 0 ? -1 : remap[k])));
    }
    return { name: spec.name, type: spec.type, test: tests[i], reference: refFile, current: curFile };
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ features, repeat: 3 }));
}

main(async () => {
  const dir = tempWorkspace('mlops-bench-drift-');
  const features = plans();
  const specs = features.map((f) => f.spec);
  const referenceCsv = join(dir, 'reference.csv');
  const windowCsv = join(dir, 'window.csv');
  console.log(`== Drift: reference ${fmt(ROWS)} rows x ${specs.length} features (14 numerical, 6 categorical), window ${fmt(WINDOW)} rows`);
  let t = performance.now();
  writeCsv(referenceCsv, features, ROWS, 1, 0);
  writeCsv(windowCsv, features, WINDOW, 2, 1);
  console.log(`   (writing the CSV files: ${fmt(performance.now() - t)} ms, reference ${fmt(readFileSync(referenceCsv).length / 2 ** 20, 1)} MiB)`);

  // Cold: read + parse + prepare, as a deployment loading its reference.
  t = performance.now();
  const bytes = readFileSync(referenceCsv);
  const parsed = parseCsvColumns(bytes);
  const parseMs = performance.now() - t;
  const t2 = performance.now();
  const reference = prepareReference(parsed.columns, specs);
  const prepareMs = performance.now() - t2;
  const coldMs = parseMs + prepareMs;
  console.log(`   cold prepare: ${fmt(coldMs)} ms (read + parse CSV ${fmt(parseMs)} ms, sort/count/bins ${fmt(prepareMs)} ms)`);

  const windowParsed = parseCsvColumns(readFileSync(windowCsv), { types: parsed.types });
  const windowMs: number[] = [];
  let result = driftReport(reference, windowParsed.columns);
  for (let r = 0; r < REPEAT; r++) {
    const s = performance.now();
    result = driftReport(reference, windowParsed.columns);
    windowMs.push(performance.now() - s);
  }
  const windowMedian = median(windowMs);
  const parseWindowStart = performance.now();
  parseCsvColumns(readFileSync(windowCsv), { types: parsed.types });
  const parseWindowMs = performance.now() - parseWindowStart;
  const byTest = new Map<string, number>();
  for (const f of result.features) byTest.set(f.test, (byTest.get(f.test) ?? 0) + 1);
  console.log(`   drift for a new ${fmt(WINDOW)}-row window (${[...byTest].map(([k, v]) => `${v} ${k}`).join(', ')}): median ${fmt(windowMedian, 1)} ms over ${REPEAT} (min ${fmt(Math.min(...windowMs), 1)}, max ${fmt(Math.max(...windowMs), 1)}); target < ${fmt(WINDOW_TARGET_MS)} ms (${windowMedian < WINDOW_TARGET_MS ? 'met' : 'NOT met'})`);
  console.log(`   (parsing that window from CSV, if it came as a file: ${fmt(parseWindowMs)} ms)`);
  console.log(`   verdict: ${result.driftedCount} of ${result.featureCount} features drifted, dataset drift ${result.datasetDrift}`);

  const measures: Measure[] = [
    { measure: 'drift: cold prepare of 1M x 20 reference (parse + sort/count)', value: coldMs, unit: 'ms' },
    { measure: 'drift: new 100k-row window, all features', value: windowMedian, unit: 'ms', target: WINDOW_TARGET_MS, better: 'lower' },
  ];
  const details: Record<string, unknown> = { rows: ROWS, window: WINDOW, parseMs, prepareMs, windowMs, parseWindowMs };

  const hasScipy = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0;
  if (!hasScipy) {
    console.log(`   scipy: skipped (${PYTHON} cannot import scipy; apt-get install python3-scipy)`);
  } else {
    writeForScipy(dir, specs, parsed.columns, windowParsed.columns, result.features.map((f) => f.test));
    const out = spawnSync(PYTHON, [join(REPO, 'bench', 'driftScipy.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (out.status !== 0) throw new Error(`bench/driftScipy.py failed: ${out.stderr}`);
    const answer = JSON.parse(out.stdout) as { results: { score: number | string }[]; seconds: number[] };
    const scipyMs = median(answer.seconds.map((s) => s * 1000));
    let worst = 0;
    answer.results.forEach((r, i) => {
      const theirs = typeof r.score === 'number' ? r.score : Number(r.score);
      worst = Math.max(worst, Math.abs(result.features[i].score - theirs));
    });
    console.log(`   scipy, same tests on the same arrays (already in memory, missing values dropped): median ${fmt(scipyMs, 1)} ms; ours x${fmt(scipyMs / windowMedian, 1)} faster; largest score difference ${worst.toExponential(1)}`);
    measures.push({ measure: 'drift: scipy, same tests on the window', value: scipyMs, unit: 'ms' });
    measures.push({ measure: 'drift: scipy time / ours', value: scipyMs / windowMedian, unit: 'x' });
    details.scipyMs = answer.seconds.map((s) => s * 1000);
    details.largestScoreDifference = worst;
  }
  report({ bench: 'drift', measures, details });
});
