import type { PipelineStatusResponse, PipelineStepStatus } from '../../protocol/pipelineApi';
import { formatAgo, formatDuration } from '../../protocol/displayFormat';
import { stepMetricText, tookText } from '../experiments/runRowText';

// A pipeline's and a step's rows in the Pipelines view as text (no vscode: unit tests read them).
// A 290 px side bar shows about 32 characters of a row: the outcome and the
// metric first, the file last (the tooltips have all of it).

export function stepDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return formatDuration(1, 1 + ms);
}

/** `lr=0.3 epochs=10`: the params a run set unlike the file. */
export function setParams(changes: NonNullable<PipelineStepStatus['differsFromLastRun']>): string {
  return changes.map((c) => `${c.param}=${c.lastRun}`).join(' ');
}

/** `failed · 2s`, `● stale · 420 ms`, `ran with n=7 · 420 ms`, `cached`, `running 12s`, `never run`: what needs a look before how long it took. */
export function stepDescription(step: PipelineStepStatus): string {
  const last = step.last;
  if (!last) return 'never run';
  const status = last.status === 'RUNNING' ? `running ${formatDuration(last.startTime, null)}`.trim() : last.status === 'NOT_RUN' ? 'not run' : last.status === 'FINISHED' ? '' : last.status.toLowerCase();
  // Stale only against the file's params, after a run with --set: what it ran with, not "stale" (the tooltip says which).
  const stale = step.state !== 'stale' ? '' : step.differsFromLastRun?.length ? `ran with ${setParams(step.differsFromLastRun)}` : '● stale';
  const finished = last.status !== 'RUNNING' && last.status !== 'PENDING' && last.status !== 'NOT_RUN';
  const took = !finished ? '' : last.cached ? 'cached' : stepDuration(last.durationMs);
  return [status, stale, took].filter(Boolean).join(' · ');
}

/**
 * `2h ago · auc 0.91 · 2 stale · set n=7 · took 3m 05s · pipes/churn.pipeline.yaml`
 * (`failed 2h ago · …`): the last outcome and the metric its gate read first,
 * the file (the label is the pipeline's name) last.
 */
export function pipelineDescription(status: PipelineStatusResponse, relativePath: string, now = Date.now()): string {
  const last = status.lastRun;
  const parts: string[] = [];
  if (status.diagnostics.length) parts.push(`${status.diagnostics.length} problem${status.diagnostics.length === 1 ? '' : 's'}`);
  else if (!last) parts.push('never run');
  else if (last.status === 'RUNNING') parts.push(`running ${formatDuration(last.startTime, null, now)}`.trim());
  else {
    const ended = last.endTime ?? last.startTime;
    // A finished run's outcome is its icon (and the tooltip's): the row says only when; any other outcome is said first.
    parts.push(`${last.status === 'FINISHED' ? '' : last.status.toLowerCase()} ${ended ? formatAgo(ended, now) : ''}`.trim());
    const metric = last.metrics?.[0];
    if (metric) parts.push(stepMetricText(metric.key, metric.value));
  }
  const stale = status.steps.filter((s) => s.state === 'stale' && s.last && !s.differsFromLastRun?.length).length;
  if (stale) parts.push(`${stale} stale`);
  const overrides = Object.entries(last?.overrides ?? {});
  if (overrides.length) parts.push(`set ${overrides.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (last && last.status !== 'RUNNING') parts.push(tookText(last.startTime, last.endTime));
  parts.push(relativePath);
  return parts.filter(Boolean).join(' · ');
}
