import type { TrackingStore } from '../tracking/trackingStore';
import { interpolate, resolveParams } from './params';
import type { PipelinePlan } from './plan';
import type { ParamValue, PipelineFile } from './pipelineTypes';
import { paramsOfStep } from './runPipeline';
import { StepCache, stepInputs, type FileHashMemo } from './stepCache';

export interface StepStatusRow {
  step: string;
  state: 'up to date' | 'stale' | 'always runs';
  reason: string;
  /** The run whose outs a cached step would reuse. */
  runId?: string;
  /**
   * Stale only against these params: the step is up to date for the params the
   * last run set (`--set`), and a run with `params` would run it again. Each
   * param the last run set, with its value there and here.
   */
  differsFromLastRun?: Array<{ param: string; lastRun: string; now: string }>;
}

/**
 * What `mlops pipeline run` would do with each step, without running anything:
 * up to date (cached), stale and why (the same reasons the run prints), or
 * always runs (register steps, steps with neither deps nor outs).
 */
export async function pipelineStatus(o: {
  pipeline: PipelineFile;
  file: string;
  folder: string;
  plan: PipelinePlan;
  params: Record<string, ParamValue>;
  tracking: TrackingStore;
  baseEnv?: NodeJS.ProcessEnv;
  /** For a long-lived caller that asks often (the server): file hashes remembered by stat. */
  memo?: FileHashMemo;
  /**
   * The params the last run set unlike `params` (its `--set`): a step stale only
   * because of them is marked (differsFromLastRun), so that a run with
   * overrides is not called stale against itself.
   */
  lastOverrides?: Record<string, string>;
}): Promise<StepStatusRow[]> {
  const rows = await statusRows(o);
  const changes = Object.entries(o.lastOverrides ?? {})
    .filter(([k, v]) => Object.hasOwn(o.params, k) && String(o.params[k]) !== v)
    .map(([param, lastRun]) => ({ param, lastRun, now: String(o.params[param]) }));
  if (!changes.length || !rows.some((r) => r.state === 'stale')) return rows;
  let asLastRun: StepStatusRow[];
  try {
    asLastRun = await statusRows({ ...o, params: resolveParams({ params: o.params }, Object.fromEntries(changes.map((c) => [c.param, c.lastRun]))) });
  } catch {
    return rows; // a param's type changed in the file since: its old value no longer resolves
  }
  return rows.map((r, i) => (r.state === 'stale' && asLastRun[i].state === 'up to date' ? { ...r, differsFromLastRun: changes } : r));
}

async function statusRows(o: Parameters<typeof pipelineStatus>[0]): Promise<StepStatusRow[]> {
  const { pipeline } = o;
  const env = { ...(o.baseEnv ?? process.env), ...(pipeline.env ?? {}) };
  const cache = new StepCache(o.tracking, o.memo);
  const rows = new Map<string, StepStatusRow>();
  // Outs that are deleted but restorable: a run restores them before any step reads them.
  const restorable = new Map<string, string>();
  for (const name of o.plan.order) {
    const spec = pipeline.steps[name];
    const staleNeed = () => (spec.needs ?? []).find((n) => rows.get(n)?.state === 'stale');
    const row = await (async (): Promise<StepStatusRow> => {
      if (spec.run === undefined) return { step: name, state: 'always runs', reason: `${spec.deploy ? 'deploy' : 'register'} steps run every time` };
      if (!spec.deps?.length && !spec.outs?.length) return { step: name, state: 'always runs', reason: 'no deps or outs declared' };
      let inputs;
      try {
        const command = interpolate(spec.run, o.params, env);
        inputs = await stepInputs({ spec, command, params: paramsOfStep(spec.params, spec.run, o.params), env, folder: o.folder, memo: o.memo, restorable });
      } catch (err) {
        // A dep a stale step above will make again is not "missing": that step is the reason.
        const above = staleNeed();
        return { step: name, state: 'stale', reason: above ? `upstream step ${above} is stale` : (err as Error).message };
      }
      const d = await cache.decide(o.file, name, inputs, o.folder);
      if (!d.cached) return { step: name, state: 'stale', reason: d.reason };
      for (const out of d.restore) restorable.set(out, d.entry.outs[out]);
      const restore = d.restore.length ? `; ${d.restore.join(', ')} deleted, restorable from the store` : '';
      return { step: name, state: 'up to date', reason: `inputs unchanged since run ${d.entry.runId}${restore}`, runId: d.entry.runId };
    })();
    if (row.state === 'up to date') {
      const above = staleNeed();
      if (above) Object.assign(row, { state: 'stale', reason: `upstream step ${above} is stale`, runId: undefined });
    }
    rows.set(name, row);
  }
  return o.plan.order.map((n) => rows.get(n)!);
}
