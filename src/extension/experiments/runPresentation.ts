import * as vscode from 'vscode';
import type { RunsTableRow } from '../../protocol/native';

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

export function formatDuration(start: number | null, end: number | null, now = Date.now()): string {
  if (!start) return '';
  const s = Math.max(0, Math.round(((end ?? now) - start) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatValue(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toPrecision(4).replace(/\.?0+$/, '') : v.toExponential(2);
}

/** The metric shown beside a run: a user metric (not system/…), preferring common names. */
export function mainMetric(run: RunsTableRow): [string, number | string] | undefined {
  const keys = Object.keys(run.metrics).filter((k) => !k.startsWith('system/'));
  const preferred = ['accuracy', 'acc', 'auc', 'f1', 'val_loss', 'loss'];
  const key = preferred.find((p) => keys.includes(p)) ?? keys.sort()[0];
  return key === undefined ? undefined : [key, run.metrics[key]];
}

export function runTooltip(run: RunsTableRow): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(run.runName)}** · ${run.status}\n\n`);
  md.appendMarkdown(`\`${run.runId}\`\n\n`);
  const params = Object.entries(run.params);
  if (params.length) md.appendMarkdown(`Params: ${params.slice(0, 12).map(([k, v]) => `${escape(k)}=\`${escape(v.slice(0, 40))}\``).join(', ')}${params.length > 12 ? ' …' : ''}\n\n`);
  const metrics = Object.entries(run.metrics).filter(([k]) => !k.startsWith('system/'));
  if (metrics.length) md.appendMarkdown(`Metrics: ${metrics.slice(0, 12).map(([k, v]) => `${escape(k)}=${formatValue(v)}`).join(', ')}\n\n`);
  return md;
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
