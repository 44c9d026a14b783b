import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { constants, hostname, tmpdir, userInfo } from 'node:os';
import { TrackingStore } from '../../core/tracking/trackingStore';
import type { KeyValue, RunStatus } from '../../core/tracking/types';
import type { ServerInfo } from '../../protocol/native';
import { readGitInfo } from './gitInfo';
import { pythonInterpreterOf, readPythonEnvironment } from './pythonEnvironment';
import { SystemMetricsSampler } from './systemMetrics';
import { OWN_PROCESS_GROUP, STOP_SIGNALS, signalProcessTree } from './processControl';
import { trackedEnvironment } from './trackedEnvironment';

export interface TrackedRunOptions {
  workspace: string;
  server: ServerInfo;
  command: string[];
  /** What to spawn when it differs from `command` (under a debugger); the run records `command`. */
  spawnCommand?: string[];
  experiment?: string;
  runName?: string;
  params: KeyValue[];
  tags: KeyValue[];
  heartbeatMs?: number;
  systemMetricsMs?: number;
  log: (line: string) => void;
}


/**
 * Runs a command as a tracked run: records what ran (command, params, code
 * version, Python environment), passes its output through while saving it,
 * samples system metrics, heartbeats, and ends the run with the outcome.
 * Resolves to the exit code to exit with: the child's.
 */
export async function runTracked(options: TrackedRunOptions): Promise<{ exitCode: number; runId: string; status: RunStatus }> {
  const tracking = TrackingStore.open(options.workspace);
  for (const warning of tracking.store.warnings) options.log(`warning: ${warning}`);
  const experimentId = options.experiment ? tracking.experiments.ensure(options.experiment) : '0';
  const cwd = process.cwd();
  const git = await readGitInfo(cwd);
  const tags: KeyValue[] = [
    { key: 'mlflow.source.name', value: options.command.join(' ').slice(0, 500) },
    { key: 'mlflow.source.type', value: 'LOCAL' },
    { key: 'mlops.command', value: JSON.stringify(options.command) },
    { key: 'mlops.cwd', value: cwd },
    // Lets the editor's "Stop Run" reach this process, however it was started (task or terminal).
    { key: 'mlops.pid', value: String(process.pid) },
    { key: 'mlops.host', value: hostname() },
    ...(git
      ? [
          { key: 'mlflow.source.git.commit', value: git.commit },
          { key: 'mlflow.source.git.branch', value: git.branch },
          { key: 'mlops.git.dirty', value: String(git.dirty) },
          ...(git.repoUrl ? [{ key: 'mlflow.source.git.repoURL', value: git.repoUrl }] : []),
        ]
      : []),
    ...(options.spawnCommand ? [{ key: 'mlops.debugger', value: 'debugpy' }] : []),
    ...options.tags,
  ];
  const run = tracking.runs.create({ experimentId, userId: safeUser(), runName: options.runName, tags, heartbeat: true });
  const runId = run.info.runId;
  if (options.params.length) tracking.runs.logParams(runId, options.params);
  options.log(`run ${run.info.runName} (${runId}) in experiment '${options.experiment ?? 'Default'}' (id ${experimentId})`);

  const scratch = mkdtempSync(join(tmpdir(), 'mlops-run-'));
  const sideWork: Promise<unknown>[] = [];
  if (git?.diff) {
    const diffFile = join(scratch, 'git.diff');
    writeFileSync(diffFile, git.diff);
    sideWork.push(tracking.artifacts.importFile(runId, 'code/git.diff', diffFile, 'link'));
  }

  const env = trackedEnvironment(process.env, options.server, { runId, experimentId }, options.workspace, options.params);
  const interpreter = pythonInterpreterOf(options.command);
  if (interpreter) sideWork.push(recordPythonEnvironment(tracking, runId, interpreter, env, scratch));

  const logFile = join(tracking.store.layout.logs, `${runId}.log`);
  const logStream = createWriteStream(logFile, { mode: 0o600 });
  const spawned = options.spawnCommand ?? options.command;
  // The stop signals are caught before the command starts: a signal between its
  // start and the handlers (a loaded machine can pause us there) would end this
  // process with the command still running and the run left RUNNING.
  let stopSignal: NodeJS.Signals | undefined;
  let child: ChildProcess | undefined;
  const forward = (signal: NodeJS.Signals) => {
    stopSignal ??= signal;
    if (child) signalProcessTree(child, signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, forward);
  try {
    child = spawn(spawned[0], spawned.slice(1), {
      env,
      ...OWN_PROCESS_GROUP,
      stdio: [process.stdin.isTTY ? 'pipe' : 'inherit', 'pipe', 'pipe'],
    });
  } catch (err) {
    for (const s of STOP_SIGNALS) process.off(s, forward);
    return finish(tracking, runId, 'FAILED', 127, `could not start ${options.command[0]}: ${(err as Error).message}`, logStream, logFile, sideWork, scratch, options.log);
  }
  if (process.stdin.isTTY && child.stdin) process.stdin.pipe(child.stdin);
  child.stdout?.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    logStream.write(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    logStream.write(chunk);
  });

  if (stopSignal) signalProcessTree(child, stopSignal); // one that came while it started

  const heartbeat = setInterval(() => {
    try {
      tracking.runs.heartbeat(runId);
    } catch {
      /* the store is busy; the next beat will do */
    }
  }, options.heartbeatMs ?? 5000);
  const sampler = child.pid ? new SystemMetricsSampler(child.pid) : undefined;
  let step = 0;
  let ended = false;
  const sampling = setInterval(() => {
    void sampler?.sample().then((values) => {
      if (ended || Object.keys(values).length === 0) return;
      const timestamp = Date.now();
      const metrics = Object.entries(values).map(([key, value]) => ({ key, value, timestamp, step }));
      step++;
      try {
        tracking.logBatch(runId, { metrics, params: [], tags: [] });
      } catch {
        /* e.g. the run was deleted meanwhile; sampling is best-effort */
      }
    });
  }, options.systemMetricsMs ?? 5000);

  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  ended = true;
  clearInterval(heartbeat);
  clearInterval(sampling);
  for (const s of STOP_SIGNALS) process.off(s, forward);
  if (process.stdin.isTTY) process.stdin.unpipe();

  if (outcome.error) {
    return finish(tracking, runId, 'FAILED', 127, `could not start ${options.command[0]}: ${outcome.error.message}`, logStream, logFile, sideWork, scratch, options.log);
  }
  const exitCode = outcome.code ?? 128 + signalNumber(outcome.signal);
  let status: RunStatus;
  let reason: string | undefined;
  if (stopSignal) {
    status = 'KILLED';
    reason = `stopped by ${stopSignal}`;
  } else if (outcome.code === 0) {
    status = 'FINISHED';
  } else {
    status = 'FAILED';
    reason = outcome.signal ? `terminated by ${outcome.signal}` : `exit code ${outcome.code}`;
  }
  return finish(tracking, runId, status, exitCode, reason, logStream, logFile, sideWork, scratch, options.log);
}

async function finish(
  tracking: TrackingStore,
  runId: string,
  status: RunStatus,
  exitCode: number,
  reason: string | undefined,
  logStream: NodeJS.WritableStream & { end: (cb?: () => void) => void },
  logFile: string,
  sideWork: Promise<unknown>[],
  scratch: string,
  log: (line: string) => void,
): Promise<{ exitCode: number; runId: string; status: RunStatus }> {
  await new Promise<void>((r) => logStream.end(() => r()));
  await Promise.allSettled(sideWork);
  try {
    // The finished log is ours and never written again: link, don't copy.
    await tracking.artifacts.importFile(runId, 'logs/output.log', logFile, 'link');
    const tags: KeyValue[] = [{ key: 'mlops.exitCode', value: String(exitCode) }];
    if (reason) tags.push({ key: 'mlops.endReason', value: reason });
    tracking.runs.setTags(runId, tags);
    tracking.runs.update(runId, { status, endTime: Date.now() });
  } catch (err) {
    log(`could not record the end of run ${runId}: ${(err as Error).message}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    tracking.close();
  }
  log(`run ${runId} ${status}${reason ? ` (${reason})` : ''}`);
  return { exitCode, runId, status };
}

async function recordPythonEnvironment(tracking: TrackingStore, runId: string, interpreter: string, env: NodeJS.ProcessEnv, scratch: string): Promise<void> {
  const python = await readPythonEnvironment(interpreter, env);
  if (!python) return;
  tracking.runs.setTags(runId, [{ key: 'mlops.python.version', value: python.version }]);
  const file = join(scratch, 'requirements.txt');
  writeFileSync(file, `# pip freeze of ${interpreter} (Python ${python.version})\n${python.freeze}`);
  await tracking.artifacts.importFile(runId, 'environment/requirements.txt', file, 'link');
}

/** Who runs it: $USER, else the account's name (containers often leave USER unset). */
export function safeUser(): string {
  try {
    return process.env.USER || userInfo().username;
  } catch {
    return '';
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 1) : 1;
}
