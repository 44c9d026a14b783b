import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fromDeploymentProcess, type DeploymentSpec, type DeploymentState, type ToDeploymentProcess } from '../../protocol/deployments';
import { HttpError } from '../http/httpError';
import type { DeploymentEvent, ServingTokenResponse } from '../../protocol/deployments';
import type { DriftAlert, MonitoringQuery, MonitoringState, RetrainOutcome } from '../../protocol/monitoring';
import { MonitoringHistory } from './monitoringHistory';
import { retrainAvailability } from './retrainAvailability';
import { RetrainRunner, type RetrainReason } from './retrainRunner';
import { checkDeploymentSpec } from './deploymentSpecCheck';
import { ServingTokens } from './servingTokens';
import type { ModelRegistry } from '../../core/registry/modelRegistry';

export type { DeploymentState };

export interface SupervisorOptions {
  workspace: string;
  /** The workspace's registry: a spec's model URIs are checked against it before anything starts. */
  registry: ModelRegistry;
  /** The workspace token: deployments accept it beside their own serving token, unless started with auth off. */
  token: string;
  log: (line: string) => void;
  /** The deployment process's bundle (dist/deployment.js beside dist/server.js). */
  processFile?: string;
  /** Time to wait for a process to load its models and listen. */
  readyTimeoutMs?: number;
  /** Live changes, for the event stream. */
  onEvent?: (event: DeploymentEvent) => void;
  /** Runs onDrift pipelines (default: the CLI beside the server bundle). */
  retrain?: RetrainRunner;
}

/** What a caller of the process can wait for. */
type Milestone = 'ready' | 'deployed' | 'servingTokenSet';

const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000];
const READY_TIMEOUT_MS = 30_000;

/**
 * Runs each deployment in its own process, so a model that crashes (a native
 * fault in onnxruntime, memory) never takes tracking down. A process that exits
 * unasked is restarted with backoff on the same port, so its URL keeps working;
 * a redeploy is handed to the running process, which switches models without
 * dropping requests. Deployments live as long as the backend: their processes
 * exit when the IPC channel to it closes.
 */
export class DeploymentSupervisor {
  private readonly deployments = new Map<string, Managed>();
  private readonly retrainRunner: RetrainRunner;
  private readonly tokens: ServingTokens;

  constructor(private readonly o: SupervisorOptions) {
    this.retrainRunner = o.retrain ?? new RetrainRunner({ workspace: o.workspace, log: o.log });
    this.tokens = new ServingTokens(o.workspace);
  }

  list(): DeploymentState[] {
    return [...this.deployments.values()].map((d) => d.snapshot());
  }

  get(name: string): DeploymentState {
    return this.find(name).snapshot();
  }

  /** Deployments that are up or coming up (the backend is not idle while any is). */
  activeCount(): number {
    return [...this.deployments.values()].filter((d) => d.state.status !== 'stopped' && d.state.status !== 'failed').length;
  }

  /** Starts a deployment and resolves once it serves (or rejects with why it could not). */
  async create(spec: DeploymentSpec): Promise<DeploymentState> {
    // What is wrong with the spec first: a typo in a URI is the problem to hear, even when the name is taken.
    checkDeploymentSpec(spec, { registry: this.o.registry, workspace: this.o.workspace });
    const existing = this.deployments.get(spec.name);
    if (existing && existing.state.status !== 'stopped' && existing.state.status !== 'failed') throw alreadyRunning(existing.state);
    // Made (or found: it outlives deployments and backends) before the process needs it.
    const managed = new Managed(spec, this.o, this.retrainRunner, this.tokens.ensure(spec.name));
    this.deployments.set(spec.name, managed);
    try {
      await managed.start();
    } catch (err) {
      // One that never served is not kept: the caller gets the error, the list stays clean.
      await managed.stop();
      if (this.deployments.get(spec.name) === managed) {
        this.deployments.delete(spec.name);
        this.o.onEvent?.({ kind: 'removed', name: spec.name, deployment: managed.snapshot(), alert: null });
      }
      throw err;
    }
    return managed.snapshot();
  }

  /** Hands a new spec (other model versions, split, shadow) to the running process. */
  async redeploy(name: string, spec: DeploymentSpec): Promise<DeploymentState> {
    const managed = this.find(name);
    checkDeploymentSpec(spec, { registry: this.o.registry, workspace: this.o.workspace });
    if (spec.port !== managed.state.spec.port && spec.port !== 0) {
      throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `port: a redeploy keeps the deployment's port (${managed.state.spec.port}); stop and start it to move it.`);
    }
    await managed.redeploy({ ...spec, name, port: managed.state.spec.port });
    return managed.snapshot();
  }

  async stop(name: string): Promise<DeploymentState> {
    const managed = this.find(name);
    await managed.stop();
    this.deployments.delete(name);
    this.o.onEvent?.({ kind: 'removed', name, deployment: managed.snapshot(), alert: null });
    return managed.snapshot();
  }

  monitoring(name: string, query: MonitoringQuery = {}): MonitoringState {
    return this.find(name).monitoringState(query);
  }

  /** Runs a retraining pipeline now (the editor's Retrain): `pipeline`, else the deployment's onDrift. */
  retrain(name: string, pipeline: string | undefined): RetrainOutcome {
    return this.find(name).retrainNow(pipeline);
  }

  /** The deployment's serving token; also of one that is not running now but had one (it comes back with the name). */
  servingToken(name: string): ServingTokenResponse {
    const token = this.deployments.has(name) ? this.tokens.ensure(name) : this.tokens.read(name);
    if (!token) this.find(name);
    return { name, token: token!, file: ServingTokens.relativeFile(name) };
  }

  /** A new serving token; a running deployment checks it (and no longer the old one) before this resolves. */
  async rotateServingToken(name: string): Promise<ServingTokenResponse> {
    const managed = this.deployments.get(name);
    if (!managed && !this.tokens.read(name)) this.find(name);
    const token = this.tokens.rotate(name);
    await managed?.servingTokenChanged(token);
    this.o.log(`deployment ${name}: serving token rotated; the old one no longer works`);
    return { name, token, file: ServingTokens.relativeFile(name) };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.deployments.values()].map((d) => d.stop()));
    this.deployments.clear();
  }

  private find(name: string): Managed {
    const managed = this.deployments.get(name);
    if (!managed) {
      const known = [...this.deployments.keys()];
      const which = known.length ? `the deployments are ${known.map((k) => `'${k}'`).join(', ')}` : 'none runs in this backend';
      throw new HttpError(404, 'RESOURCE_DOES_NOT_EXIST', `No deployment named '${name}' (${which}). Start one with mlops serve models:/NAME@ALIAS.`);
    }
    return managed;
  }
}

/** The 409 for a name taken by a live deployment, with the three ways on. */
function alreadyRunning(d: DeploymentState): HttpError {
  const serving = d.variants.length ? ` serving ${d.variants.map((v) => `${v.model} v${v.version}`).join(', ')}` : '';
  return new HttpError(
    409,
    'RESOURCE_ALREADY_EXISTS',
    `Deployment '${d.name}' is already ${d.status} at ${d.url ?? '(starting)'}${serving}. ` +
      `Redeploy it in place (mlops deployments restart ${d.name}, or Restart in the editor's Deployments view: its spec again, aliases resolved anew), ` +
      `stop it first to start it with this spec (mlops deployments stop ${d.name}), ` +
      `or choose another name for this one (mlops serve … --name OTHER).`,
  );
}

/** One deployment: its process, its restarts, what it serves. */
class Managed {
  readonly state: DeploymentState;
  private child?: ChildProcess;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  private waiters: { resolve: () => void; reject: (err: Error) => void; until: Milestone }[] = [];

  private readonly monitoring = new MonitoringHistory();

  constructor(
    spec: DeploymentSpec,
    private readonly o: SupervisorOptions,
    private readonly retrainRunner: RetrainRunner,
    /** Kept here too: a restart after a crash must not depend on reading a file. */
    private servingToken: string,
  ) {
    this.state = { name: spec.name, spec, status: 'starting', url: null, variants: [], pid: null, restarts: 0, lastError: null, startedAt: Date.now(), stats: null, lastLatency: null, monitoring: null };
  }

  snapshot(): DeploymentState {
    return { ...this.state, variants: [...this.state.variants], monitoring: this.state.spec.monitoring ? this.monitoring.summary() : null };
  }

  monitoringState(query: MonitoringQuery = {}): MonitoringState {
    const spec = this.state.spec.monitoring ?? null;
    const retrain = retrainAvailability({ deployment: this.state.name, spec, running: this.retrainRunner.isRunning(this.state.name), lastRetrainAt: this.monitoring.lastRetrainAt });
    return this.monitoring.state(this.state.name, spec, retrain, query);
  }

  private changed(): void {
    this.o.onEvent?.({ kind: 'changed', name: this.state.name, deployment: this.snapshot(), alert: null });
  }

  /** Data set drift started or ended: tell the editor; on a start, run onDrift unless it ran within the cooldown. */
  private raise(alert: DriftAlert): void {
    const monitoring = this.state.spec.monitoring;
    if (alert.kind === 'started' && monitoring?.onDrift) {
      const since = this.monitoring.lastRetrainAt === null ? Infinity : Date.now() - this.monitoring.lastRetrainAt;
      if (since < monitoring.cooldownMinutes * 60_000) {
        const minutes = Math.ceil((monitoring.cooldownMinutes * 60_000 - since) / 60_000);
        alert.retrain = { pipeline: monitoring.onDrift, status: 'cooldown', message: `${monitoring.onDrift} ran ${Math.round(since / 60_000)} min ago; the cooldown allows the next run in ${minutes} min.` };
      } else {
        alert.retrain = this.startRetrain(monitoring.onDrift, 'drift');
      }
    }
    this.o.log(`deployment ${this.state.name}: data set drift ${alert.kind} (${Math.round(alert.driftedShare * 100)}% of features drifted${alert.features.length ? `: ${alert.features.join(', ')}` : ''})${alert.retrain ? `; ${alert.retrain.message}` : ''}`);
    this.o.onEvent?.({ kind: 'alert', name: this.state.name, deployment: this.snapshot(), alert });
  }

  private startRetrain(pipeline: string, reason: RetrainReason): RetrainOutcome {
    const outcome = this.retrainRunner.start(this.state.name, pipeline, reason, (done) => {
      const alert: DriftAlert = { at: Date.now(), kind: 'retrain', driftedShare: this.monitoring.latest?.driftedShare ?? 0, features: [], retrain: done };
      this.monitoring.addAlert(alert);
      this.o.onEvent?.({ kind: 'alert', name: this.state.name, deployment: this.snapshot(), alert });
    });
    if (outcome.status === 'started') this.monitoring.lastRetrainAt = Date.now();
    return outcome;
  }

  retrainNow(pipeline: string | undefined): RetrainOutcome {
    const file = pipeline ?? this.state.spec.monitoring?.onDrift;
    if (!file) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Deployment '${this.state.name}' has no onDrift pipeline: give {"pipeline": "retrain.pipeline.yaml"}.`);
    if (this.retrainRunner.isRunning(this.state.name)) throw new HttpError(409, 'INVALID_STATE', `A retraining run for '${this.state.name}' is still going; see .mlops/deployments/${this.state.name}/retrain.log.`);
    const outcome = this.startRetrain(file, 'request');
    if (outcome.status === 'failed') throw new HttpError(400, 'INVALID_PARAMETER_VALUE', outcome.message);
    const alert: DriftAlert = { at: Date.now(), kind: 'retrain', driftedShare: this.monitoring.latest?.driftedShare ?? 0, features: [], retrain: outcome };
    this.monitoring.addAlert(alert);
    this.o.onEvent?.({ kind: 'alert', name: this.state.name, deployment: this.snapshot(), alert });
    return outcome;
  }

  start(): Promise<void> {
    this.spawn();
    return this.waitFor('ready');
  }

  redeploy(spec: DeploymentSpec): Promise<void> {
    if (this.state.status !== 'running' || !this.child) {
      throw new HttpError(409, 'INVALID_STATE', `Deployment '${this.state.name}' is ${this.state.status}; it can be redeployed once it is running.`);
    }
    const done = this.waitFor('deployed');
    this.send({ type: 'deploy', spec });
    return done.then(() => {
      this.state.spec = spec;
    });
  }

  /** Hands a rotated token to the process and waits until it checks it; a process coming up gets it as it starts. */
  servingTokenChanged(token: string): Promise<void> {
    this.servingToken = token;
    if (!this.child?.connected) return Promise.resolve();
    const done = this.waitFor('servingTokenSet');
    this.send({ type: 'servingToken', token });
    return done;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    this.state.status = 'stopped';
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.send({ type: 'stop' });
    // A process that does not finish its requests in time is made to.
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }

  private spawn(): void {
    const file = this.o.processFile ?? join(__dirname, 'deployment.js');
    const child = fork(file, [], {
      env: { ...process.env, MLOPS_WORKSPACE: this.o.workspace, MLOPS_DEPLOYMENT_TOKEN: this.o.token },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.state.pid = child.pid ?? null;
    const prefix = `deployment ${this.state.name}: `;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.trim()) this.o.log(prefix + line);
      });
    }
    child.on('message', (raw) => this.onMessage(raw));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', (err) => this.o.log(`${prefix}${err.message}`));
    // The token first: the process must check it from its first request on.
    this.send({ type: 'servingToken', token: this.servingToken });
    this.send({ type: 'deploy', spec: this.state.spec });
  }

  private onMessage(raw: unknown): void {
    const parsed = fromDeploymentProcess.safeParse(raw);
    if (!parsed.success) return this.o.log(`deployment ${this.state.name}: ignored a malformed message`);
    const m = parsed.data;
    switch (m.type) {
      case 'ready':
        Object.assign(this.state, { status: 'running', url: m.url, variants: m.variants, lastError: null });
        this.monitoring.processStarted();
        // Restarts come back on the same port, so the URL clients use keeps working.
        this.state.spec = { ...this.state.spec, port: Number(new URL(m.url).port) };
        this.settle('ready');
        break;
      case 'deployed':
        this.state.variants = m.variants;
        this.settle('deployed');
        break;
      case 'servingTokenSet':
        this.settle('servingTokenSet');
        return;
      case 'deployFailed':
        this.state.lastError = m.message;
        this.settle(this.state.status === 'running' ? 'deployed' : 'ready', new HttpError(400, 'INVALID_PARAMETER_VALUE', m.message));
        break;
      case 'stats':
        this.state.stats = m;
        // Kept past the interval: once traffic stops, the next stats have no percentiles.
        if (m.p50Ms !== null && m.p99Ms !== null) this.state.lastLatency = { p50Ms: m.p50Ms, p99Ms: m.p99Ms, at: Date.now() };
        this.monitoring.addStats(m);
        break;
      case 'monitoring':
        this.monitoring.setStatus(m.status, m.message, m.windowRows, m.recordedRows);
        break;
      case 'reference':
        this.monitoring.setReference(m.info);
        break;
      case 'drift': {
        const alert = this.monitoring.addSnapshot(m.snapshot, m.recordedRows);
        if (alert) this.raise(alert);
        break;
      }
    }
    this.changed();
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.state.pid = null;
    if (this.stopping) return;
    const why = `the process exited (${signal ?? `code ${code}`})`;
    this.state.lastError = this.state.lastError && this.state.status === 'starting' ? this.state.lastError : why;
    // One that never came up is not retried: its spec is what is wrong (a missing model, a taken port).
    if (this.state.status === 'starting' && this.state.restarts === 0) {
      this.state.status = 'failed';
      this.settle('ready', new HttpError(400, 'INVALID_PARAMETER_VALUE', `Deployment '${this.state.name}' did not start: ${this.state.lastError}`));
      return;
    }
    const delay = BACKOFF_MS[Math.min(this.state.restarts, BACKOFF_MS.length - 1)];
    this.state.status = 'restarting';
    this.state.restarts++;
    this.o.log(`deployment ${this.state.name}: ${why}; restarting in ${delay / 1000} s (restart ${this.state.restarts})`);
    this.changed();
    this.settle('deployed', new HttpError(503, 'TEMPORARILY_UNAVAILABLE', `Deployment '${this.state.name}' ${why} during the redeploy; it is restarting.`));
    // The restarted process gets the new token as it starts: the rotation holds.
    this.settle('servingTokenSet');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) this.spawn();
    }, delay);
    this.restartTimer.unref();
  }

  private send(message: ToDeploymentProcess): void {
    if (this.child?.connected) this.child.send(message);
  }

  private waitFor(until: Milestone): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new HttpError(504, 'DEADLINE_EXCEEDED', `Deployment '${this.state.name}' did not ${until === 'servingTokenSet' ? 'take its new serving token' : `become ${until}`} within ${(this.o.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s.`));
      }, this.o.readyTimeoutMs ?? READY_TIMEOUT_MS);
      const waiter = {
        until,
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (err: Error) => (clearTimeout(timer), reject(err)),
      };
      this.waiters.push(waiter);
    });
  }

  private settle(until: Milestone, err?: Error): void {
    const now = this.waiters.filter((w) => w.until === until);
    this.waiters = this.waiters.filter((w) => w.until !== until);
    for (const w of now) (err ? w.reject(err) : w.resolve());
  }
}
