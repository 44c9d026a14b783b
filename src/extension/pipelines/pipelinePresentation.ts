import * as vscode from 'vscode';
import type { PipelineStatusResponse, PipelineStepStatus } from '../../protocol/pipelineApi';
import { formatAgo, formatDuration, formatMetricValue, formatTime } from '../../protocol/displayFormat';
import { statusIcon } from '../experiments/runPresentation';
import { setParams, stepDuration } from './pipelineRowText';

// How pipelines and their steps look in the Pipelines view: icon by the last
// outcome, badges for cached and stale, the why in the tooltip.

export function stepIcon(step: PipelineStepStatus): vscode.ThemeIcon {
  const last = step.last;
  if (!last) return new vscode.ThemeIcon('circle-large-outline');
  if (last.status === 'PENDING') return new vscode.ThemeIcon('clock', new vscode.ThemeColor('charts.blue'));
  if (last.status === 'NOT_RUN') return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  if (last.status === 'FINISHED' && last.cached) return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
  return statusIcon(last.status);
}

export function stepTooltip(step: PipelineStepStatus): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(step.name)}** (${step.kind === 'register' ? 'register step' : 'command'})\n\n`);
  const changes = step.state === 'stale' ? step.differsFromLastRun : undefined;
  if (changes?.length) {
    md.appendMarkdown(`Up to date for the last run's params (${escape(setParams(changes))}, set with --set).\n\n`);
    md.appendMarkdown(`Stale against the file's defaults, not the last run: differs from the last run's params: ${changes.map((c) => `${escape(c.param)} ${escape(c.lastRun)} → file default ${escape(c.fileDefault)}`).join(', ')}. Running the pipeline with the file's params runs this step again.\n\n`);
  } else {
    const verdict = step.state === 'stale' ? 'Stale' : step.state === 'up to date' ? 'Up to date' : step.state === 'always runs' ? 'Always runs' : 'Unknown';
    md.appendMarkdown(`${verdict}${step.why ? `: ${escape(step.why)}` : ''}\n\n`);
  }
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

/** The pipeline's row: its last run, what its steps measured (the gates' metrics first), what it set, what is stale. */
export function pipelineTooltip(status: PipelineStatusResponse, relativePath: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const last = status.lastRun;
  if (!last) {
    md.appendMarkdown(`**${escape(status.name)}** · \`${relativePath}\`: never run`);
    return md;
  }
  const ended = last.endTime ? ` · ended ${formatTime(last.endTime)} (${formatAgo(last.endTime)}) · took ${formatDuration(last.startTime, last.endTime)}` : '';
  md.appendMarkdown(`**${escape(status.name)}** · \`${relativePath}\`\n\n`);
  md.appendMarkdown(`Last run \`${last.runId}\` ${last.status.toLowerCase()}${last.startTime ? ` · started ${formatTime(last.startTime)}` : ''}${ended}\n\n`);
  const metrics = last.metrics ?? [];
  if (metrics.length) {
    md.appendMarkdown(`${metrics.slice(0, 12).map((m) => `${escape(m.key)} ${formatMetricValue(m.value, 4)}${m.gate ? ' (gate)' : ''}`).join('  \n')}${metrics.length > 12 ? '  \n…' : ''}\n\n`);
  } else md.appendMarkdown('No metrics logged by its steps.\n\n');
  const overrides = Object.entries(last.overrides ?? {});
  if (overrides.length) md.appendMarkdown(`Ran with --set ${overrides.map(([k, v]) => `${escape(k)}=${escape(v)}`).join(' ')} (unlike the file's defaults).\n\n`);
  const stale = status.steps.filter((s) => s.state === 'stale' && s.last);
  const againstDefaults = stale.filter((s) => s.differsFromLastRun?.length).map((s) => s.name);
  const reallyStale = stale.filter((s) => !s.differsFromLastRun?.length).map((s) => s.name);
  if (reallyStale.length) md.appendMarkdown(`Stale: ${reallyStale.map(escape).join(', ')}\n\n`);
  if (againstDefaults.length) md.appendMarkdown(`Up to date for the last run's params; with the file's defaults ${againstDefaults.map(escape).join(', ')} would run again.\n\n`);
  return md;
}

export function pipelineIcon(status: PipelineStatusResponse): vscode.ThemeIcon {
  if (status.diagnostics.length) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return status.lastRun ? statusIcon(status.lastRun.status) : new vscode.ThemeIcon('type-hierarchy');
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
