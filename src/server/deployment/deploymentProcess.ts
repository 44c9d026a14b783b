// One deployment's life, driven by the backend over IPC: the first `deploy` loads
// the variants and starts listening (`ready`); a later one loads the new variants
// beside the old, switches atomically (`deployed`), then lets the old finish their
// requests and disposes them; a failed load reports `deployFailed` and changes
// nothing. `stop`, or the backend going away (IPC closed), closes gracefully.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toDeploymentProcess, type DeploymentSpec, type FromDeploymentProcess } from '../../protocol/deployments';
import { TRAFFIC_INTERVAL_MS } from '../../protocol/monitoringLimits';
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import { DeploymentMetrics, type VariantName } from './deploymentMetrics';
import { FeedbackLedger } from './feedbackLedger';
import { ServingSlot } from './servingSlot';
import { describeVariants, loadVariants, type LoadedVariant } from './variantLoader';
import { createDeploymentServer } from './deploymentServer';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { DeploymentMonitor } from './deploymentMonitor';
import { startMonitor } from './monitorStart';

export interface DeploymentProcessOptions {
  registry: ModelRegistry;
  tracking: TrackingStore;
  /** The workspace folder: reference files are read from it, requests recorded in its store. */
  workspace: string;
  /** The workspace token: accepted beside the deployment's serving token (which the backend sends over IPC). */
  token: string | undefined;
  send(message: FromDeploymentProcess): void;
  log(line: string): void;
  /** Called once the server is closed and the models are released. */
  exit(code: number): void;
}

export class DeploymentProcess {
  private readonly slot = new ServingSlot();
  private readonly metrics = new DeploymentMetrics();
  private readonly ledger = new FeedbackLedger();
  private spec: DeploymentSpec | undefined;
  private server: Server | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  /** Deploys and the stop run one at a time, in the order they came. */
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  private monitor: DeploymentMonitor | undefined;
  private readonly workspaceToken: Buffer | undefined;
  /** The tokens a request may bring unless the spec turns auth off: the serving token, then the workspace token. */
  private acceptedTokens: readonly Buffer[];

  constructor(private readonly options: DeploymentProcessOptions) {
    // Once, not per request: every request's auth check reads them.
    this.workspaceToken = options.token ? Buffer.from(options.token) : undefined;
    this.acceptedTokens = this.workspaceToken ? [this.workspaceToken] : [];
  }

  /** An IPC message, validated: anything malformed is reported, never acted on. */
  receive(raw: unknown): void {
    const parsed = toDeploymentProcess.safeParse(raw);
    if (!parsed.success) {
      const message = `Ignored a malformed message from the backend: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}`;
      this.options.log(message);
      if ((raw as { type?: unknown })?.type === 'deploy') this.options.send({ type: 'deployFailed', message });
      return;
    }
    const message = parsed.data;
    if (message.type === 'stop') this.enqueue(() => this.stop(0));
    else if (message.type === 'servingToken') this.setServingToken(message.token);
    else this.enqueue(() => this.deploy(message.spec));
  }

  /** Not queued behind a deploy that loads models: a rotated token must stop working at once. */
  private setServingToken(token: string): void {
    const serving = Buffer.from(token);
    this.acceptedTokens = this.workspaceToken ? [serving, this.workspaceToken] : [serving];
    this.options.send({ type: 'servingTokenSet' });
  }

  /** The backend is gone: nobody supervises us, so stop serving. */
  disconnected(): void {
    this.enqueue(() => this.stop(0));
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step, step);
  }

  private async deploy(spec: DeploymentSpec): Promise<void> {
    if (this.stopping) return;
    if (spec.auth && this.acceptedTokens.length === 0) {
      this.options.send({ type: 'deployFailed', message: 'No token to check: a deployment with auth needs its serving token (a servingToken message) or the workspace token (MLOPS_DEPLOYMENT_TOKEN).' });
      if (!this.server) return this.stop(1);
      return;
    }
    let variants;
    try {
      variants = await loadVariants(
        this.options.registry,
        spec,
        (variant, record) => this.metrics.batch(variant, record),
        (variant, feeds, results) => this.monitor?.record(variant, feeds, results),
      );
    } catch (err) {
      this.options.send({ type: 'deployFailed', message: `Could not deploy ${spec.name}: ${(err as Error).message}` });
      // A first deploy that fails leaves nothing to serve.
      if (!this.server) return this.stop(1);
      return;
    }
    const first = !this.server;
    if (first) {
      try {
        this.spec = spec;
        this.server = await this.listen(spec.port);
      } catch (err) {
        this.server = undefined;
        await Promise.all(variants.map((v) => v.served.dispose()));
        this.options.send({ type: 'deployFailed', message: `Could not listen on 127.0.0.1:${spec.port}: ${(err as Error).message}` });
        return this.stop(1);
      }
    }
    // The listening port stays; name, auth, split and shadow follow the new spec.
    this.spec = spec;
    const previous = this.slot.generation?.variants.map((v) => `${v.model}/${v.version}`).join(', ');
    const retiring = this.slot.swap(variants, spec.shadow).then(() => previous && this.options.log(`released ${previous} after its last request`));
    this.metrics.setModels(variants);
    await this.restartMonitor(spec, variants);
    const served = describeVariants(variants);
    if (first) {
      const { port } = this.server!.address() as AddressInfo;
      this.options.send({ type: 'ready', url: `http://127.0.0.1:${port}`, variants: served });
      // Counts from the start (zeros, or what came since listening), so no one waits 2 s for a first "0".
      this.sendStats();
      this.statsTimer = setInterval(() => this.sendStats(), TRAFFIC_INTERVAL_MS);
      this.statsTimer.unref();
    } else {
      this.options.send({ type: 'deployed', variants: served });
    }
    this.options.log(`serving ${served.map((v) => `${v.name} ${v.model}/${v.version}${spec.shadow && v.name === 'challenger' ? ' (shadow)' : ` (weight ${v.weight})`}`).join(', ')}${spec.auth ? '' : '; WITHOUT AUTH: any local process can call it'}`);
    // Old models finish their requests in the background; the next deploy may start meanwhile.
    void retiring.catch((err) => this.options.log(`releasing the previous models failed: ${(err as Error).message}`));
  }

  /** Monitoring follows the new models: their features, the champion's reference and predictions. */
  private async restartMonitor(spec: DeploymentSpec, variants: LoadedVariant[]): Promise<void> {
    const previous = this.monitor;
    this.monitor = undefined;
    await previous?.dispose();
    this.metrics.setDrift(undefined);
    this.monitor = startMonitor({
      spec,
      variants,
      registry: this.options.registry,
      tracking: this.options.tracking,
      workspace: this.options.workspace,
      send: this.options.send,
      log: this.options.log,
      onSnapshot: (snapshot) => this.metrics.setDrift(snapshot),
    });
  }

  private listen(port: number): Promise<Server> {
    const server = createDeploymentServer({
      slot: this.slot,
      metrics: this.metrics,
      ledger: this.ledger,
      deploymentName: () => this.spec?.name ?? '',
      tokens: () => (this.spec?.auth === false ? undefined : this.acceptedTokens),
      log: this.options.log,
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  private sendStats(): void {
    const { p50Ms, p99Ms } = this.metrics.takeWindow();
    const outcomes = (name: VariantName) => {
      const score = this.ledger.scores[name];
      return { ...this.metrics.variantCounts(name), labelled: score.labelled, accuracy: score.judged ? score.correct / score.judged : null, meanAbsoluteError: score.regressions ? score.absoluteError / score.regressions : null };
    };
    const variants = { champion: outcomes('champion'), challenger: outcomes('challenger') };
    this.options.send({ type: 'stats', requests: this.metrics.total, errors: this.metrics.errors, inFlight: this.metrics.inFlight, p50Ms, p99Ms, variants });
  }

  /** Stops accepting, lets requests in flight finish, releases the models, exits. */
  private async stop(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    const server = this.server;
    if (server) {
      await new Promise<void>((done) => {
        server.close(() => done());
        // close() drops only the connections idle right now; a keep-alive connection
        // whose request is still being answered goes idle later, so keep sweeping.
        const sweep = setInterval(() => server.closeIdleConnections(), 20);
        server.closeIdleConnections();
        // A client still sending after 5 s must not hold the exit forever.
        const limit = setTimeout(() => server.closeAllConnections(), 5_000);
        server.once('close', () => {
          clearInterval(sweep);
          clearTimeout(limit);
        });
      });
    }
    await this.monitor?.dispose();
    await this.slot.clear();
    this.options.exit(code);
  }
}
