import type { PipelineStatusResponse, PipelineStepStatus } from '../../protocol/pipelineApi';
import { formatDuration, formatMetricValue } from '../../protocol/displayFormat';

// A pipeline's and a step's rows in the Pipelines view as text (no vscode: unit tests read them).

export function stepDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return formatDuration(1, 1 + ms);
}

/** `lr=0.3 epochs=10`: the params a run set unlike the file. */
export function setParams(changes: NonNullable<PipelineStepStatus['differsFromLastRun']>): string {
  return changes.map((c) => `${c.param}=${c.lastRun}`).join(' ');
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
  // Stale only against the file's params, after a run with --set: what it ran with, not "stale" (the tooltip says which).
  if (step.state === 'stale' && last && step.differsFromLastRun?.length) parts.push(`ran with ${setParams(step.differsFromLastRun)}`);
  else if (step.state === 'stale' && last) parts.push('● stale');
  if (!last) parts.push('never run');
  return parts.filter(Boolean).join(' · ');
}

export function pipelineDescription(status: PipelineStatusResponse, relativePath: string): string {
  const parts = [relativePath];
  if (status.diagnostics.length) parts.push(`${status.diagnostics.length} problem${status.diagnostics.length === 1 ? '' : 's'}`);
  else if (!status.lastRun) parts.push('never run');
  else if (status.lastRun.status === 'RUNNING') parts.push(`running ${formatDuration(status.lastRun.startTime, null)}`);
  else parts.push(`${status.lastRun.status.toLowerCase()} ${formatDuration(status.lastRun.startTime, status.lastRun.endTime)}`);
  const metric = status.lastRun?.metrics?.[0];
  if (metric && status.lastRun?.status !== 'RUNNING') parts.push(`${metric.key} ${formatMetricValue(metric.value, 4)}`);
  const stale = status.steps.filter((s) => s.state === 'stale' && s.last && !s.differsFromLastRun?.length).length;
  if (stale) parts.push(`${stale} stale`);
  const overrides = Object.entries(status.lastRun?.overrides ?? {});
  if (overrides.length) parts.push(`set ${overrides.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return parts.join(' · ');
}
