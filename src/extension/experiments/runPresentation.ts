import * as vscode from 'vscode';
import type { RunsTableRow } from '../../protocol/native';
import { formatAgo, formatDuration, formatTime } from '../../protocol/displayFormat';
import { formatValue, GATE_METRICS_TAG, orderedMetrics } from './runRowText';

// How a run looks in lists: icon by status and the tooltip (the row's text is
// runRowText's). Kept apart from the tree so the table can share it.

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

export function runTooltip(run: RunsTableRow): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(run.runName)}** · ${run.status}\n\n`);
  md.appendMarkdown(`\`${run.runId}\`\n\n`);
  if (run.startTime) {
    const end = run.endTime ? ` · ended ${formatTime(run.endTime)} (${formatAgo(run.endTime)}) · took ${formatDuration(run.startTime, run.endTime)}` : '';
    md.appendMarkdown(`Started ${formatTime(run.startTime)}${end}\n\n`);
  }
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
