import type { TrackingStore } from '../tracking/trackingStore';
import type { RunStatus } from '../tracking/types';
import { GATE_METRICS_TAG, OVERRIDES_TAG, parseOverrides } from './pipelineResults';

/** Tag on a pipeline's parent run, one per step that ended: `mlops.stepOutcome.<step>` = JSON StepOutcome. */
export const STEP_OUTCOME_TAG = 'mlops.stepOutcome.';

export interface StepOutcome {
  /** PENDING: planned by the pipeline run in progress, not started yet. */
  status: RunStatus | 'NOT_RUN' | 'PENDING';
  runId: string | null;
  cached: boolean;
  durationMs: number | null;
  reason: string | null;
}

export interface StepLastRun extends StepOutcome {
  /** The step's own run (or, when cached, the run that produced its outs). */
  runId: string | null;
  startTime: number | null;
  /** The pipeline run this came from. */
  pipelineRunId: string;
}

export interface PipelineHistory {
  lastRun: {
    runId: string;
    status: RunStatus;
    startTime: number | null;
    endTime: number | null;
    /** Its steps' latest metrics as `<step>/<key>`: the gates' first, then by step (file order) and key. */
    metrics: Array<{ key: string; value: number; gate: boolean }>;
    /** The params it set unlike the file's defaults (`--set`). */
    overrides: Record<string, string>;
  } | null;
  /** Per step, its latest execution among the recent runs of the file (a `--step` run leaves the others as before). */
  steps: Map<string, StepLastRun>;
}

const RECENT_PIPELINE_RUNS = 10;

/**
 * What the last runs of a pipeline file did with each step: a running step's
 * live child run, else the outcome its parent run recorded (ran, cached, failed,
 * not run). Reads only the pipeline's experiment, newest first, through the
 * runs-by-experiment index.
 */
export function pipelineHistory(tracking: TrackingStore, o: { file: string; experiment?: string; steps: readonly string[] }): PipelineHistory {
  const db = tracking.store.db;
  const experiment = db.prepare('SELECT experiment_id FROM experiments WHERE name = ?').pluck().get(o.experiment ?? 'Default') as number | undefined;
  const steps = new Map<string, StepLastRun>();
  if (experiment === undefined) return { lastRun: null, steps };
  const parents = db
    .prepare(
      `SELECT r.run_uuid AS runId, r.status, r.start_time AS startTime, r.end_time AS endTime,
              (SELECT value FROM tags WHERE run_uuid = r.run_uuid AND key = 'mlops.pipeline.steps') AS planned
       FROM runs r
       JOIN tags t ON t.run_uuid = r.run_uuid AND t.key = 'mlops.pipeline.file'
       WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' AND t.value = ?
       ORDER BY r.start_time DESC LIMIT ?`,
    )
    .all(experiment, o.file, RECENT_PIPELINE_RUNS) as Array<{ runId: string; status: RunStatus; startTime: number | null; endTime: number | null; planned: string | null }>;
  const children = db.prepare(
    `SELECT r.run_uuid AS runId, r.status, r.start_time AS startTime, r.end_time AS endTime,
            (SELECT value FROM tags WHERE run_uuid = r.run_uuid AND key = 'mlops.pipeline.step') AS step,
            (SELECT value FROM tags WHERE run_uuid = r.run_uuid AND key = 'mlops.endReason') AS reason
     FROM runs r JOIN tags p ON p.run_uuid = r.run_uuid AND p.key = 'mlflow.parentRunId'
     WHERE r.experiment_id = ? AND r.start_time >= ? AND p.value = ?
     ORDER BY r.start_time DESC`,
  );
  const outcomes = db.prepare(`SELECT key, value FROM tags WHERE run_uuid = ? AND key >= ? AND key < ?`);
  const wanted = new Set(o.steps);

  for (const parent of parents) {
    if (steps.size === wanted.size) break;
    const recorded = new Map<string, StepOutcome>();
    for (const row of outcomes.all(parent.runId, STEP_OUTCOME_TAG, `${STEP_OUTCOME_TAG}\uffff`) as Array<{ key: string; value: string }>) {
      const outcome = parseOutcome(row.value);
      if (outcome) recorded.set(row.key.slice(STEP_OUTCOME_TAG.length), outcome);
    }
    const runs = children.all(experiment, parent.startTime ?? 0, parent.runId) as Array<{ runId: string; status: RunStatus; startTime: number | null; endTime: number | null; step: string | null; reason: string | null }>;
    for (const child of runs) {
      if (!child.step || !wanted.has(child.step) || steps.has(child.step)) continue;
      const outcome = recorded.get(child.step);
      const durationMs = outcome?.durationMs ?? (child.startTime !== null && child.endTime !== null ? child.endTime - child.startTime : null);
      steps.set(child.step, { status: child.status, runId: child.runId, cached: false, durationMs, reason: child.reason, startTime: child.startTime, pipelineRunId: parent.runId });
    }
    for (const [step, outcome] of recorded) {
      if (!wanted.has(step) || steps.has(step)) continue;
      steps.set(step, { ...outcome, startTime: parent.startTime, pipelineRunId: parent.runId });
    }
    // A run in progress: its planned steps that have not started yet are pending, not their old outcome.
    if (parent === parents[0] && parent.status === 'RUNNING') {
      for (const step of parent.planned?.split(',') ?? []) {
        if (wanted.has(step) && !steps.has(step)) steps.set(step, { status: 'PENDING', runId: null, cached: false, durationMs: null, reason: null, startTime: null, pipelineRunId: parent.runId });
      }
    }
  }
  const last = parents[0];
  return { lastRun: last ? { runId: last.runId, status: last.status, startTime: last.startTime, endTime: last.endTime, ...resultsOf(tracking, last.runId, o.steps) } : null, steps };
}

/** What a pipeline run shows of its results: its steps' metrics (copied to it as they end), the gates' first, and its overrides. */
function resultsOf(tracking: TrackingStore, runId: string, steps: readonly string[]): { metrics: Array<{ key: string; value: number; gate: boolean }>; overrides: Record<string, string> } {
  const { data } = tracking.runs.get(runId);
  const tags = new Map(data.tags.map((t) => [t.key, t.value]));
  const gate = (tags.get(GATE_METRICS_TAG) ?? '').split(',').filter(Boolean);
  const stepIndex = (key: string) => {
    const i = steps.indexOf(key.slice(0, key.indexOf('/')));
    return i < 0 ? steps.length : i;
  };
  const rank = (key: string) => (gate.includes(key) ? gate.indexOf(key) : gate.length + stepIndex(key));
  const metrics = data.metrics
    .filter((m) => !m.key.startsWith('system/'))
    .map((m) => ({ key: m.key, value: m.value, gate: gate.includes(m.key) }))
    .sort((a, b) => rank(a.key) - rank(b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { metrics, overrides: parseOverrides(tags.get(OVERRIDES_TAG)) };
}

function parseOutcome(json: string): StepOutcome | undefined {
  try {
    const v = JSON.parse(json) as Partial<StepOutcome>;
    if (typeof v.status !== 'string') return undefined;
    return { status: v.status, runId: v.runId ?? null, cached: v.cached === true, durationMs: v.durationMs ?? null, reason: v.reason ?? null };
  } catch {
    return undefined;
  }
}
