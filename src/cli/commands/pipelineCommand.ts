import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkDeps,
  closestName,
  pipelineStatus,
  pipelineHistory,
  interpolate,
  parsePipelineFile,
  PipelineError,
  planPipeline,
  resolveParams,
  runPipeline,
  type PipelineDiagnostic,
  type PipelineFile,
  type StepProcessHost,
  type StepResult,
} from '../../core/pipeline';
import { ModelRegistry } from '../../core/registry/modelRegistry';
import { inspectOnnxModel } from '../../core/registry/onnxInspector';
import { TrackingStore } from '../../core/tracking/trackingStore';
import { checkPipelineShape, pipelineJsonSchema } from '../../protocol/pipelineFile';
import type { ServerInfo } from '../../protocol/native';
import { BackendError, backendApi } from '../backendApi';
import { CliError } from '../cliError';
import type { DeployOutcome } from '../../core/pipeline/stepProcess';
import type { DeploymentState } from '../../protocol/deployments';
import { ensureServer } from '../ensureServer';
import { formatTable } from '../table';
import { PipelineProgress, wantsLiveProgress } from '../pipelineProgress';
import { OWN_PROCESS_GROUP, STOP_SIGNALS, shellInvocation, signalProcessTree } from '../tracked/processControl';
import { trackedEnvironment } from '../tracked/trackedEnvironment';
import { safeUser } from '../tracked/trackedRun';
import { readGitInfo, type GitInfo } from '../tracked/gitInfo';
import { aliasMoveLine } from '../../core/pipeline/registerStep';
import { resolveWorkspace } from '../workspace';

export const PIPELINE_HELP = `Usage: mlops pipeline run FILE [--set k=v]... [--jobs N] [--step S]... [--from-step S] [--force[=STEP]]... [--dry-run]
       mlops pipeline status FILE [--set k=v]...
       mlops pipeline check FILE
       mlops pipeline schema

run      runs the pipeline's steps (independent ones side by side, up to --jobs, default:
         the number of cores) as a parent run with one child run per step; exits 1 when
         a step fails, 3 when a register step's gate did not hold, 130 when stopped
         a step whose command, params, declared env, deps and outs are those of its last
         successful run is skipped (cached); deleted outs are restored from the store
status   prints for each step whether it is up to date or stale, and why; runs nothing
check    prints the file's problems as FILE:LINE:COL: message; exits 1 on any error
schema   prints the pipeline file's JSON Schema

Options (run):
  --set k=v          override a param (repeatable)
  --jobs N           steps side by side at most
  --step S           only step S (repeatable); its needs are assumed done
  --from-step S      S and everything downstream of it
  --force            re-run every step, cached or not
  --force STEP       re-run STEP even when cached (repeatable; also --force=STEP)
  --dry-run          print the plan and each step's command; run nothing
  --workspace DIR    workspace folder (default: nearest folder with .mlops/, else the current one)
  -h, --help         this help`;

export async function pipelineCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    console.log(PIPELINE_HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'schema') {
    console.log(JSON.stringify(pipelineJsonSchema(), null, 2));
    return 0;
  }
  if (sub === 'check') return checkCommand(rest);
  if (sub === 'run') return runPipelineCommand(rest);
  if (sub === 'status') return statusCommand(rest);
  throw new CliError(`mlops pipeline: unknown subcommand '${sub}'.\n\n${PIPELINE_HELP}`, 2);
}

function showDiagnostic(file: string, d: PipelineDiagnostic): string {
  return `${file}:${d.line}:${d.column}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

/** Reads and parses a pipeline file; diagnostics are printed, errors end the command. */
function load(file: string | undefined, command: string): { pipeline?: PipelineFile; diagnostics: PipelineDiagnostic[]; path: string; shown: string } {
  if (!file) throw new CliError(`mlops pipeline ${command}: give a pipeline file.\n\n${PIPELINE_HELP}`, 2);
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`mlops pipeline ${command}: cannot read ${file}: ${(err as Error).message}`, 2);
  }
  const parsed = parsePipelineFile(text, basename(path), checkPipelineShape);
  const diagnostics = [...parsed.diagnostics, ...(parsed.pipeline ? checkDeps(parsed.pipeline, dirname(path)) : [])];
  return { pipeline: parsed.pipeline, diagnostics, path, shown: file };
}

function checkCommand(argv: string[]): number {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const { diagnostics, shown } = load(positionals[0], 'check');
  for (const d of diagnostics) console.log(showDiagnostic(shown, d));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (!errors) console.log(`${shown}: ${warnings ? `no errors, ${warnings} warning${warnings === 1 ? '' : 's'}` : 'no problems'}`);
  return errors ? 1 : 0;
}

/**
 * `--force` alone re-runs everything, `--force STEP` / `--force=STEP` one step:
 * the word after a bare --force is a step unless it is an option or an existing file.
 */
function splitForce(argv: string[]): { rest: string[]; force?: true | string[] } {
  const rest: string[] = [];
  let all = false;
  const steps: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--force=')) steps.push(a.slice('--force='.length));
    else if (a === '--force') {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-') && !existsSync(next)) {
        steps.push(next);
        i++;
      } else all = true;
    } else rest.push(a);
  }
  return { rest, force: all ? true : steps.length ? steps : undefined };
}

async function runPipelineCommand(rawArgv: string[]): Promise<number> {
  const { rest: argv, force } = splitForce(rawArgv);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      set: { type: 'string', multiple: true },
      jobs: { type: 'string' },
      step: { type: 'string', multiple: true },
      'from-step': { type: 'string' },
      'dry-run': { type: 'boolean' },
      workspace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(PIPELINE_HELP);
    return 0;
  }
  const { pipeline, diagnostics, path, shown } = load(positionals[0], 'run');
  for (const d of diagnostics) process.stderr.write(`${showDiagnostic(shown, d)}\n`);
  // Missing deps are reported but do not stop a run: a step upstream may make them. A dep still missing when its step starts fails that step.
  if (!pipeline) return 1;
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new CliError(`mlops pipeline run: --jobs takes a whole number ≥ 1, got '${values.jobs}'.`, 2);
  }
  const folder = dirname(path);
  let params, plan;
  try {
    params = resolveParams(pipeline, values.set ?? []);
    plan = planPipeline(pipeline, { steps: values.step, fromStep: values['from-step'] });
    if (Array.isArray(force)) {
      const names = Object.keys(pipeline.steps);
      for (const f of force) {
        if (!names.includes(f)) {
          const c = closestName(f, names);
          throw new PipelineError('unknown-step', `--force ${f}: no such step${c ? `; did you mean "${c}"?` : ''} (steps: ${names.join(', ')})`);
        }
      }
    }
    // An unset ${env.X} is refused before anything runs, not halfway through.
    const env = { ...process.env, ...(pipeline.env ?? {}) };
    for (const name of plan.order) if (pipeline.steps[name].run !== undefined) interpolate(pipeline.steps[name].run!, params, env);
  } catch (err) {
    if (err instanceof PipelineError) throw new CliError(`mlops pipeline run: ${err.message}`, 2);
    throw err;
  }

  if (values['dry-run']) {
    const env = { ...process.env, ...(pipeline.env ?? {}) };
    const verdicts = await cacheVerdicts(pipeline, path, folder, plan, params, values.workspace, force);
    console.log(`pipeline ${pipeline.name} (${shown}), experiment '${pipeline.experiment ?? 'Default'}', in ${relative(process.cwd(), folder) || '.'}`);
    console.log(`params: ${Object.entries(params).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(none)'}`);
    plan.levels.forEach((level, i) => {
      console.log(`level ${i + 1}: ${level.join(', ')}`);
      for (const name of level) {
        const s = pipeline.steps[name];
        if (s.run !== undefined) console.log(`  ${name}: ${interpolate(s.run, params, env)}${verdicts.get(name) ?? ''}`);
        else if (s.register) console.log(`  ${name}: register ${s.register.path} as ${s.register.model}${s.register.alias ? ` @${s.register.alias}` : ''}${s.register.when ? ` when ${s.register.when}` : ''}`);
      }
    });
    return 0;
  }

  const workspace = resolveWorkspace(values.workspace);
  const progress = wantsLiveProgress(process.env, process.stdout, process.stderr) ? new PipelineProgress(pipeline.name, plan.order, process.stderr) : undefined;
  const write = (stream: NodeJS.WriteStream, line: string): void => {
    if (progress) progress.write(stream, line);
    else stream.write(`${line}\n`);
  };
  const log = (line: string) => write(process.stderr, `[mlops] ${line}`);
  const { info: server, started } = await ensureServer(workspace);
  if (started) log(`started this workspace's server at ${server.url} in the background (it stops after 30 idle minutes)`);
  const tracking = TrackingStore.open(workspace);
  const registry = new ModelRegistry(tracking, { inspectModel: inspectOnnxModel });
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) log(`${signal}: stopping the running steps`);
    controller.abort();
  };
  for (const s of STOP_SIGNALS) process.on(s, stop);
  const width = Math.max(...plan.order.map((n) => n.length));
  // The code as the pipeline starts: steps may write files in the tree while it runs.
  const git = await readGitInfo(folder);
  try {
    const result = await runPipeline({
      pipeline,
      file: path,
      folder,
      plan,
      params,
      tracking,
      registry,
      host: processHost(server, workspace),
      jobs,
      force,
      signal: controller.signal,
      userId: safeUser(),
      output: (step, line, stream) => write(stream === 'stdout' ? process.stdout : process.stderr, `${step.padEnd(width)} | ${line}`),
      log,
      onStep: progress && ((e) => progress.onStep(e)),
      sourceTags: git ? gitTags(git) : undefined,
      heartbeatMs: Number(process.env.MLOPS_HEARTBEAT_INTERVAL_MS) > 0 ? Number(process.env.MLOPS_HEARTBEAT_INTERVAL_MS) : undefined,
    });
    progress?.finish();
    if (git?.diff) await recordDiff(tracking, result.runId, git.diff, log);
    console.log('');
    console.log(stepTable(result.steps));
    // Said again under the table: an alias moving back to an older version is easy to miss in the output above.
    for (const s of result.steps) if (s.aliasMove) console.log(`note: ${s.aliasMove.model} ${aliasMoveLine(s.aliasMove)}`);
    return result.exitCode;
  } finally {
    progress?.finish();
    for (const s of STOP_SIGNALS) process.off(s, stop);
    tracking.close();
  }
}

/** The code version tags `mlops run` sets, for the pipeline's run and its steps'. */
function gitTags(git: GitInfo): Array<{ key: string; value: string }> {
  return [
    { key: 'mlflow.source.git.commit', value: git.commit },
    { key: 'mlflow.source.git.branch', value: git.branch },
    { key: 'mlops.git.dirty', value: String(git.dirty) },
    ...(git.repoUrl ? [{ key: 'mlflow.source.git.repoURL', value: git.repoUrl }] : []),
  ];
}

/** A dirty tree's diff, on the pipeline's run (as `mlops run` keeps it on its run): the commit alone does not say what ran. */
async function recordDiff(tracking: TrackingStore, runId: string, diff: string, log: (line: string) => void): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'mlops-pipeline-'));
  try {
    const file = join(scratch, 'git.diff');
    writeFileSync(file, diff);
    await tracking.artifacts.importFile(runId, 'code/git.diff', file, 'copy');
  } catch (err) {
    log(`could not keep the uncommitted changes with run ${runId}: ${(err as Error).message}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** For --dry-run, what the cache would do with each step ("  ← cached", "  ← runs: dep x changed"), when the workspace has a store. */
async function cacheVerdicts(pipeline: PipelineFile, file: string, folder: string, plan: ReturnType<typeof planPipeline>, params: ReturnType<typeof resolveParams>, workspaceArg: string | undefined, force: true | string[] | undefined): Promise<Map<string, string>> {
  const workspace = resolveWorkspace(workspaceArg);
  if (!existsSync(join(workspace, '.mlops'))) return new Map();
  const tracking = TrackingStore.open(workspace);
  try {
    const rows = await pipelineStatus({ pipeline, file, folder, plan, params, tracking, baseEnv: process.env });
    const forced = (step: string) => force === true || (Array.isArray(force) && force.includes(step));
    return new Map(
      rows.map((r) => [r.step, forced(r.step) ? '   ← runs: --force' : r.state === 'up to date' ? '   ← cached' : r.state === 'stale' ? `   ← runs: ${r.reason}` : '   ← runs (always)'] as const),
    );
  } finally {
    tracking.close();
  }
}

function processHost(server: ServerInfo, workspace: string): StepProcessHost {
  return {
    spawnShell: (command, { cwd, env }) => {
      const { file, args } = shellInvocation(command);
      return spawn(file, args, { cwd, env, ...OWN_PROCESS_GROUP, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    killTree: (child, signal) => void signalProcessTree(child, signal),
    environmentFor: (run, params) => trackedEnvironment(process.env, server, run, workspace, params),
    deploy: (request) => deployThroughBackend(server, request),
  };
}

/** A deploy step: redeploy the running deployment with a new champion (keeping its challenger and split), or start it. */
async function deployThroughBackend(server: ServerInfo, r: { deployment: string; modelUri: string }): Promise<DeployOutcome> {
  const path = `/api/v1/deployments/${encodeURIComponent(r.deployment)}`;
  let current: DeploymentState | undefined;
  try {
    current = (await backendApi(server, 'GET', path)).deployment as DeploymentState;
  } catch (err) {
    if (!(err instanceof BackendError && err.status === 404)) throw err;
  }
  const champion = (d: DeploymentState['spec']['variants']) => d.map((v) => (v.name === 'champion' ? { ...v, modelUri: r.modelUri } : v));
  const answer =
    current && current.status !== 'stopped' && current.status !== 'failed'
      ? await backendApi(server, 'POST', `${path}/redeploy`, { ...current.spec, variants: champion(current.spec.variants) })
      : await backendApi(server, 'POST', '/api/v1/deployments', { name: r.deployment, variants: [{ name: 'champion', modelUri: r.modelUri, weight: 100 }], monitoring: {} });
  const d = answer.deployment as DeploymentState;
  const served = d.variants.find((v) => v.name === 'champion')!;
  return { action: current ? 'redeployed' : 'started', url: d.url ?? '', model: served.model, version: served.version };
}

/** A step's time in the CLI's tables: `420 ms`, `3.2 s`. */
function stepDuration(ms: number | undefined): string {
  return ms === undefined ? '' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function stepTable(steps: StepResult[]): string {
  const status = (s: StepResult): string => {
    if (s.status === 'NOT_RUN') return s.reason ?? 'not run';
    const moved = s.aliasMove ? ` (@${s.aliasMove.alias} v${s.aliasMove.from} → v${s.aliasMove.to})` : '';
    if (s.reused) return `already registered${moved}`;
    if (s.registered === true) return `registered${moved}`;
    if (s.registered === false) return 'not registered (gate)';
    if (s.cached) return 'cached';
    if (s.status === 'FAILED') return `failed${s.reason ? `: ${s.reason}` : ''}`;
    return s.status.toLowerCase();
  };
  return formatTable(['STEP', 'STATUS', 'DURATION', 'RUN'], steps.map((s) => [s.step, status(s), stepDuration(s.durationMs), s.runId ?? '']), 60);
}

async function statusCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { set: { type: 'string', multiple: true }, workspace: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(PIPELINE_HELP);
    return 0;
  }
  const { pipeline, diagnostics, path, shown } = load(positionals[0], 'status');
  for (const d of diagnostics) if (d.severity === 'error' && d.code !== 'missing-dep') process.stderr.write(`${showDiagnostic(shown, d)}\n`);
  if (!pipeline) return 1;
  let params, plan;
  try {
    params = resolveParams(pipeline, values.set ?? []);
    plan = planPipeline(pipeline);
  } catch (err) {
    if (err instanceof PipelineError) throw new CliError(`mlops pipeline status: ${err.message}`, 2);
    throw err;
  }
  const tracking = TrackingStore.open(resolveWorkspace(values.workspace));
  try {
    const history = pipelineHistory(tracking, { file: path, experiment: pipeline.experiment, steps: plan.order });
    // Without --set, a step stale only because the last run set params says so, not just "param lr changed".
    const lastOverrides = values.set?.length ? undefined : history.lastRun?.overrides;
    const rows = await pipelineStatus({ pipeline, file: path, folder: dirname(path), plan, params, tracking, baseEnv: process.env, lastOverrides });
    const last = (step: string): string => {
      const h = history.steps.get(step);
      if (!h) return 'never run';
      if (h.cached) return 'cached';
      const took = h.durationMs === null ? '' : ` ${stepDuration(h.durationMs)}`;
      return `${h.status.toLowerCase().replace('_', ' ')}${took}`;
    };
    // Run ids shortened to 8 characters (unique enough to paste into `mlops runs show`): the full table wrapped in a VS Code terminal.
    const short = (id: string | null | undefined) => (id ? id.slice(0, 8) : '');
    // The RUN column names the run an up-to-date step would reuse; WHY need not repeat it.
    const why = (r: (typeof rows)[number]) =>
      r.differsFromLastRun
        ? `up to date for the last run's --set ${r.differsFromLastRun.map((c) => `${c.param}=${c.lastRun}`).join(' ')}; the file's ${r.differsFromLastRun.map((c) => `${c.param} ${c.now}`).join(', ')} would run it`
        : r.reason.replace(/ since run [0-9a-f]{32}/, '').replace(/\b([0-9a-f]{8})[0-9a-f]{24}\b/g, '$1');
    console.log(formatTable(['STEP', 'STATUS', 'WHY', 'LAST RUN', 'RUN'], rows.map((r) => [r.step, r.state, why(r), last(r.step), short(r.runId ?? history.steps.get(r.step)?.runId)]), 80));
  } finally {
    tracking.close();
  }
  return 0;
}
