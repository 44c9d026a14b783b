// A deployment's monitoring, main-thread side: samples the requests the models
// answer, turns them into feature rows, and hands them in batches to the monitor
// worker (which records, windows and computes drift). It also has the champion
// predict on a sample of the reference, the baseline of prediction drift.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { LiveDriftSnapshot } from '../../core/monitoring';
import type { FeatureLayout } from '../../core/serving/featureRows';
import type { NamedTensors } from '../../core/serving/tensorTypes';
import type { MonitoringSpec, MonitoringStatus, ReferenceInfo } from '../../protocol/monitoring';
import type { FromMonitor, MonitorInit, ToMonitor } from './monitorMessages';
import type { LoadedVariant } from './variantLoader';
import { RecordSampler } from './recordSampler';

const FLUSH_MS = 200;
const FLUSH_ROWS = 4096;
/** Rows per onnxruntime call when predicting on the reference sample. */
const PREDICT_CHUNK = 1000;

export interface MonitorEvents {
  status(status: MonitoringStatus, message: string | null, windowRows: number, recordedRows: number): void;
  reference(info: ReferenceInfo): void;
  snapshot(snapshot: LiveDriftSnapshot, recordedRows: number): void;
  log(line: string): void;
}

export interface MonitorOptions {
  spec: MonitoringSpec;
  layout: FeatureLayout;
  referenceFile: string;
  referenceSource: string;
  recordDir: string;
  /** The model whose predictions on the reference are prediction drift's baseline. */
  champion: LoadedVariant;
  /** Shadow copies repeat the champion's input: only the champion's rows are recorded. */
  shadow: boolean;
  events: MonitorEvents;
  /** dist/monitorWorker.js (beside dist/deployment.js). */
  workerFile?: string;
}

export class DeploymentMonitor {
  private readonly worker: Worker;
  private pending: { values: Float64Array; predictions: Float64Array | undefined; rows: number; at: number; variant: number }[] = [];
  private pendingRows = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly sampler: RecordSampler;
  latest: LiveDriftSnapshot | undefined;

  constructor(private readonly o: MonitorOptions) {
    this.sampler = new RecordSampler(o.spec.sampleRate, o.spec.maxRowsPerSecond);
    const init: MonitorInit = {
      spec: o.spec,
      featureNames: o.layout.names,
      categorical: o.layout.categorical,
      referenceFile: o.referenceFile,
      referenceSource: o.referenceSource,
      recordDir: o.recordDir,
    };
    this.worker = new Worker(o.workerFile ?? join(__dirname, 'monitorWorker.js'), { workerData: init });
    this.worker.unref();
    this.worker.on('message', (m: FromMonitor) => this.onMessage(m));
    this.worker.on('error', (err) => o.events.status('error', `monitoring stopped: ${err.message}`, 0, 0));
  }

  get featureNames(): readonly string[] {
    return this.o.layout.names;
  }

  /** A request a variant answered: sampled, then queued for the worker. */
  record(variant: 'champion' | 'challenger', feeds: NamedTensors, results: NamedTensors): void {
    if (this.stopped || (this.o.shadow && variant === 'challenger')) return;
    const at = Date.now();
    if (!this.sampler.admit(rowsOf(feeds), at)) return;
    const rows = this.o.layout.read(feeds, results);
    if (!rows || rows.rows === 0) return;
    this.pending.push({ values: rows.values, predictions: rows.predictions, rows: rows.rows, at, variant: variant === 'champion' ? 0 : 1 });
    this.pendingRows += rows.rows;
    if (this.pendingRows >= FLUSH_ROWS) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingRows === 0 || this.stopped) return;
    const width = this.o.layout.names.length;
    const n = this.pendingRows;
    const values = new Float64Array(n * width);
    const predictions = new Float64Array(n).fill(NaN);
    const times = new Float64Array(n);
    const variants = new Uint8Array(n);
    let at = 0;
    for (const p of this.pending) {
      values.set(p.values, at * width);
      if (p.predictions) predictions.set(p.predictions, at);
      times.fill(p.at, at, at + p.rows);
      variants.fill(p.variant, at, at + p.rows);
      at += p.rows;
    }
    this.pending = [];
    this.pendingRows = 0;
    this.post({ type: 'rows', rows: n, values, predictions, times, variants }, [values.buffer, predictions.buffer, times.buffer, variants.buffer]);
  }

  private post(m: ToMonitor, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private onMessage(m: FromMonitor): void {
    if (m.type === 'status') this.o.events.status(m.status, m.message, m.windowRows, m.recordedRows);
    else if (m.type === 'snapshot') {
      this.latest = m.snapshot;
      this.o.events.snapshot(m.snapshot, m.recordedRows);
    } else if (m.type === 'reference') {
      this.o.events.reference(m.info);
      void this.predictOnReference(m.sample, m.sampleRows);
    }
  }

  /** The champion's predictions on the reference sample, in chunks between live requests. */
  private async predictOnReference(sample: Float64Array, rows: number): Promise<void> {
    const width = this.o.layout.names.length;
    const out = new Float64Array(rows).fill(NaN);
    try {
      for (let start = 0; start < rows && !this.stopped; start += PREDICT_CHUNK) {
        const n = Math.min(PREDICT_CHUNK, rows - start);
        const chunk = sample.subarray(start * width, (start + n) * width);
        const feeds = this.o.layout.feeds(chunk, n);
        const results = await this.o.champion.served.session.run(feeds);
        const read = this.o.layout.read(feeds, results);
        if (!read?.predictions) return; // no single numeric output: no prediction drift
        out.set(read.predictions, start);
      }
    } catch (err) {
      this.o.events.log(`prediction drift is off: the champion could not predict on the reference (${(err as Error).message})`);
      return;
    }
    if (!this.stopped) this.post({ type: 'referencePredictions', values: out }, [out.buffer]);
  }

  async dispose(): Promise<void> {
    this.flush();
    this.stopped = true;
    this.post({ type: 'stop' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000);
      this.worker.once('exit', () => (clearTimeout(timer), resolve()));
    });
  }
}

/** A request's row count: its first input's first dimension (1 for a scalar input). */
function rowsOf(feeds: NamedTensors): number {
  for (const name in feeds) return feeds[name].dims[0] ?? 1;
  return 0;
}
