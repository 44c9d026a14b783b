// How a step reads in the graph: its box's status (from its last execution),
// the badges beside it and the lines of its tooltip. Pure, so the report the
// tests read and the drawing cannot disagree.
import type { DagNodeStatus } from '../../src/protocol/pipelineDagMessages';
import type { PipelineStepStatus } from '../../src/protocol/pipelineApi';
import * as display from '../../src/protocol/displayFormat';

export function nodeStatus(step: PipelineStepStatus): DagNodeStatus {
  const last = step.last;
  if (!last) return 'never';
  switch (last.status) {
    case 'RUNNING':
      return 'running';
    case 'PENDING':
      return 'pending';
    case 'FAILED':
      return 'failed';
    case 'KILLED':
      return 'killed';
    case 'NOT_RUN':
      return 'not-run';
    case 'FINISHED':
      return last.cached ? 'cached' : 'finished';
    default:
      return 'never';
  }
}

export const STATUS_LABEL: Record<DagNodeStatus, string> = {
  finished: 'finished',
  cached: 'cached',
  failed: 'failed',
  running: 'running…',
  pending: 'pending',
  killed: 'killed',
  'not-run': 'not run',
  never: 'never run',
};

/** Legend order and wording. */
export const LEGEND: [DagNodeStatus, string][] = [
  ['finished', 'finished'],
  ['cached', 'cached'],
  ['running', 'running'],
  ['pending', 'pending'],
  ['failed', 'failed'],
  ['killed', 'killed'],
  ['not-run', 'not run'],
  ['never', 'never run'],
];

export type Badge = 'cached' | 'stale' | 'set' | 'always';

/** Small labels beside the status: reused from the cache, and what a run now would do when it is not "up to date". */
export function badges(step: PipelineStepStatus): Badge[] {
  const out: Badge[] = [];
  if (step.last?.cached) out.push('cached');
  // Stale only against the file's params after a run with --set: "set", not "stale" (the tooltip says which params).
  if (step.state === 'stale' && step.differsFromLastRun?.length) out.push('set');
  else if (step.state === 'stale') out.push('stale');
  else if (step.state === 'always runs') out.push('always');
  return out;
}

/** `42s`, `3m 05s`; while running, the time so far; empty when unknown. */
export function durationText(step: PipelineStepStatus, now = Date.now()): string {
  const last = step.last;
  // A cached step's time is the cache check's, not the work's: say nothing rather than "3 ms".
  if (!last || last.cached) return '';
  // The one duration format of the product (displayFormat) counts from a start time.
  if (last.durationMs !== null) return display.formatDuration(1, 1 + last.durationMs);
  if (last.status === 'RUNNING' && last.startTime) return display.formatDuration(last.startTime, null, now);
  return '';
}

/** The tooltip: what a run now would do and why, what the last run did, and the step's files. */
export function tooltipLines(step: PipelineStepStatus): { label: string; text: string }[] {
  const lines: { label: string; text: string }[] = [];
  const set = step.state === 'stale' ? step.differsFromLastRun : undefined;
  if (set?.length) {
    const params = set.map((c) => `${c.param} ${c.lastRun} → file default ${c.fileDefault}`).join(', ');
    lines.push({ label: 'Now', text: `up to date for the last run's params; stale against the file's defaults: ${params}` });
  } else lines.push({ label: 'Now', text: step.why ? `${step.state}: ${step.why}` : step.state });
  const last = step.last;
  if (!last) lines.push({ label: 'Last run', text: 'never run' });
  else {
    const parts = [last.cached ? `${last.status.toLowerCase()} (cached: reused run ${last.runId.slice(0, 8)})` : last.status.toLowerCase()];
    const duration = durationText(step);
    if (duration) parts.push(duration);
    if (last.startTime) parts.push(display.formatTime(last.startTime));
    lines.push({ label: 'Last run', text: parts.join(' · ') });
    if (last.reason) lines.push({ label: 'Reason', text: last.reason });
  }
  if (step.needs.length) lines.push({ label: 'Needs', text: step.needs.join(', ') });
  if (step.deps.length) lines.push({ label: 'Deps', text: step.deps.join(', ') });
  if (step.outs.length) lines.push({ label: 'Outs', text: step.outs.join(', ') });
  return lines;
}
