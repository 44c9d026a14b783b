import { parseArgs } from 'node:util';
import { deploymentNameFor, type DeploymentSpec, type DeploymentState } from '../../protocol/deployments';
import { monitoringSpec, type MonitoringSpecInput } from '../../protocol/monitoring';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative as relativePath, resolve as resolvePath, sep } from 'node:path';
import type { ModelsResponse, ModelVersionSummary, ServerInfo } from '../../protocol/native';
import { backendApi } from '../backendApi';
import { CliError } from '../cliError';
import { ensureServer } from '../ensureServer';
import { STOP_SIGNALS } from '../tracked/processControl';
import { resolveWorkspace } from '../workspace';
import { servingExamples } from './servingExamples';

export const SERVE_HELP = `Usage: mlops serve MODEL_URI [--name NAME] [--port N] [--challenger MODEL_URI (--split 90/10 | --shadow)]
                  [--no-auth] [--threads N] [--detach] [--workspace DIR]
                  [--reference FILE|training] [--window N] [--window-minutes M] [--min-rows N]
                  [--sample-rate R] [--max-rows-per-second N] [--recompute-seconds S]
                  [--on-drift PIPELINE] [--cooldown MINUTES]
                  [--no-monitoring]

Serves a registered ONNX model version with onnxruntime over the Open Inference
Protocol (KServe v2: /v2/models/NAME/infer), MLflow's scoring protocol
(/invocations) and KServe v1 (/v1/models/NAME:predict), with Prometheus /metrics.
The workspace's backend runs it in its own process and restarts it if it crashes.

  MODEL_URI           models:/churn@champion, models:/churn/3, models:/churn/latest
  --name NAME         the deployment's name (default: the model's name, made into a
                      deployment name if it is longer than 64 characters or has others
                      than letters, digits, ".", "_" and "-")
  --port N            port on 127.0.0.1 (default: any free port)
  --challenger URI    a second version, answering --split of the requests
  --split A/B         champion/challenger traffic in percent (default 90/10)
  --shadow            the challenger gets a copy of every request; the champion answers
  --no-auth           accept requests without a token (any process on this machine can call it;
                      requests a web page sends are refused)
  --threads N         onnxruntime intra-op threads per model (default 1 for small models)
  --detach            return once it serves; stop it later with mlops deployments stop NAME
                      (or the editor's Deployments view)
  --workspace DIR     workspace folder (default: nearest folder with .mlops/, else the current one)

Monitoring (on by default): requests are recorded (.mlops/deployments/NAME/requests,
at most 64 MiB, oldest dropped) and their features compared with a reference data
set, with Evidently's tests, every few seconds; drift shows in the editor and on /metrics.
  --reference REF     a CSV/JSONL file in the workspace, or "training" (default): the
                      data set the champion's run logged with mw.log_dataset(context="training")
  --window N          compare the last N recorded requests (default 1000)
  --window-minutes M  ... and none older than M minutes
  --min-rows N        no verdict before the window holds N requests (default 500, at most
                      the window: fewer give false alarms)
  --sample-rate R     share of requests recorded, 0-1 (default 1)
  --max-rows-per-second N
                      record at most about N rows a second; busier traffic is sampled
                      evenly down to it (default 2000)
  --recompute-seconds S
                      recompute drift at most every S seconds, when requests came (default 5,
                      0.2 to 3600)
  --on-drift FILE     run this pipeline (e.g. retrain.pipeline.yaml) when data set drift starts
  --cooldown MINUTES  at most one --on-drift run per MINUTES (default 60)
  --no-monitoring     record nothing, compute no drift

Runs in the foreground until Ctrl-C, which stops the deployment.`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      port: { type: 'string' },
      challenger: { type: 'string' },
      split: { type: 'string' },
      shadow: { type: 'boolean' },
      'no-auth': { type: 'boolean' },
      threads: { type: 'string' },
      detach: { type: 'boolean' },
      workspace: { type: 'string' },
      reference: { type: 'string' },
      window: { type: 'string' },
      'window-minutes': { type: 'string' },
      'min-rows': { type: 'string' },
      'sample-rate': { type: 'string' },
      'max-rows-per-second': { type: 'string' },
      'recompute-seconds': { type: 'string' },
      'on-drift': { type: 'string' },
      cooldown: { type: 'string' },
      'no-monitoring': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  const workspace = resolveWorkspace(values.workspace);
  // Models live in a project's store: serving from a folder without one would only
  // create an empty store (and a backend) to report that the model is not there.
  if (!existsSync(join(workspace, '.mlops', 'mlops.db'))) {
    throw new CliError(
      `mlops serve: no MLOps store in ${workspace}${values.workspace ? '' : ' or the folders above it'}: models are registered per project folder. ` +
        'Run mlops serve in your project (where "mlops models register" or "mlops pipeline run" made .mlops/), or pass --workspace DIR.',
    );
  }
  const spec = specFrom(positionals, values, workspace);
  warnAboutWindow(spec);
  const { info, started } = await ensureServer(workspace);
  if (started) process.stderr.write(`[mlops] started this workspace's server at ${info.url} in the background\n`);
  const created = await api(info, 'POST', '/api/v1/deployments', spec);
  const deployment = created.deployment as DeploymentState & { url: string };
  printServing(deployment, spec);
  await printExamples(info, deployment, spec, workspace);
  if (values.detach) return 0;

  // In the foreground: Ctrl-C (or the terminal closing) stops the deployment. Meanwhile
  // the deployment is watched (which also keeps this process alive) and its
  // restarts and problems are printed.
  return new Promise<number>((resolve) => {
    let stopping = false;
    let seen = { status: 'running', restarts: 0 };
    let seenMonitoring = '';
    const watch = setInterval(() => {
      void api(info, 'GET', `/api/v1/deployments/${encodeURIComponent(deployment.name)}`).then(
        (r) => {
          const d = r.deployment as DeploymentState;
          if (d.status !== seen.status || d.restarts !== seen.restarts) {
            process.stderr.write(`[mlops] deployment ${deployment.name}: ${d.status}${d.restarts ? ` (restarted ${d.restarts}×)` : ''}${d.lastError ? `: ${d.lastError}` : ''}\n`);
          }
          const monitoring = describeMonitoring(d.monitoring);
          if (monitoring && monitoring !== seenMonitoring) process.stderr.write(`[mlops] deployment ${deployment.name}: ${monitoring}\n`);
          seenMonitoring = monitoring ?? seenMonitoring;
          seen = { status: d.status, restarts: d.restarts };
        },
        (err: Error) => {
          if (stopping) return;
          clearInterval(watch);
          process.stderr.write(`[mlops] ${err.message.replace(/^mlops serve: /, '')}; the deployment is gone.\n`);
          resolve(1);
        },
      );
    }, 2000);
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      process.stderr.write(`\n[mlops] ${signal}: stopping deployment ${deployment.name}\n`);
      void api(info, 'DELETE', `/api/v1/deployments/${encodeURIComponent(deployment.name)}`).then(
        () => resolve(0),
        (err: Error) => {
          process.stderr.write(`[mlops] could not stop it: ${err.message}\n`);
          resolve(1);
        },
      );
    };
    for (const s of STOP_SIGNALS) process.on(s, stop);
  });
}

function specFrom(positionals: string[], values: Record<string, string | boolean | undefined>, workspace: string): DeploymentSpec {
  const [modelUri, ...extra] = positionals;
  if (!modelUri) throw new CliError(`mlops serve: give a model URI, e.g. models:/churn@champion.\n\n${SERVE_HELP}`, 2);
  if (extra.length) throw new CliError(`mlops serve: one model URI, then options (got also ${extra.join(' ')}).`, 2);
  if (!modelUri.startsWith('models:/')) throw new CliError(`mlops serve: ${modelUri} is not a models:/ URI; register the file first (mlops models register FILE --name NAME) and serve models:/NAME/1.`, 2);
  const challenger = values.challenger as string | undefined;
  if ((values.split !== undefined || values.shadow) && !challenger) throw new CliError('mlops serve: --split and --shadow need --challenger models:/…', 2);
  if (values.split !== undefined && values.shadow) throw new CliError('mlops serve: choose --split or --shadow, not both.', 2);
  let champion = 100;
  let challengerWeight = 0;
  if (challenger && !values.shadow) {
    const m = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec((values.split as string | undefined) ?? '90/10');
    if (!m || Number(m[1]) + Number(m[2]) !== 100) throw new CliError(`mlops serve: --split takes champion/challenger percentages adding up to 100, e.g. 90/10 (got '${String(values.split)}').`, 2);
    champion = Number(m[1]);
    challengerWeight = Number(m[2]);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`mlops serve: --port takes a port number (got '${String(values.port)}').`, 2);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new CliError(`mlops serve: --threads takes a whole number ≥ 1 (got '${String(values.threads)}').`, 2);
  const model = /^models:\/([^/@]+)/.exec(modelUri)?.[1] ?? 'model';
  const name = (values.name as string | undefined) ?? deploymentNameFor(model);
  if (name !== model && values.name === undefined) {
    process.stderr.write(`[mlops] deploying as '${name}': a deployment's name has at most 64 letters, digits, ".", "_" and "-" and the model's name is not one; --name NAME chooses another.\n`);
  }
  return {
    name,
    port,
    auth: !values['no-auth'],
    shadow: values.shadow === true,
    variants: [{ name: 'champion', modelUri, weight: champion }, ...(challenger ? [{ name: 'challenger' as const, modelUri: challenger, weight: challengerWeight }] : [])],
    ...(threads ? { intraOpThreads: threads } : {}),
    monitoring: values['no-monitoring'] ? null : (monitoringFrom(values, workspace) as DeploymentSpec['monitoring']),
  };
}

/** The monitoring flags as a spec; the backend fills in the defaults and checks the ranges. */
function monitoringFrom(values: Record<string, string | boolean | undefined>, workspace: string): MonitoringSpecInput {
  const number = (flag: string, integer: boolean): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new CliError(`mlops serve: --${flag} takes ${integer ? 'a whole number' : 'a number'} (got '${String(raw)}').`, 2);
    return n;
  };
  const reference = values.reference as string | undefined;
  const onDrift = values['on-drift'] as string | undefined;
  const rows = number('window', true);
  const minutes = number('window-minutes', false);
  const spec: MonitoringSpecInput = {
    // Files are named from the current folder; the backend reads them from the workspace.
    ...(reference ? { reference: reference === 'training' ? reference : inWorkspace(workspace, reference) } : {}),
    ...(rows !== undefined || minutes !== undefined ? { window: { ...(rows !== undefined ? { rows } : {}), ...(minutes !== undefined ? { minutes } : {}) } } : {}),
    ...(onDrift ? { onDrift: inWorkspace(workspace, onDrift) } : {}),
  };
  const minRows = number('min-rows', true);
  const sampleRate = number('sample-rate', false);
  const maxRowsPerSecond = number('max-rows-per-second', true);
  const cooldown = number('cooldown', false);
  const recomputeSeconds = number('recompute-seconds', false);
  if (minRows !== undefined) spec.minRows = minRows;
  if (sampleRate !== undefined) spec.sampleRate = sampleRate;
  if (maxRowsPerSecond !== undefined) spec.maxRowsPerSecond = maxRowsPerSecond;
  if (recomputeSeconds !== undefined) spec.recomputeSeconds = recomputeSeconds;
  if (cooldown !== undefined) spec.cooldownMinutes = cooldown;
  // The ranges are checked here too, so that a slip names its flag and starts no backend.
  const checked = monitoringSpec.safeParse(spec);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue.path.join('.');
    const flag = MONITORING_FLAGS[field];
    const problem = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
    throw new CliError(`mlops serve: ${flag ? `--${flag} ${String(values[flag])}` : field}: ${problem}.`, 2);
  }
  return spec;
}

/**
 * A file named from the current folder, as the workspace-relative path the spec
 * keeps (what `deployments show` and the editor print); a file outside the
 * workspace stays absolute, and the backend refuses it with a message.
 */
function inWorkspace(workspace: string, file: string): string {
  const relative = relativePath(workspace, resolvePath(file));
  return relative.startsWith('..') || isAbsolute(relative) ? resolvePath(file) : relative.split(sep).join('/');
}

/** The flag that sets each field of the monitoring spec. */
const MONITORING_FLAGS: Record<string, string> = {
  'window.rows': 'window',
  'window.minutes': 'window-minutes',
  minRows: 'min-rows',
  sampleRate: 'sample-rate',
  maxRowsPerSecond: 'max-rows-per-second',
  recomputeSeconds: 'recompute-seconds',
  cooldownMinutes: 'cooldown',
};

/** One line for a change in monitoring worth telling the terminal. */
function describeMonitoring(m: DeploymentState['monitoring']): string | undefined {
  if (!m) return undefined;
  if (m.status === 'drift') return `DATA DRIFT: ${m.driftedFeatures.length} feature${m.driftedFeatures.length === 1 ? '' : 's'} drifted (${m.driftedFeatures.join(', ')})`;
  if (m.status === 'ok') return 'monitoring: no data drift';
  if (m.status === 'waiting') return undefined;
  return `monitoring ${m.status}${m.message ? `: ${m.message}` : ''}`;
}

function printServing(d: DeploymentState & { url: string }, spec: DeploymentSpec): void {
  const champion = d.variants.find((v) => v.name === 'champion')!;
  const model = champion.model;
  const who = d.variants.map((v) => `${v.name} ${v.model} v${v.version}${spec.shadow ? (v.name === 'challenger' ? ' (shadow: gets a copy)' : '') : d.variants.length > 1 ? ` (${v.weight}%)` : ''}`).join(', ');
  console.log(`Serving deployment ${d.name} at ${d.url}: ${who}`);
  console.log(`  Open Inference Protocol  POST ${d.url}/v2/models/${model}/infer`);
  console.log(`  MLflow scoring           POST ${d.url}/invocations`);
  console.log(`  KServe v1                POST ${d.url}/v1/models/${model}:predict`);
  console.log(`  Prometheus               GET  ${d.url}/metrics`);
  if (spec.auth) {
    console.log(`  Requests need the deployment's serving token: Authorization: Bearer <token in .mlops/deployments/${d.name}/serving-token>`);
    console.log(`  (mlops deployments token ${d.name} prints it, --rotate replaces it; it opens this deployment only, not the workspace)`);
  } else {
    console.log('');
    console.log('  WARNING: --no-auth: this deployment answers ANY process on this machine without a token.');
  }
  const m = spec.monitoring;
  if (!m) return;
  // What the deployment says, not what was asked: monitoring may be off for a reason.
  const state = d.monitoring;
  if (state && (state.status === 'off' || state.status === 'error')) {
    console.log(`  Monitoring: ${state.status === 'off' ? 'OFF' : 'FAILED'}: ${state.message ?? 'no reason given'}`);
    return;
  }
  const window = `the last ${m.window?.rows ?? 1000} requests${m.window?.minutes ? ` of ${m.window.minutes} min` : ''}`;
  console.log(`  Monitoring: drift of ${window} against ${m.reference && m.reference !== 'training' ? m.reference : "the champion's training data set"}${m.onDrift ? `; on drift runs ${m.onDrift}` : ''}`);
}

/** "Try it:" with requests built from the champion's signature; quietly nothing if the version cannot be read. */
async function printExamples(info: ServerInfo, d: DeploymentState & { url: string }, spec: DeploymentSpec, workspace: string): Promise<void> {
  const champion = d.variants.find((v) => v.name === 'champion');
  if (!champion) return;
  let version: ModelVersionSummary | undefined;
  try {
    const { models } = (await backendApi(info, 'GET', `/api/v1/models?name=${encodeURIComponent(champion.model)}`)) as unknown as ModelsResponse;
    version = models[0]?.versions.find((v) => v.version === champion.version);
  } catch {
    return;
  }
  if (!version) return;
  const tokenLine = spec.auth ? `TOKEN=$(cat '${join(workspace, '.mlops', 'deployments', d.name, 'serving-token')}')` : undefined;
  const lines = servingExamples(version, { url: d.url, model: champion.model, tokenLine });
  if (lines.length === 0) return;
  console.log('');
  console.log('  Try it:');
  for (const line of lines) console.log(`    ${line}`);
}

/** A verdict never needs more rows than the window holds: say so rather than cap silently. */
function warnAboutWindow(spec: DeploymentSpec): void {
  const m = spec.monitoring as MonitoringSpecInput | null | undefined;
  const rows = m?.window?.rows ?? 1000;
  if (m?.minRows !== undefined && m.minRows > rows) {
    process.stderr.write(`[mlops] note: --min-rows ${m.minRows} is more than the window (${rows} requests): drift is computed once the window is full.\n`);
  }
}

/** The backend's answer, its refusals as the CLI's errors. */
async function api(info: ServerInfo, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  try {
    return await backendApi(info, method, path, body);
  } catch (err) {
    throw new CliError(`mlops serve: ${(err as Error).message}`, 1);
  }
}
