// Entry of dist/monitorWorker.js: a deployment's monitoring, off the serving
// thread. It loads and prepares the reference once, keeps the current window,
// appends recorded requests to the bounded request log, and recomputes drift at
// most every `recomputeSeconds` when rows came (or time moved a minutes window).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import {
  RequestLog,
  RowWindow,
  STAT_TESTS,
  defaultStatTest,
  liveDrift,
  parseDataFile,
  prepareNumericFeature,
  prepareReference,
  type Columns,
  type FeatureSpec,
  type PreparedFeature,
  type PreparedReference,
  type RecordedRow,
} from '../../core/monitoring';
import type { MonitoringStatus, ReferenceInfo } from '../../protocol/monitoring';
import { VARIANT_CODES, type FromMonitor, type MonitorInit, type ToMonitor } from './monitorMessages';

/** Rows of the reference the champion predicts on, for prediction drift. */
const PREDICTION_SAMPLE_ROWS = 10_000;
const MIB = 1024 * 1024;
/**
 * While waiting for minRows, how many rows the window holds is what a person
 * watches ("waiting for 120 more requests"): reported as rows arrive, at most
 * this often, rather than only at the next recompute.
 */
const WAITING_REPORT_MS = 1000;

const init = workerData as MonitorInit;
const { spec, featureNames, categorical } = init;
/** A window smaller than minRows would never get a verdict. */
const minRows = Math.min(spec.minRows, spec.window.rows);
const post = (m: FromMonitor, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

const log = new RequestLog(init.recordDir, spec.maxRecordedMiB * MIB);
const window = new RowWindow(featureNames, spec.window.rows);
let reference: PreparedReference | undefined;
let predictionReference: PreparedFeature | undefined;
let status: MonitoringStatus = 'loading';
let message: string | null = null;
let computedAt = -1;
let lastSnapshotAt = 0;
let waitingReport: NodeJS.Timeout | undefined;

function setStatus(next: MonitoringStatus, text: string | null): void {
  status = next;
  message = text;
  post({ type: 'status', status, message, windowRows: window.size, recordedRows: log.rows });
}

/** The window starts from what was recorded before (a restart or redeploy keeps its history). */
function refillWindow(): void {
  const rows = log.recent(spec.window.rows, windowSince()).filter((r) => featureNames.every((n) => typeof r.features[n] === 'number'));
  const values = new Float64Array(rows.length * featureNames.length);
  rows.forEach((r, i) => featureNames.forEach((n, c) => (values[i * featureNames.length + c] = r.features[n])));
  const predictions = Float64Array.from(rows, (r) => (r.variant === 'champion' && typeof r.prediction === 'number' ? r.prediction : NaN));
  window.add(values, predictions, Float64Array.from(rows, (r) => r.at), rows.length);
}

function loadReference(): void {
  const started = performance.now();
  const bytes = readFileSync(init.referenceFile);
  // The model receives numbers, so every feature is read as numbers (a category's code).
  const types = Object.fromEntries(featureNames.map((n) => [n, 'numerical' as const]));
  let parsed;
  try {
    parsed = parseDataFile(bytes, basename(init.referenceSource), { types });
  } catch (err) {
    throw new Error(`${(err as Error).message}; the model receives numbers, so the reference must hold its features as numbers`);
  }
  const missing = featureNames.filter((n) => !(n in parsed.columns));
  if (missing.length) throw new Error(`the reference has no column ${missing.map((m) => `'${m}'`).join(', ')} (its columns: ${parsed.header.join(', ')})`);
  const specs: FeatureSpec[] = featureNames.map((name, i) => {
    const override = spec.features?.[name];
    return { name, type: categorical[i] ? 'categorical' : 'numerical', ...(override?.stattest ? { stattest: override.stattest } : {}), ...(override?.threshold ? { threshold: override.threshold } : {}) };
  });
  const columns: Columns = {};
  specs.forEach((s) => (columns[s.name] = s.type === 'categorical' ? Array.from(parsed.columns[s.name] as Float64Array, (v) => (Number.isFinite(v) ? v : null)) : parsed.columns[s.name]));
  reference = prepareReference(columns, specs);
  const info: ReferenceInfo = {
    source: init.referenceSource,
    rows: parsed.rows,
    features: reference.features.map((f) => {
      const distinct = 'sorted' in f ? f.distinct : f.counts.counts.size;
      const count = 'sorted' in f ? f.sorted.length : f.counts.total;
      const test = f.spec.stattest ?? defaultStatTest(f.spec.type, count, distinct);
      return { name: f.spec.name, type: f.spec.type, test, threshold: f.spec.threshold ?? STAT_TESTS[test].defaultThreshold };
    }),
    loadMs: Math.round(performance.now() - started),
  };
  // An even sample of the reference for the champion to predict on.
  const sampleRows = Math.min(parsed.rows, PREDICTION_SAMPLE_ROWS);
  const sample = new Float64Array(sampleRows * featureNames.length);
  for (let i = 0; i < sampleRows; i++) {
    const row = Math.floor((i * parsed.rows) / sampleRows);
    featureNames.forEach((n, c) => (sample[i * featureNames.length + c] = (parsed.columns[n] as Float64Array)[row]));
  }
  post({ type: 'reference', info, sample, sampleRows }, [sample.buffer as ArrayBuffer]);
}

/** Only rows of the last `window.minutes` count, as in liveDrift. */
function windowSince(): number {
  return spec.window.minutes === undefined ? -Infinity : Date.now() - spec.window.minutes * 60_000;
}

function setWaiting(windowRows: number): void {
  setStatus('waiting', `${windowRows} of the ${minRows} requests needed in the window; ${minRows - windowRows} more to go`);
}

/** A waiting count is reported a moment after rows arrive (once for a burst of them). */
function reportWaitingSoon(): void {
  if (status !== 'waiting' || !reference || waitingReport) return;
  waitingReport = setTimeout(() => {
    waitingReport = undefined;
    // A recompute in between may have given a verdict: then the count is the snapshot's.
    if (status === 'waiting') setWaiting(window.count(windowSince()));
  }, WAITING_REPORT_MS);
}

function compute(): void {
  if (!reference) return;
  const moving = spec.window.minutes !== undefined && Date.now() - lastSnapshotAt > 60_000;
  if (window.added === computedAt && !moving) return;
  computedAt = window.added;
  const result = liveDrift(reference, predictionReference, window, { driftShare: spec.driftShare, minRows, ...(spec.window.minutes !== undefined ? { windowMinutes: spec.window.minutes } : {}) });
  if (result.kind === 'waiting') return setWaiting(result.windowRows);
  lastSnapshotAt = Date.now();
  status = result.snapshot.datasetDrift ? 'drift' : 'ok';
  message = null;
  post({ type: 'snapshot', snapshot: result.snapshot, recordedRows: log.rows });
}

function onRows(m: Extract<ToMonitor, { type: 'rows' }>): void {
  window.add(m.values, Float64Array.from(m.predictions, (p, i) => (m.variants[i] === 0 ? p : NaN)), m.times, m.rows);
  const records: RecordedRow[] = [];
  const w = featureNames.length;
  for (let r = 0; r < m.rows; r++) {
    const features: Record<string, number> = {};
    featureNames.forEach((n, c) => (features[n] = m.values[r * w + c]));
    const row: RecordedRow = { at: m.times[r], variant: VARIANT_CODES[m.variants[r]] ?? 'champion', features };
    if (Number.isFinite(m.predictions[r])) row.prediction = m.predictions[r];
    records.push(row);
  }
  try {
    log.append(records);
  } catch (err) {
    setStatus(status, `recording requests failed: ${(err as Error).message}`);
  }
  reportWaitingSoon();
}

parentPort!.on('message', (m: ToMonitor) => {
  if (m.type === 'rows') onRows(m);
  else if (m.type === 'referencePredictions') {
    const finite = m.values.filter(Number.isFinite);
    predictionReference = finite.length ? prepareNumericFeature({ name: 'prediction', type: 'numerical' }, finite) : undefined;
    computedAt = -1;
    compute();
  } else if (m.type === 'stop') process.exit(0);
});

try {
  refillWindow();
} catch {
  /* an unreadable log only loses history */
}
try {
  loadReference();
  setStatus('waiting', null);
  computedAt = -1;
  compute();
} catch (err) {
  setStatus('error', `The reference ${init.referenceSource} could not be used: ${(err as Error).message}`);
}
setInterval(compute, spec.recomputeSeconds * 1000);
