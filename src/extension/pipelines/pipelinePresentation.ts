import * as vscode from 'vscode';
import type { PipelineStatusResponse, PipelineStepStatus } from '../../protocol/pipelineApi';
import { formatDuration, formatTime } from '../../protocol/displayFormat';
import { statusIcon } from '../experiments/runPresentation';

// How pipelines and their steps look in the Pipelines view: icon by the last
// outcome, badges for cached and stale, the why in the tooltip.

export function stepDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return formatDuration(1, 1 + ms);
}

export function stepIcon(step: PipelineStepStatus): vscode.ThemeIcon {
  const last = step.last;
  if (!last) return new vscode.ThemeIcon('circle-large-outline');
  if (last.status === 'PENDING') return new vscode.ThemeIcon('clock', new vscode.ThemeColor('charts.blue'));
  if (last.status === 'NOT_RUN') return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  if (last.status === 'FINISHED' && last.cached) return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
  return statusIcon(last.status);
}

export function stepDescription(step: PipelineStepStatus): string {
  const parts: string[] = [];
  const last = step.last;
  if (last?.status === 'RUNNING') parts.push(`running ${formatDuration(last.startTime, null)}`);
  else if (last?.status === 'PENDING') parts.push('pending');
  else if (last?.status === 'FAILED' || last?.status === 'KILLED') parts.push(last.status.toLowerCase());
  else if (last?.status === 'NOT_RUN') parts.push('not run');
  if (last && last.status !== 'RUNNING' && last.status !== 'PENDING' && last.status !== 'NOT_RUN' && !last.cached) parts.push(stepDuration(last.durationMs));
  if (last?.cached) parts.push('cached');
  if (step.state === 'stale' && last) parts.push('● stale');
  if (!last) parts.push('never run');
  return parts.filter(Boolean).join(' · ');
}

export function stepTooltip(step: PipelineStepStatus): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(step.name)}** (${step.kind === 'register' ? 'register step' : 'command'})\n\n`);
  const verdict = step.state === 'stale' ? 'Stale' : step.state === 'up to date' ? 'Up to date' : step.state === 'always runs' ? 'Always runs' : 'Unknown';
  md.appendMarkdown(`${verdict}${step.why ? `: ${escape(step.why)}` : ''}\n\n`);
  const last = step.last;
  if (last) {
    const when = last.startTime ? ` · ${formatTime(last.startTime)}` : '';
    md.appendMarkdown(`Last: ${last.cached ? 'cached' : last.status.toLowerCase()}${last.durationMs !== null && !last.cached ? ` in ${stepDuration(last.durationMs)}` : ''}${when}\n\n`);
    if (last.reason && !last.cached) md.appendMarkdown(`${escape(last.reason)}\n\n`);
    if (last.runId) md.appendMarkdown(`Run \`${last.runId}\`\n\n`);
  } else md.appendMarkdown('Never run.\n\n');
  if (step.needs.length) md.appendMarkdown(`Needs: ${step.needs.map(escape).join(', ')}\n\n`);
  if (step.deps.length) md.appendMarkdown(`Deps: ${step.deps.map((d) => `\`${d}\``).join(', ')}\n\n`);
  if (step.outs.length) md.appendMarkdown(`Outs: ${step.outs.map((d) => `\`${d}\``).join(', ')}\n\n`);
  return md;
}

export function pipelineDescription(status: PipelineStatusResponse, relativePath: string): string {
  const parts = [relativePath];
  if (status.diagnostics.length) parts.push(`${status.diagnostics.length} problem${status.diagnostics.length === 1 ? '' : 's'}`);
  else if (!status.lastRun) parts.push('never run');
  else if (status.lastRun.status === 'RUNNING') parts.push(`running ${formatDuration(status.lastRun.startTime, null)}`);
  else parts.push(`${status.lastRun.status.toLowerCase()} ${formatDuration(status.lastRun.startTime, status.lastRun.endTime)}`);
  const stale = status.steps.filter((s) => s.state === 'stale' && s.last).length;
  if (stale) parts.push(`${stale} stale`);
  return parts.join(' · ');
}

export function pipelineIcon(status: PipelineStatusResponse): vscode.ThemeIcon {
  if (status.diagnostics.length) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return status.lastRun ? statusIcon(status.lastRun.status) : new vscode.ThemeIcon('type-hierarchy');
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
