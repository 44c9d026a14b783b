import * as vscode from 'vscode';
import type { RunsTableRow } from '../../protocol/native';
import { formatMetricValue } from '../../protocol/displayFormat';

// How a run looks in lists: icon by status, a short duration, the metric that
// best summarises it. Kept apart from the tree so the table can share it.

export function statusIcon(status: string): vscode.ThemeIcon {
  switch (status) {
    case 'RUNNING':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    case 'FINISHED':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'FAILED':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'KILLED':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconSkipped'));
    default:
      return new vscode.ThemeIcon('clock');
  }
}

/** Durations and values read as everywhere else (protocol/displayFormat); compact values in lists. */
export { formatDuration } from '../../protocol/displayFormat';
export function formatValue(v: number | string): string {
  return formatMetricValue(v, 4);
}

// A pipeline's run names the metrics its register gates read (`evaluate/auc`),
// which the runner copies to it from its steps' runs.
const GATE_METRICS_TAG = 'mlops.pipeline.gateMetrics';

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

export function runTooltip(run: RunsTableRow): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(run.runName)}** · ${run.status}\n\n`);
  md.appendMarkdown(`\`${run.runId}\`\n\n`);
  const params = Object.entries(run.params);
  if (params.length) md.appendMarkdown(`Params: ${params.slice(0, 12).map(([k, v]) => `${escape(k)}=\`${escape(v.slice(0, 40))}\``).join(', ')}${params.length > 12 ? ' …' : ''}\n\n`);
  const metrics = orderedMetrics(run);
  const gate = new Set((run.tags[GATE_METRICS_TAG] ?? '').split(','));
  if (metrics.length) md.appendMarkdown(`Metrics: ${metrics.slice(0, 12).map(([k, v]) => `${escape(k)}=${formatValue(v)}${gate.has(k) ? ' (gate)' : ''}`).join(', ')}${metrics.length > 12 ? ' …' : ''}\n\n`);
  return md;
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
