import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import type { TrackingStore } from '../tracking/trackingStore';
import type { KeyValue, RunStatus } from '../tracking/types';
import type { ModelRegistry } from '../registry/modelRegistry';
import { parseDuration } from './duration';
import { interpolate } from './params';
import type { PipelinePlan } from './plan';
import type { ParamValue, PipelineFile } from './pipelineTypes';
import { registerStep, type AliasMove } from './registerStep';
import { deployStep } from './deployStep';
import { STEP_OUTCOME_TAG, type StepOutcome } from './pipelineHistory';
import { pause, runAttempt, type StepProcessHost } from './stepProcess';
import { cacheKey, StepCache, stepInputs, type StepInputs } from './stepCache';
import { copyStepMetrics, resultTags } from './pipelineResults';

export type StepStatus = 'FINISHED' | 'FAILED' | 'KILLED' | 'NOT_RUN';

export interface StepResult {
  step: string;
  status: StepStatus;
  runId?: string;
  durationMs?: number;
  /** Why it failed or did not run, or what a register step decided. */
  reason?: string;
  attempts?: number;
  /** A register step: whether its gate held and the model was registered. */
  registered?: boolean;
  /** A register step whose file was already a version of the model: that version was reused. */
  reused?: boolean;
  /** A register step moved an alias away from another version (told in the output: it is easy to miss). */
  aliasMove?: AliasMove;
  /** Skipped by the cache: runId is the earlier run that produced its outs. */
  cached?: boolean;
  /** Why the step ran, or why it was skipped ("cached: inputs unchanged since run …"). */
  cacheReason?: string;
}

export interface PipelineRunResult {
  runId: string;
  status: RunStatus;
  steps: StepResult[];
  /** 0 all well; 1 a step failed; 3 a register gate did not hold; 130 cancelled. */
  exitCode: number;
}

export interface RunPipelineOptions {
  pipeline: PipelineFile;
  /** The pipeline file's path (recorded) and folder (where steps run, paths resolve). */
  file: string;
  folder: string;
  plan: PipelinePlan;
  params: Record<string, ParamValue>;
  tracking: TrackingStore;
  registry: ModelRegistry;
  host: StepProcessHost;
  /** Environment the step commands start from (and `${env.X}` reads); default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Steps side by side at most; default the number of cores. */
  jobs?: number;
  signal?: AbortSignal;
  /** `--force`: true re-runs every step; a list re-runs those steps. */
  force?: true | readonly string[];
  userId?: string;
  /** A line of a step's output, or of the runner about a step. */
  output: (step: string, line: string, stream: 'stdout' | 'stderr') => void;
  /** The runner's own messages (run ids, the end). */
  log: (line: string) => void;
  /** How often the pipeline's running runs heartbeat (default 5 s). */
  heartbeatMs?: number;
  /** A step started (its run exists) or ended (ran, was cached, failed, or was not run): for live progress displays. */
  onStep?: (event: StepEvent) => void;
  /** Which code ran (git commit, branch, dirty), read once when the pipeline starts: tagged on its run and each step's. */
  sourceTags?: KeyValue[];
}

export type StepEvent = { kind: 'started'; step: string; runId: string; startedAt: number } | { kind: 'ended'; step: string; result: StepResult };

const DEFAULT_BACKOFF_MS = 1000;
const HEARTBEAT_MS = 5000;

/**
 * Runs a planned pipeline as a parent run with one child run per executed step.
 * Independent steps run side by side up to `jobs`; the first failure starts
 * nothing new (running steps finish) and its dependants are reported not run.
 */
export async function runPipeline(o: RunPipelineOptions): Promise<PipelineRunResult> {
  const { tracking, pipeline, plan } = o;
  const baseEnv = { ...(o.baseEnv ?? process.env), ...(pipeline.env ?? {}) };
  const experimentId = pipeline.experiment ? tracking.experiments.ensure(pipeline.experiment) : '0';
  const allParams: KeyValue[] = Object.entries(o.params).map(([key, value]) => ({ key, value: String(value) }));
  const parent = tracking.runs.create({
    experimentId,
    userId: o.userId,
    runName: pipeline.name,
    heartbeat: true,
    tags: [
      { key: 'mlops.pipeline', value: pipeline.name },
      { key: 'mlops.pipeline.file', value: o.file },
      { key: 'mlops.pipeline.steps', value: plan.order.join(',') },
      { key: 'mlflow.source.name', value: o.file },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlops.pid', value: String(process.pid) },
      { key: 'mlops.host', value: hostname() },
      ...resultTags(pipeline, o.params),
      ...(o.sourceTags ?? []),
    ],
  });
  const parentId = parent.info.runId;
  if (allParams.length) tracking.runs.logParams(parentId, allParams);
  o.log(`pipeline ${pipeline.name}: run ${parentId} in experiment '${pipeline.experiment ?? 'Default'}' (id ${experimentId})`);

  const jobs = Math.max(1, o.jobs ?? cpus().length);
  const selected = new Set(plan.order);
  const results = new Map<string, StepResult>();
  const running = new Map<string, Promise<void>>();
  let firstFailure: string | undefined;
  const cache = new StepCache(tracking);
  const cacheTags: KeyValue[] = [];
  /** Step runs in progress (they heartbeat). */
  const liveRuns = new Set<string>();

  const startStep = (name: string): void => {
    const p = executeStep(name).then(
      (r) => r,
      (err: unknown): StepResult => ({ step: name, status: 'FAILED', reason: (err as Error).message }),
    );
    running.set(
      name,
      p.then((r) => {
        results.set(name, r);
        if (r.status === 'FINISHED' && r.runId) showStepMetrics(tracking, parentId, name, r.runId, o.log);
        recordStepOutcome(tracking, parentId, r, o.log);
        o.onStep?.({ kind: 'ended', step: name, result: r });
        running.delete(name);
        if (r.status !== 'FINISHED' && firstFailure === undefined) firstFailure = name;
      }),
    );
  };

  const executeStep = async (name: string): Promise<StepResult> => {
    const spec = pipeline.steps[name];
    const started = Date.now();
    const command = spec.run !== undefined ? interpolate(spec.run, o.params, baseEnv) : undefined;
    const stepParams = paramsOfStep(spec.params, spec.run, o.params);
    // The cache: skip the step when its inputs and outs are those of its last successful run.
    let inputs: StepInputs | undefined;
    let whyRun: string | undefined;
    if (command !== undefined) {
      try {
        inputs = await stepInputs({ spec, command, params: stepParams, env: baseEnv, folder: o.folder });
      } catch (err) {
        const reason = (err as Error).message;
        o.output(name, reason, 'stderr');
        cacheTags.push({ key: `mlops.step.${name}.cache`, value: `failed: ${reason}`.slice(0, 5000) });
        return { step: name, status: 'FAILED', reason };
      }
      const forced = o.force === true || (Array.isArray(o.force) && o.force.includes(name));
      if (forced) whyRun = '--force';
      else if (!spec.deps?.length && !spec.outs?.length) whyRun = 'no deps or outs declared';
      else {
        const d = await cache.decide(o.file, name, inputs, o.folder);
        if (d.cached) {
          let restored = true;
          try {
            if (d.restore.length) {
              cache.restore(d.entry, d.restore, o.folder);
              o.output(name, `restored ${d.restore.join(', ')} from run ${d.entry.runId}`, 'stderr');
            }
          } catch (err) {
            restored = false;
            whyRun = `out ${d.restore[0]} missing (${(err as Error).message})`;
          }
          if (restored) {
            o.output(name, d.reason, 'stderr');
            cacheTags.push({ key: `mlops.step.${name}.cache`, value: d.reason });
            return { step: name, status: 'FINISHED', runId: d.entry.runId, durationMs: Date.now() - started, cached: true, cacheReason: d.reason, reason: d.reason };
          }
        } else whyRun = d.reason;
      }
      cacheTags.push({ key: `mlops.step.${name}.cache`, value: `ran: ${whyRun}`.slice(0, 5000) });
    }
    const child = tracking.runs.create({
      experimentId,
      userId: o.userId,
      runName: name,
      heartbeat: true,
      tags: [
        { key: 'mlflow.parentRunId', value: parentId },
        { key: 'mlops.pipeline', value: pipeline.name },
        { key: 'mlops.pipeline.step', value: name },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlops.cwd', value: o.folder },
        // Lets the editor's "Stop Run" reach the runner, which stops the step.
        { key: 'mlops.pid', value: String(process.pid) },
        ...(o.sourceTags ?? []),
        ...(command !== undefined
          ? [
              { key: 'mlops.command', value: command.slice(0, 5000) },
              { key: 'mlflow.source.name', value: command.slice(0, 500) },
            ]
          : []),
      ],
    });
    const runId = child.info.runId;
    liveRuns.add(runId);
    o.onStep?.({ kind: 'started', step: name, runId, startedAt: started });
    if (stepParams.length) tracking.runs.logParams(runId, stepParams);
    o.output(name, `run ${runId}`, 'stderr');
    if (whyRun !== undefined) o.output(name, `running: ${whyRun}`, 'stderr');
    const logFile = join(tracking.store.layout.logs, `${runId}.log`);
    const logStream = createWriteStream(logFile, { mode: 0o600 });
    const say = (line: string, stream: 'stdout' | 'stderr'): void => {
      logStream.write(`${line}\n`);
      o.output(name, line, stream);
    };

    let status: RunStatus;
    let reason: string | undefined;
    let attempts = 0;
    let registered: boolean | undefined;
    let reused: boolean | undefined;
    let aliasMove: AliasMove | undefined;
    let exitCode: number | undefined;
    const tags: KeyValue[] = [];
    if (spec.register) {
      const upstream = new Map([...results].filter(([, r]) => r.status === 'FINISHED' && r.runId).map(([s, r]) => [s, r.runId!] as const));
      const outcome = await registerStep({
        spec: spec.register,
        steps: pipeline.steps,
        upstream,
        params: o.params,
        folder: o.folder,
        tracking,
        registry: o.registry,
        userId: o.userId,
        pipeline: { name: pipeline.name, runId: parentId },
      });
      for (const line of outcome.lines) say(line, 'stdout');
      tags.push(...outcome.tags);
      status = outcome.failed ? 'FAILED' : 'FINISHED';
      registered = outcome.registered;
      reused = outcome.reused;
      reason = outcome.reason;
      aliasMove = outcome.aliasMove;
    } else if (spec.deploy) {
      const outcome = await deployStep(spec.deploy, name, pipeline, results, o.host);
      for (const line of outcome.lines) say(line, outcome.failed ? 'stderr' : 'stdout');
      tags.push(...outcome.tags);
      status = outcome.failed ? 'FAILED' : 'FINISHED';
      reason = outcome.reason;
    } else {
      cache.unlinkStoredOuts(spec, o.folder, { file: o.file, name });
      const env = { ...o.host.environmentFor({ runId, experimentId }, stepParams), ...(pipeline.env ?? {}) };
      const retries = spec.retries ?? 0;
      const timeoutMs = spec.timeout ? parseDuration(spec.timeout) : undefined;
      let backoff = spec.retry_backoff ? (parseDuration(spec.retry_backoff) ?? DEFAULT_BACKOFF_MS) : DEFAULT_BACKOFF_MS;
      for (;;) {
        attempts++;
        if (attempts > 1) say(`attempt ${attempts} of ${retries + 1}`, 'stderr');
        const r = await runAttempt(o.host, command!, { cwd: o.folder, env, timeoutMs, signal: o.signal }, say);
        exitCode = r.code ?? undefined;
        if (r.cancelled) {
          status = 'KILLED';
          reason = 'cancelled';
          break;
        }
        if (r.error) reason = `could not start: ${r.error.message}`;
        else if (r.timedOut) reason = `timed out after ${spec.timeout}`;
        else if (r.code !== 0) reason = r.signal ? `terminated by ${r.signal}` : `exit code ${r.code}`;
        else reason = undefined;
        if (reason === undefined) {
          status = 'FINISHED';
          break;
        }
        if (attempts > retries) {
          status = 'FAILED';
          break;
        }
        say(`failed (${reason}); retrying in ${backoff} ms`, 'stderr');
        await pause(backoff, o.signal);
        backoff *= 2;
        if (o.signal?.aborted) {
          status = 'KILLED';
          reason = 'cancelled';
          break;
        }
      }
      if (status === 'FINISHED' && spec.metrics) {
        const m = readMetricsFile(join(o.folder, spec.metrics));
        if (typeof m === 'string') {
          status = 'FAILED';
          reason = m;
          say(m, 'stderr');
        } else if (m.length) {
          const timestamp = Date.now();
          tracking.logBatch(runId, { metrics: m.map(([key, value]) => ({ key, value, timestamp, step: 0 })), params: [], tags: [] });
        }
      }
      if (status === 'FINISHED' && inputs && (spec.deps?.length || spec.outs?.length)) {
        try {
          const outs = await cache.storeOuts(runId, spec, o.folder);
          if (typeof outs === 'string') say(`not cached: ${outs}`, 'stderr');
          else cache.put(o.file, name, { key: cacheKey(inputs), runId, inputs, outs });
        } catch (err) {
          say(`not cached: ${(err as Error).message}`, 'stderr');
        }
      }
      if (whyRun !== undefined) tags.push({ key: 'mlops.cache', value: `ran: ${whyRun}`.slice(0, 5000) });
      tags.push({ key: 'mlops.attempts', value: String(attempts) });
      if (exitCode !== undefined) tags.push({ key: 'mlops.exitCode', value: String(exitCode) });
    }
    const durationMs = Date.now() - started;
    // Why it did not finish; a register step's decision has its own tags (mlops.register.*).
    if (reason && status !== 'FINISHED') tags.push({ key: 'mlops.endReason', value: reason });
    tags.push({ key: 'mlops.durationMs', value: String(durationMs) });
    await endLog(logStream);
    try {
      await tracking.artifacts.importFile(runId, 'logs/output.log', logFile, 'link');
      // The run's last tags and its end in one transaction: one commit per step fewer.
      tracking.store.write(() => {
        tracking.runs.setTags(runId, tags);
        tracking.runs.update(runId, { status, endTime: Date.now() });
      });
    } catch (err) {
      o.log(`could not record the end of step ${name}'s run ${runId}: ${(err as Error).message}`);
    }
    liveRuns.delete(runId);
    return { step: name, status, runId, durationMs, reason, attempts: attempts || undefined, registered, reused, aliasMove, cacheReason: whyRun };
  };

  // The runs heartbeat while this process lives: if it dies (killed, machine
  // asleep), the server's reaper marks them FAILED instead of RUNNING forever.
  const heartbeat = setInterval(() => {
    for (const runId of [parentId, ...liveRuns]) {
      try {
        tracking.runs.heartbeat(runId);
      } catch {
        /* the store is busy; the next beat will do */
      }
    }
  }, o.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  // The scheduler: start what is ready (file order), wait for any to end, repeat.
  for (;;) {
    if (firstFailure === undefined && !o.signal?.aborted) {
      for (const name of plan.order) {
        if (running.size >= jobs) break;
        if (results.has(name) || running.has(name)) continue;
        const needs = (pipeline.steps[name].needs ?? []).filter((n) => selected.has(n));
        if (needs.every((n) => results.get(n)?.status === 'FINISHED')) startStep(name);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  // Whatever did not run, and why: the failed step upstream, or the stop.
  for (const name of plan.order) {
    if (results.has(name)) continue;
    const cause = o.signal?.aborted ? undefined : upstreamFailure(name, pipeline, results);
    const reason = o.signal?.aborted ? 'not run: cancelled' : cause ? `not run: ${cause} failed` : `not run: ${firstFailure} failed`;
    const notRun: StepResult = { step: name, status: 'NOT_RUN', reason };
    results.set(name, notRun);
    recordStepOutcome(tracking, parentId, notRun, o.log);
    o.onStep?.({ kind: 'ended', step: name, result: notRun });
    o.output(name, reason, 'stderr');
  }

  clearInterval(heartbeat);
  const steps = plan.order.map((n) => results.get(n)!);
  const cancelled = o.signal?.aborted === true;
  const failed = steps.some((s) => s.status === 'FAILED' || s.status === 'NOT_RUN');
  const gateHeld = steps.every((s) => s.registered !== false);
  const status: RunStatus = cancelled ? 'KILLED' : failed ? 'FAILED' : 'FINISHED';
  const exitCode = cancelled ? 130 : failed ? 1 : gateHeld ? 0 : 3;
  try {
    const endTags: KeyValue[] = [{ key: 'mlops.exitCode', value: String(exitCode) }, ...cacheTags];
    if (firstFailure) endTags.push({ key: 'mlops.endReason', value: cancelled ? 'cancelled' : `step ${firstFailure} ${results.get(firstFailure)?.status === 'KILLED' ? 'was killed' : 'failed'}` });
    tracking.store.write(() => {
      tracking.runs.setTags(parentId, endTags);
      tracking.runs.update(parentId, { status, endTime: Date.now() });
    });
  } catch (err) {
    o.log(`could not record the end of pipeline run ${parentId}: ${(err as Error).message}`);
  }
  o.log(`pipeline ${pipeline.name}: run ${parentId} ${status}`);
  return { runId: parentId, status, steps, exitCode };
}

/**
 * The parent run keeps each step's outcome as it ends (tag `mlops.step.<name>`,
 * see pipelineHistory.ts): cached and not-run steps have no run of their own, and
 * the editor shows them live.
 */
function recordStepOutcome(tracking: TrackingStore, parentId: string, r: StepResult, log: (line: string) => void): void {
  const outcome: StepOutcome = { status: r.status, runId: r.runId ?? null, cached: r.cached === true, durationMs: r.durationMs ?? null, reason: r.reason?.slice(0, 2000) ?? null };
  try {
    tracking.runs.setTags(parentId, [{ key: `${STEP_OUTCOME_TAG}${r.step}`, value: JSON.stringify(outcome) }]);
  } catch (err) {
    log(`could not record the outcome of step ${r.step}: ${(err as Error).message}`);
  }
}

/** A finished step's metrics on the pipeline's run; failing to copy them does not fail the step. */
function showStepMetrics(tracking: TrackingStore, parentId: string, step: string, runId: string, log: (line: string) => void): void {
  try {
    copyStepMetrics(tracking, parentId, step, runId);
  } catch (err) {
    log(`could not show step ${step}'s metrics on the pipeline's run: ${(err as Error).message}`);
  }
}

/** The nearest step upstream of `name` (needs, transitively) that failed or was killed. */
function upstreamFailure(name: string, pipeline: PipelineFile, results: Map<string, StepResult>): string | undefined {
  const seen = new Set<string>();
  const visit = (s: string): string | undefined => {
    for (const need of pipeline.steps[s]?.needs ?? []) {
      if (seen.has(need)) continue;
      seen.add(need);
      const r = results.get(need);
      if (r && (r.status === 'FAILED' || r.status === 'KILLED')) return need;
      const deeper = visit(need);
      if (deeper) return deeper;
    }
    return undefined;
  };
  return visit(name);
}

/** The params a step declares, else those its command names. */
export function paramsOfStep(declared: string[] | undefined, command: string | undefined, params: Record<string, ParamValue>): KeyValue[] {
  const names = declared ?? [...new Set([...(command ?? '').matchAll(/\$\{\s*params\.(\w+)\s*\}/g)].map((m) => m[1]))];
  return names.filter((n) => Object.hasOwn(params, n)).map((n) => ({ key: n, value: String(params[n]) }));
}

/** A step's metrics file: a JSON object of numbers (nested objects give "a/b" keys). A string is the problem. */
export function readMetricsFile(path: string): Array<[string, number]> | string {
  if (!existsSync(path)) return `metrics file ${path} was not written`;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return `metrics file ${path} is not JSON: ${(err as Error).message}`;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return `metrics file ${path} must hold a JSON object of numbers`;
  const out: Array<[string, number]> = [];
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'number' && Number.isFinite(v)) out.push([prefix + k, v]);
      else if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}/`);
    }
  };
  walk(data as Record<string, unknown>, '');
  return out;
}

function endLog(stream: WriteStream): Promise<void> {
  return new Promise((r) => stream.end(() => r()));
}
