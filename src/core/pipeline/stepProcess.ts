import type { ChildProcess } from 'node:child_process';

/**
 * What the runner needs from the operating system and from the tracking server,
 * passed in by its caller (the CLI, later the server): core knows no process
 * groups, shells or server URLs (the layers keep them out of core).
 */
export interface StepProcessHost {
  /** Starts `command` through the platform's shell in its own process group. */
  spawnShell(command: string, options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess;
  /** Signals the whole process tree started by spawnShell. */
  killTree(child: ChildProcess, signal: NodeJS.Signals): void;
  /** The environment a step's process gets: the tracking environment of its own run. */
  environmentFor(run: { runId: string; experimentId: string }, params: { key: string; value: string }[]): NodeJS.ProcessEnv;
  /**
   * A deploy step: serve `modelUri` as the champion of deployment `deployment`,
   * redeploying it in place when it runs (else starting it). Absent where no
   * backend can run deployments.
   */
  deploy?(request: { deployment: string; modelUri: string }): Promise<DeployOutcome>;
}

export interface DeployOutcome {
  action: 'started' | 'redeployed';
  url: string;
  model: string;
  version: string;
}

export interface AttemptOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  error?: Error;
}

/** After a polite SIGTERM, how long a tree gets before SIGKILL. */
const KILL_GRACE_MS = 3000;

/**
 * Runs one attempt of a step's command: output line by line to `onLine`,
 * killed (whole tree) at `timeoutMs` or when `signal` aborts.
 */
export function runAttempt(
  host: StepProcessHost,
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal },
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = host.spawnShell(command, { cwd: options.cwd, env: options.env });
    } catch (error) {
      resolve({ code: null, signal: null, timedOut: false, cancelled: false, error: error as Error });
      return;
    }
    let timedOut = false;
    let cancelled = false;
    let hardKill: NodeJS.Timeout | undefined;
    const stop = (): void => {
      host.killTree(child, 'SIGTERM');
      hardKill ??= setTimeout(() => host.killTree(child, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs)
        : undefined;
    const onAbort = (): void => {
      cancelled = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    const splitter = (stream: 'stdout' | 'stderr') => {
      let rest = '';
      return {
        data: (chunk: Buffer) => {
          const lines = (rest + chunk.toString('utf8')).split('\n');
          rest = lines.pop() ?? '';
          for (const l of lines) onLine(l.replace(/\r$/, ''), stream);
        },
        flush: () => {
          if (rest) onLine(rest, stream);
          rest = '';
        },
      };
    };
    const out = splitter('stdout');
    const err = splitter('stderr');
    child.stdout?.on('data', out.data);
    child.stderr?.on('data', err.data);
    let settled = false;
    const done = (o: Omit<AttemptOutcome, 'timedOut' | 'cancelled'>): void => {
      if (settled) return;
      settled = true;
      out.flush();
      err.flush();
      clearTimeout(timer);
      clearTimeout(hardKill);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ ...o, timedOut, cancelled });
    };
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('close', (code, sig) => done({ code, signal: sig }));
  });
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', wake);
      resolve();
    }, ms);
    const wake = (): void => {
      clearTimeout(t);
      resolve();
    };
    signal?.addEventListener('abort', wake, { once: true });
  });
}
