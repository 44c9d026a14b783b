import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Shared by the benchmark entry points (bundled to out/bench/*.js by
// `node esbuild.mjs --bench`): temp workspaces, the real server as built
// (dist/cli.js), a small loopback JSON client, and the result file run.mjs reads.

export const REPO = resolve(__dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli.js');

/** One figure of a benchmark, for the summary table. */
export interface Measure {
  measure: string;
  value: number;
  unit: string;
  /** The figure the issue asks for, if any. */
  target?: number;
  /** 'min': higher is better (value must reach target); 'max': lower is better. */
  better?: 'higher' | 'lower';
  note?: string;
}

export interface BenchResult {
  bench: string;
  measures: Measure[];
  details?: Record<string, unknown>;
}

/** Ratio of a figure to its target, oriented so that >= 1 means "target met". */
export function targetRatio(m: Measure): number | undefined {
  if (m.target === undefined) return undefined;
  return m.better === 'lower' ? m.target / m.value : m.value / m.target;
}

/** Writes the result where run.mjs asked (BENCH_RESULT_FILE), if it did. */
export function report(result: BenchResult): void {
  const file = process.env.BENCH_RESULT_FILE;
  if (file) writeFileSync(file, JSON.stringify(result, null, 2));
}

const tempDirs: string[] = [];
export function tempWorkspace(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface BenchServer {
  url: string;
  token: string;
  port: number;
  pid: number;
  workspace: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const servers = new Set<BenchServer>();

/** Starts `mlops server --port 0` on a workspace and waits for its server.json. */
export async function startServer(workspace: string, nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BenchServer> {
  const proc = spawn(process.execPath, [...nodeArgs, CLI, 'server', '--workspace', workspace, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  proc.stdout?.on('data', (d) => (output += d));
  proc.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const infoFile = join(workspace, '.mlops', 'server.json');
  const deadline = Date.now() + 20_000;
  let info: { url: string; token: string; pid: number } | undefined;
  while (!info) {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}): ${output}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not write ${infoFile} within 20 s: ${output}`);
    }
    if (existsSync(infoFile)) {
      try {
        const parsed = JSON.parse(readFileSync(infoFile, 'utf8'));
        if (parsed.pid === proc.pid) info = parsed;
      } catch {
        /* being written */
      }
    }
    if (!info) await sleep(50);
  }
  const server: BenchServer = {
    url: info.url,
    token: info.token,
    port: Number(new URL(info.url).port),
    pid: proc.pid as number,
    workspace,
    process: proc,
    output: () => output,
    stop: async () => {
      servers.delete(server);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  servers.add(server);
  return server;
}

/** Stops every server this process started (also used on failure paths). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...servers].map((s) => s.stop()));
}

/** Kills servers synchronously if the process is dying without cleanup. */
process.on('exit', () => {
  for (const s of servers) if (s.process.exitCode === null) s.process.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

export interface ApiOptions {
  /** Another connection pool (the default one has a single socket, so requests queue). */
  agent?: Agent;
  /** Count the body's bytes without keeping or parsing it. */
  discardBody?: boolean;
}

/** A JSON request with the server's token; resolves with status, timing and parsed body. */
export function api(server: BenchServer, method: string, path: string, body?: unknown, options: ApiOptions = {}): Promise<{ status: number; body: any; ms: number; bytes: number }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        agent: options.agent ?? agent,
        headers: {
          Authorization: `Bearer ${server.token}`,
          'Content-Type': 'application/json',
          ...(payload ? { 'Content-Length': payload.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (!options.discardBody) chunks.push(c);
        });
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          if (options.discardBody) return resolvePromise({ status: res.statusCode ?? 0, body: undefined, ms, bytes });
          const buf = Buffer.concat(chunks);
          let parsed: unknown = buf.toString('utf8');
          try {
            parsed = JSON.parse(parsed as string);
          } catch {
            /* not JSON */
          }
          resolvePromise({ status: res.statusCode ?? 0, body: parsed, ms, bytes: buf.length });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function closeClient(): void {
  agent.destroy();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Runs a benchmark's main with cleanup (servers stopped, temp dirs removed) on every path. */
export function main(fn: () => Promise<void>): void {
  const cleanup = async () => {
    closeClient();
    await stopAllServers();
    removeTempDirs();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void cleanup().finally(() => process.exit(130));
    });
  }
  fn().then(
    async () => {
      await cleanup();
      process.exit(0);
    },
    async (err) => {
      process.stderr.write(`benchmark failed: ${(err as Error)?.stack ?? String(err)}\n`);
      await cleanup();
      process.exit(1);
    },
  );
}
