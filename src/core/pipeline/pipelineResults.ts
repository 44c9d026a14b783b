import { MAX_ENTITY_KEY_LENGTH, MAX_METRICS_PER_BATCH } from '../tracking/limits';
import type { TrackingStore } from '../tracking/trackingStore';
import type { KeyValue } from '../tracking/types';
import { gateReferences, parseGate } from './gateParser';
import type { ParamValue, PipelineFile } from './pipelineTypes';

// What a pipeline run shows of its results on its own (parent) run: the latest
// metrics of its steps, under the step's name, and which of them the register
// gates read, so that lists show those first.

/** Parent-run tag: the metrics the register gates read, as `<step>/<key>`, comma-separated, in gate order. */
export const GATE_METRICS_TAG = 'mlops.pipeline.gateMetrics';
/** Parent-run tag: the params this run set unlike the file's defaults (`--set`), as a JSON object of strings. */
export const OVERRIDES_TAG = 'mlops.pipeline.overrides';

/** A step's metric as the pipeline's run shows it: `evaluate/auc`. */
export function stepMetricKey(step: string, key: string): string {
  return `${step}/${key}`;
}

/** The metrics the pipeline's register gates compare, as `<step>/<key>`, first gate first; a gate that does not parse names none. */
export function gateMetricKeys(pipeline: PipelineFile): string[] {
  const keys: string[] = [];
  for (const spec of Object.values(pipeline.steps)) {
    const when = spec.register?.when;
    if (!when) continue;
    try {
      for (const ref of gateReferences(parseGate(when))) if (ref.kind === 'metric') keys.push(stepMetricKey(ref.step, ref.key));
    } catch {
      /* the file check reports a gate that does not parse */
    }
  }
  return [...new Set(keys)];
}

/** The params whose value differs from the file's default: what `--set` changed for this run. */
export function paramOverrides(pipeline: PipelineFile, params: Record<string, ParamValue>): Record<string, string> {
  const defaults = pipeline.params ?? {};
  return Object.fromEntries(Object.entries(params).flatMap(([k, v]) => (Object.hasOwn(defaults, k) && String(defaults[k]) === String(v) ? [] : [[k, String(v)]])));
}

/** Parsed OVERRIDES_TAG; an unreadable tag is no overrides. */
export function parseOverrides(json: string | null | undefined): Record<string, string> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
  } catch {
    return {};
  }
}

/**
 * Copies a finished step's latest metrics (system/* left out) to the pipeline's
 * run as `<step>/<key>`: the parent run then shows what its steps measured, as
 * MLflow's and W&B's lists show a run's metrics. A cached step's are those of
 * the run that made its outs.
 */
export function copyStepMetrics(tracking: TrackingStore, parentId: string, step: string, stepRunId: string): number {
  const timestamp = Date.now();
  const points = tracking.runs
    .get(stepRunId)
    .data.metrics.filter((m) => !m.key.startsWith('system/'))
    .map((m) => ({ key: stepMetricKey(step, m.key), value: m.value, timestamp, step: 0 }))
    .filter((p) => p.key.length <= MAX_ENTITY_KEY_LENGTH);
  for (let i = 0; i < points.length; i += MAX_METRICS_PER_BATCH) tracking.logBatch(parentId, { metrics: points.slice(i, i + MAX_METRICS_PER_BATCH), params: [], tags: [] });
  return points.length;
}

/** Tags for the parent run that name its gate metrics and its overrides (none when there are none). */
export function resultTags(pipeline: PipelineFile, params: Record<string, ParamValue>): KeyValue[] {
  const tags: KeyValue[] = [];
  const gate = gateMetricKeys(pipeline);
  if (gate.length) tags.push({ key: GATE_METRICS_TAG, value: gate.join(',') });
  const overrides = paramOverrides(pipeline, params);
  if (Object.keys(overrides).length) tags.push({ key: OVERRIDES_TAG, value: JSON.stringify(overrides).slice(0, 5000) });
  return tags;
}
