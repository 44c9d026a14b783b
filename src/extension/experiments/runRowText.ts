import type { RunsTableRow } from '../../protocol/native';
import { formatDuration, formatMetricValue } from '../../protocol/displayFormat';

// A run's row in the Experiments view as text (no vscode: unit tests read it).

// A pipeline's run names the metrics its register gates read (`evaluate/auc`),
// which the runner copies to it from its steps' runs.
export const GATE_METRICS_TAG = 'mlops.pipeline.gateMetrics';

export function formatValue(v: number | string): string {
  return formatMetricValue(v, 4);
}

/** A run's user metrics (not system/…): a pipeline run's gate metrics first, then the rest by name. */
export function orderedMetrics(run: RunsTableRow): Array<[string, number | string]> {
  const gate = (run.tags[GATE_METRICS_TAG] ?? '').split(',').filter((k) => k && Object.hasOwn(run.metrics, k));
  const rest = Object.keys(run.metrics)
    .filter((k) => !k.startsWith('system/') && !gate.includes(k))
    .sort();
  return [...gate, ...rest].map((k) => [k, run.metrics[k]]);
}

/** The metric shown beside a run: a pipeline run's gate metric, else a user metric (not system/…), preferring common names. */
export function mainMetric(run: RunsTableRow): [string, number | string] | undefined {
  const ordered = orderedMetrics(run);
  const gate = (run.tags[GATE_METRICS_TAG] ?? '').split(',').find((k) => k && Object.hasOwn(run.metrics, k));
  if (gate) return [gate, run.metrics[gate]];
  const keys = ordered.map(([k]) => k);
  const preferred = ['accuracy', 'acc', 'auc', 'f1', 'val_loss', 'loss'];
  const key = preferred.find((p) => keys.includes(p)) ?? keys[0];
  return key === undefined ? undefined : [key, run.metrics[key]];
}

export function runDescription(run: RunsTableRow): string {
  const metric = mainMetric(run);
  const text = [formatDuration(run.startTime, run.endTime), metric ? `${metric[0]} ${formatValue(metric[1])}` : ''].filter(Boolean).join(' · ');
  return run.lifecycleStage === 'deleted' ? `deleted · ${text}` : text;
}
