// What the deployment counts, for /metrics and the backend's stats messages.
// Latency buckets run from 100 µs (a batched small model answers in well under a
// millisecond) to 10 s (a large model under load).
import type { BatchRecord } from '../../core/serving/batchStats';
import { Histogram, LabelledValues, labelText, type Labels } from './promText';
import type { LiveDriftSnapshot } from '../../core/monitoring';

export type Protocol = 'oip' | 'mlflow' | 'kserve_v1';
export type VariantName = 'champion' | 'challenger';

export interface RequestRecord {
  model: string;
  version: string;
  variant: VariantName;
  protocol: Protocol;
  status: number;
  seconds: number;
}

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ROW_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];
/** Latencies kept for the stats message's percentiles, between two messages. */
const WINDOW_LIMIT = 50_000;

export class DeploymentMetrics {
  private readonly requests = new LabelledValues();
  private readonly latency = new Histogram(LATENCY_BUCKETS);
  private readonly batchRows = new Histogram(ROW_BUCKETS);
  private readonly feedback = new LabelledValues();
  private readonly accuracy = new LabelledValues();
  private readonly meanAbsoluteError = new LabelledValues();
  private modelInfo = new LabelledValues();
  private drift: LiveDriftSnapshot | undefined;
  private readonly byVariant: Record<VariantName, { requests: number; errors: number }> = { champion: { requests: 0, errors: 0 }, challenger: { requests: 0, errors: 0 } };
  inFlight = 0;
  total = 0;
  errors = 0;
  private window: number[] = [];
  /** The label texts of a request's series, by a cheap key: rendering labels is most of a request's metrics cost otherwise. */
  private readonly requestLabels = new Map<string, { requests: string; latency: { text: string; labels: Labels } }>();

  /**
   * A request a client sent, or a shadow copy (never returned): both in /metrics,
   * but only clients' requests in the editor's counters and percentiles.
   */
  request(r: RequestRecord, shadowCopy = false): void {
    const labels = this.labelsOf(r);
    this.requests.addRendered(labels.requests);
    this.latency.observeRendered(labels.latency.text, labels.latency.labels, r.seconds);
    if (shadowCopy) return;
    this.total++;
    this.byVariant[r.variant].requests++;
    if (r.status >= 400) {
      this.errors++;
      this.byVariant[r.variant].errors++;
    }
    if (this.window.length < WINDOW_LIMIT) this.window.push(r.seconds * 1000);
  }

  private labelsOf(r: RequestRecord) {
    const key = `${r.variant} ${r.protocol} ${r.status} ${r.model} ${r.version}`;
    let labels = this.requestLabels.get(key);
    if (!labels) {
      const latency = { variant: r.variant, protocol: r.protocol };
      labels = {
        requests: labelText({ model: r.model, version: r.version, variant: r.variant, protocol: r.protocol, status: String(r.status) }),
        latency: { text: labelText(latency), labels: latency },
      };
      this.requestLabels.set(key, labels);
    }
    return labels;
  }

  batch(variant: VariantName, record: BatchRecord): void {
    if (record.outcome !== 'split') this.batchRows.observe({ variant }, record.rows);
  }

  setModels(variants: readonly { name: string; model: string; version: string }[]): void {
    const info = new LabelledValues();
    for (const v of variants) info.set({ variant: v.name, model: v.model, version: v.version }, 1);
    this.modelInfo = info;
  }

  setFeedback(variant: VariantName, count: number, accuracy: number | undefined, mae: number | undefined): void {
    this.feedback.set({ variant }, count);
    if (accuracy !== undefined) this.accuracy.set({ variant }, accuracy);
    if (mae !== undefined) this.meanAbsoluteError.set({ variant }, mae);
  }

  /** Clients' requests and errors per variant (shadow copies excluded). */
  variantCounts(variant: VariantName): { requests: number; errors: number } {
    return { ...this.byVariant[variant] };
  }

  /** The latest drift of the current window (undefined: none yet, or monitoring off). */
  setDrift(snapshot: LiveDriftSnapshot | undefined): void {
    this.drift = snapshot;
  }

  /** p50/p99 of the requests since the last call, then a fresh window. */
  takeWindow(): { p50Ms: number | null; p99Ms: number | null } {
    const sorted = this.window.sort((a, b) => a - b);
    this.window = [];
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
    return { p50Ms: at(0.5), p99Ms: at(0.99) };
  }

  exposition(): string {
    return [
      this.requests.render('mlops_requests_total', 'Inference requests by model, version, variant, protocol and HTTP status (shadow copies included).', 'counter'),
      this.latency.render('mlops_request_duration_seconds', 'Time to answer an inference request, from its arrival to its last byte.'),
      `# HELP mlops_requests_in_flight Inference requests being answered.\n# TYPE mlops_requests_in_flight gauge\nmlops_requests_in_flight ${this.inFlight}\n`,
      this.batchRows.render('mlops_batch_rows', 'Rows per onnxruntime call (dynamic batching coalesces concurrent requests).'),
      this.modelInfo.render('mlops_model_info', 'The model version each variant serves.', 'gauge'),
      this.feedback.render('mlops_feedback_total', 'Predictions labelled through POST /v1/feedback.', 'counter'),
      this.accuracy.render('mlops_live_accuracy', 'Share of labelled predictions that were right (classifiers).', 'gauge'),
      this.meanAbsoluteError.render('mlops_live_mean_absolute_error', 'Mean absolute error of labelled predictions (regressors).', 'gauge'),
      this.driftExposition(),
    ].join('');
  }

  /** Drift scores as gauges: per feature (and the prediction) its score and verdict, then the data set's. */
  private driftExposition(): string {
    const d = this.drift;
    if (!d) return '';
    const score = new LabelledValues();
    const drifted = new LabelledValues();
    for (const f of [...d.features, ...(d.prediction ? [d.prediction] : [])]) {
      if (f.error) continue;
      score.set({ feature: f.feature, test: f.test, score_kind: f.scoreKind }, f.score);
      drifted.set({ feature: f.feature }, f.drifted ? 1 : 0);
    }
    return [
      score.render('mlops_drift_score', 'Drift score per feature ("prediction": the model output) on the current window: a p-value (drift when below the threshold) or a distance (drift when above), by score_kind.', 'gauge'),
      drifted.render('mlops_drift_detected', 'Whether the feature drifted on the current window (1) or not (0).', 'gauge'),
      `# HELP mlops_drift_share Share of features that drifted on the current window.\n# TYPE mlops_drift_share gauge\nmlops_drift_share ${d.driftedShare}\n`,
      `# HELP mlops_dataset_drift Whether the data set drifted (the drifted share reached drift_share).\n# TYPE mlops_dataset_drift gauge\nmlops_dataset_drift ${d.datasetDrift ? 1 : 0}\n`,
      `# HELP mlops_drift_window_rows Requests in the current drift window.\n# TYPE mlops_drift_window_rows gauge\nmlops_drift_window_rows ${d.windowRows}\n`,
    ].join('');
  }
}
