import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TrackingStore } from '../../src/core/tracking/trackingStore';
import { ModelRegistry } from '../../src/core/registry/modelRegistry';
import { inspectOnnxModel } from '../../src/core/registry/onnxInspector';
import { fromDeploymentProcess, type DeploymentSpec, type FromDeploymentProcess } from '../../src/protocol/deployments';
import { linearModel, wideLinearModel, writeModels } from './onnxModels';
import { makeWorkspace, REPO } from './testServer';

// Real deployment processes for tests: a workspace whose registry holds
// churn v1 (linearModel) and v2 (wideLinearModel(4): same input, other outputs),
// aliases champion -> 1 and challenger -> 2, and dist/deployment.js forked
// with an IPC channel, as the backend forks it.

export const DEPLOYMENT_JS = join(REPO, 'dist', 'deployment.js');
export const TOKEN = 'test-token-0123456789abcdef';

export async function churnWorkspace(): Promise<string> {
  const workspace = makeWorkspace('mlops-deploy-');
  const tracking = TrackingStore.open(workspace);
  try {
    const registry = new ModelRegistry(tracking, { inspectModel: inspectOnnxModel });
    const { paths } = writeModels({ 'v1.onnx': linearModel(), 'v2.onnx': wideLinearModel(4) });
    registry.createModel('churn');
    await registry.createVersion({ name: 'churn', source: paths['v1.onnx'], allowLocal: true, featuresSpec: 'age,income,plan,tenure' });
    await registry.createVersion({ name: 'churn', source: paths['v2.onnx'], allowLocal: true, featuresSpec: 'age,income,plan,tenure' });
    registry.setAlias('churn', 'champion', 1);
    registry.setAlias('churn', 'challenger', 2);
  } finally {
    tracking.close();
  }
  return workspace;
}

/** Registers one more model (version 1) in a workspace no process serves yet. */
export async function registerModel(workspace: string, name: string, bytes: Uint8Array): Promise<void> {
  const tracking = TrackingStore.open(workspace);
  try {
    const registry = new ModelRegistry(tracking, { inspectModel: inspectOnnxModel });
    const { paths } = writeModels({ 'model.onnx': bytes });
    registry.createModel(name);
    await registry.createVersion({ name, source: paths['model.onnx'], allowLocal: true });
  } finally {
    tracking.close();
  }
}

export interface Deployment {
  process: ChildProcess;
  url: string;
  messages: FromDeploymentProcess[];
  output: () => string;
  send(message: unknown): void;
  /** The next message of this type (already received ones after `since` count). */
  next<T extends FromDeploymentProcess['type']>(type: T, since?: number, timeoutMs?: number): Promise<Extract<FromDeploymentProcess, { type: T }>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** fetch with the token (unless headers override it). */
  request(path: string, init?: { method?: string; body?: string; headers?: Record<string, string> }): Promise<Response>;
  stop(): Promise<void>;
}

export function spec(overrides: Partial<DeploymentSpec> = {}): DeploymentSpec {
  return {
    name: 'churn-svc',
    port: 0,
    auth: true,
    shadow: false,
    variants: [{ name: 'champion', modelUri: 'models:/churn@champion', weight: 100 }],
    ...overrides,
  };
}

export async function startDeployment(workspace: string, first: DeploymentSpec, env: NodeJS.ProcessEnv = {}): Promise<Deployment> {
  const proc = fork(DEPLOYMENT_JS, [], {
    env: { ...process.env, MLOPS_WORKSPACE: workspace, MLOPS_DEPLOYMENT_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  proc.stdout?.on('data', (d) => (output += d));
  proc.stderr?.on('data', (d) => (output += d));
  const messages: FromDeploymentProcess[] = [];
  const waiters: (() => void)[] = [];
  proc.on('message', (raw) => {
    // The backend validates every message; so do the tests.
    messages.push(fromDeploymentProcess.parse(raw));
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const next = async <T extends FromDeploymentProcess['type']>(type: T, since = 0, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.slice(since).find((m) => m.type === type);
      if (found) return found as Extract<FromDeploymentProcess, { type: T }>;
      if (proc.exitCode !== null) throw new Error(`deployment exited (${proc.exitCode}) before '${type}': ${output}`);
      if (Date.now() > deadline) throw new Error(`no '${type}' message within ${timeoutMs} ms; got ${JSON.stringify(messages)}; output: ${output}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  proc.send({ type: 'deploy', spec: first });
  const ready = await next('ready');
  return {
    process: proc,
    url: ready.url,
    messages,
    output: () => output,
    send: (m) => proc.send(m as never),
    next,
    exited,
    request: (path, init = {}) =>
      fetch(ready.url + path, { method: init.method ?? 'GET', body: init.body, headers: { Authorization: `Bearer ${TOKEN}`, ...init.headers } }),
    stop: async () => {
      if (proc.exitCode === null && proc.connected) proc.send({ type: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** An OIP infer body for rows of the churn models' 4 features. */
export function oipBody(rows: number[][]): string {
  return JSON.stringify({ inputs: [{ name: 'float_input', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }] });
}

/** Prometheus text -> sample value by "name{labels}" as written. */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(m[1], Number(m[2]));
  }
  return samples;
}

/** Polls /metrics until `key` reaches at least `value` (shadow copies are counted after the answer). */
export async function waitForMetric(d: Deployment, key: string, value: number, timeoutMs = 10_000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metrics = parseMetrics(await (await d.request('/metrics')).text());
    if ((metrics.get(key) ?? 0) >= value) return metrics;
    if (Date.now() > deadline) throw new Error(`${key} stayed at ${metrics.get(key) ?? 0}, expected ${value}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
