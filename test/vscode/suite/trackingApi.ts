// Calls to the workspace backend's REST API for the comparison tests: the
// server the extension started (.mlops/server.json), MLflow routes.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function server(): { url: string; token: string } {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  return JSON.parse(readFileSync(join(folder, '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
}

export async function api<T>(path: string, body: unknown): Promise<T> {
  const s = server();
  const res = await fetch(s.url + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(`${path}: ${json.message ?? res.status}`);
  return json;
}

export async function experiment(name: string): Promise<string> {
  const found = await api<{ experiments?: { experiment_id: string; name: string }[] }>('/api/2.0/mlflow/experiments/search', { max_results: 1000 });
  const existing = found.experiments?.find((e) => e.name === name);
  if (existing) return existing.experiment_id;
  return (await api<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name })).experiment_id;
}

export async function createRun(experimentId: string, name: string, params: Record<string, string>): Promise<string> {
  const res = await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() });
  const runId = res.run.info.run_id;
  await api('/api/2.0/mlflow/runs/log-batch', { run_id: runId, params: Object.entries(params).map(([key, value]) => ({ key, value })) });
  return runId;
}

export async function finish(runId: string): Promise<void> {
  await api('/api/2.0/mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
}

/** Metrics as log-batch requests of at most 1000 points, `parallel` requests at a time. */
export async function logCurves(runIds: string[], keys: string[], steps: number, value: (run: number, key: number, step: number) => number, parallel = 8): Promise<void> {
  const t0 = Date.now();
  const batches: { run_id: string; metrics: { key: string; value: number | string; timestamp: number; step: number }[] }[] = [];
  runIds.forEach((runId, r) => {
    keys.forEach((key, k) => {
      for (let from = 0; from < steps; from += 1000) {
        const metrics: { key: string; value: number | string; timestamp: number; step: number }[] = [];
        for (let step = from; step < Math.min(steps, from + 1000); step++) {
          const v = value(r, k, step);
          metrics.push({ key, value: Number.isFinite(v) ? v : String(v), timestamp: t0 + step * 10, step });
        }
        batches.push({ run_id: runId, metrics });
      }
    });
  });
  for (let i = 0; i < batches.length; i += parallel) {
    await Promise.all(batches.slice(i, i + parallel).map((b) => api('/api/2.0/mlflow/runs/log-batch', b)));
  }
}
