import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Real servers and real workspaces for tests: the CLI as built (dist/cli.js),
// a fresh folder per test, loopback HTTP.

// Bundled to out/test/*.js: the repo is two levels up.
export const REPO = resolve(__dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli.js');

export function makeWorkspace(prefix = 'mlops-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestServer {
  url: string;
  token: string;
  pid: number;
  workspace: string;
  process: ChildProcess;
  output: () => string;
  /** Sends a request with the token; JSON in, parsed JSON out. */
  api: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }>;
  stop: () => Promise<void>;
  kill: () => Promise<void>;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && (value as unknown) !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startServer(workspace = makeWorkspace(), extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const proc = spawn(process.execPath, [CLI, 'server', '--workspace', workspace, ...extraArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout?.on('data', (d) => (output += d));
  proc.stderr?.on('data', (d) => (output += d));
  const infoFile = join(workspace, '.mlops', 'server.json');
  const info = await waitFor('server.json', () => {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}): ${output}`);
    if (!existsSync(infoFile)) return undefined;
    try {
      const parsed = JSON.parse(readFileSync(infoFile, 'utf8'));
      return parsed.pid === proc.pid ? parsed : undefined;
    } catch {
      return undefined;
    }
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(info.url + path, {
      method,
      headers: { Authorization: `Bearer ${info.token}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as any };
  };
  return {
    url: info.url,
    token: info.token,
    pid: proc.pid as number,
    workspace,
    process: proc,
    output: () => output,
    api,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`mlops ${args.join(' ')} timed out.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Stops any background server a test workspace has (started by `mlops run`). */
export function stopBackgroundServer(workspace: string): void {
  try {
    const info = JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8'));
    process.kill(info.pid, 'SIGTERM');
  } catch {
    /* none */
  }
}
