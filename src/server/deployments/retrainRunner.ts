// Runs a deployment's retraining pipeline (`onDrift`, or the editor's Retrain)
// through the real CLI, as `mlops pipeline run FILE` would in a terminal: the
// runs, the gate, the registration and the redeploy are recorded like any other
// pipeline run. One at a time per deployment; its output goes to
// .mlops/deployments/NAME/retrain.log.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RetrainOutcome } from '../../protocol/monitoring';
import { locatePipeline } from './workspacePipeline';

export interface RetrainRunnerOptions {
  workspace: string;
  log(line: string): void;
  /** dist/cli.js beside dist/server.js. */
  cliFile?: string;
}

/** Why a retraining run starts: data set drift (onDrift), or a request (the editor's Retrain, POST …/retrain). */
export type RetrainReason = 'drift' | 'request';

export class RetrainRunner {
  private readonly running = new Map<string, ChildProcess>();

  constructor(private readonly o: RetrainRunnerOptions) {}

  isRunning(deployment: string): boolean {
    return this.running.has(deployment);
  }

  /** Starts the pipeline; `onExit` hears its exit code. */
  start(deployment: string, pipeline: string, reason: RetrainReason, onExit: (outcome: RetrainOutcome) => void): RetrainOutcome {
    const fail = (message: string): RetrainOutcome => ({ pipeline, status: 'failed', message });
    if (this.running.has(deployment)) return fail(`A retraining run of ${pipeline} for ${deployment} is still going.`);
    const located = locatePipeline(this.o.workspace, pipeline);
    if (!located.ok) return fail(located.message);
    const why = reason === 'drift' ? `drift in deployment ${deployment}` : `on request for deployment ${deployment}`;
    const dir = join(this.o.workspace, '.mlops', 'deployments', deployment);
    mkdirSync(dir, { recursive: true });
    const logFile = join(dir, 'retrain.log');
    const out = createWriteStream(logFile, { flags: 'a' });
    out.write(`\n=== ${new Date().toISOString()} mlops pipeline run ${pipeline} (${why}) ===\n`);
    const child = spawn(process.execPath, [this.o.cliFile ?? join(__dirname, 'cli.js'), 'pipeline', 'run', located.path], {
      cwd: this.o.workspace,
      env: { ...process.env, MLOPS_PROGRESS: '0', MLOPS_RETRAIN_REASON: why },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    this.running.set(deployment, child);
    this.o.log(`deployment ${deployment}: retraining with ${pipeline} (${why}, pid ${child.pid}); output in ${logFile}`);
    const finish = (code: number | null, message: string) => {
      if (this.running.get(deployment) !== child) return;
      this.running.delete(deployment);
      out.end(`=== exit ${code ?? 'error'} ===\n`);
      this.o.log(`deployment ${deployment}: retraining with ${pipeline} ${message}`);
      onExit({ pipeline, status: code === 0 ? 'finished' : 'failed', message: `mlops pipeline run ${pipeline} ${message}`, exitCode: code });
    };
    child.on('exit', (code, signal) => finish(code, code === 0 ? 'finished' : `exited with ${signal ?? `code ${code}`} (see .mlops/deployments/${deployment}/retrain.log)`));
    child.on('error', (err) => finish(null, `could not start: ${err.message}`));
    return { pipeline, status: 'started', message: `mlops pipeline run ${pipeline} started (pid ${child.pid})` };
  }

  dispose(): void {
    // A retraining run is a pipeline run of its own: it finishes even if the backend stops.
    this.running.clear();
  }
}
