import type { RunsTableRow } from '../../protocol/native';
import { formatAgo, formatDuration, formatMetricValue } from '../../protocol/displayFormat';

// A run's row in the Experiments view as text (no vscode: unit tests read it).
// A 290 px side bar shows about 32 characters of a row: what a person looks for
// (a status the icon alone would leave unsaid, the metric, how long ago) comes
// first, how long it took after; the tooltip has all of it.

// A pipeline's run names the metrics its register gates read (`evaluate/auc`),
// which the runner copies to it from its steps' runs.
export const GATE_METRICS_TAG = 'mlops.pipeline.gateMetrics';

export function formatValue(v: number | string): string {
  return formatMetricValue(v, 4);
}

/** A run's user metrics (not system/…): a pipeline run's gate metrics first, then the rest by name. */
export function orderedMetrics(run: RunsTableRow): Array<[string, number | string]> {
  const gate = gateMetricKeys(run);
  const rest = Object.keys(run.metrics)
    .filter((k) => !k.startsWith('system/') && !gate.includes(k))
    .sort();
  return [...gate, ...rest].map((k) => [k, run.metrics[k]]);
}

function gateMetricKeys(run: RunsTableRow): string[] {
  return (run.tags[GATE_METRICS_TAG] ?? '').split(',').filter((k) => k && Object.hasOwn(run.metrics, k));
}

const PREFERRED_METRICS = ['accuracy', 'acc', 'auc', 'f1', 'val_loss', 'loss'];

/** The metric that best summarises a set of user metrics (not system/…): a common name if there is one, else the first by name. */
export function preferredMetric(metrics: Record<string, number | string>): [string, number | string] | undefined {
  const keys = Object.keys(metrics)
    .filter((k) => !k.startsWith('system/'))
    .sort();
  const key = PREFERRED_METRICS.find((p) => keys.includes(p)) ?? keys[0];
  return key === undefined ? undefined : [key, metrics[key]];
}

/** The metric shown beside a run: a pipeline run's gate metric, else its preferred user metric. */
export function mainMetric(run: RunsTableRow): [string, number | string] | undefined {
  const gate = gateMetricKeys(run)[0];
  return gate ? [gate, run.metrics[gate]] : preferredMetric(run.metrics);
}

/**
 * `auc 0.91` for a step's metric `evaluate/auc`: the name it was logged under,
 * without the step in front (the tooltip keeps it).
 */
export function stepMetricText(key: string, value: number | string): string {
  const slash = key.indexOf('/');
  return `${slash > 0 ? key.slice(slash + 1) : key} ${formatValue(value)}`;
}

/** `took 3m 05s`, or empty while it has no end. */
export function tookText(start: number | null | undefined, end: number | null | undefined): string {
  return start && end ? `took ${formatDuration(start, end)}` : '';
}

/**
 * `auc 0.91 · 2h ago · took 3m 05s`; `failed · …` when it did not finish (its
 * icon says it too); `loss 0.5 · running 42s`; `deleted · …` in the list of deleted runs.
 */
export function runDescription(run: RunsTableRow, now = Date.now()): string {
  const metric = mainMetric(run);
  // A pipeline's gate metric is `<step>/<key>`: the key says what it measures; a user's own `val/loss` keeps its whole name.
  const metricText = !metric ? '' : gateMetricKeys(run).includes(metric[0]) ? stepMetricText(metric[0], metric[1]) : `${metric[0]} ${formatValue(metric[1])}`;
  const ended = run.endTime ?? run.startTime;
  let parts: string[];
  if (run.status === 'RUNNING') parts = [metricText, `running ${formatDuration(run.startTime, null, now)}`.trim()];
  else if (run.status === 'FINISHED' || run.status === 'FAILED' || run.status === 'KILLED') {
    parts = [run.status === 'FINISHED' ? '' : run.status.toLowerCase(), metricText, ended ? formatAgo(ended, now) : '', tookText(run.startTime, run.endTime)];
  } else parts = [run.status.toLowerCase(), metricText];
  if (run.lifecycleStage === 'deleted') parts.unshift('deleted');
  return parts.filter(Boolean).join(' · ');
}
