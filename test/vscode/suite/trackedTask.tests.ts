// The `mlops` task type: a task from a definition (as in tasks.json) runs under
// `mlops run`, and ending the task (what "Stop" in VS Code does) marks the run KILLED.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './testApi';
import { extensionId } from './context';

interface TableRow {
  runId: string;
  status: string;
  params: Record<string, string>;
  tags: Record<string, string>;
}

async function runsWith(folder: vscode.Uri, param: string): Promise<TableRow[]> {
  const server = JSON.parse(readFileSync(join(folder.fsPath, '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
  const res = await fetch(`${server.url}/api/v1/runs/table`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ experimentIds: ['0'], filter: `params.marker = '${param}'` }),
  });
  return ((await res.json()) as { runs?: TableRow[] }).runs ?? [];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('an mlops task (as declared in tasks.json) runs tracked; ending the task marks the run KILLED', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  const folder = vscode.workspace.workspaceFolders![0];
  const marker = `stop-${Date.now()}`;
  const label = `long job ${marker}`;
  const tasksJson = {
    version: '2.0.0',
    tasks: [{ type: 'mlops', label, command: 'python3', args: ['-c', 'import time; print("working", flush=True); time.sleep(60)'], params: { marker } }],
  };
  mkdirSync(join(folder.uri.fsPath, '.vscode'), { recursive: true });
  writeFileSync(join(folder.uri.fsPath, '.vscode', 'tasks.json'), JSON.stringify(tasksJson, null, 2));
  // VS Code reads tasks.json and asks the extension's task provider to resolve the task.
  const task = await until('the tasks.json task', async () => (await vscode.tasks.fetchTasks({ type: 'mlops' })).find((t) => t.name === label));
  const execution = await vscode.tasks.executeTask(task);
  const running = await until('the run is RUNNING', async () => (await runsWith(folder.uri, marker)).find((r) => r.status === 'RUNNING'));
  assert.deepEqual(JSON.parse(running.tags['mlops.command'])[0], 'python3');
  const ended = new Promise<void>((resolve) => {
    const sub = vscode.tasks.onDidEndTask((e) => {
      if (e.execution === execution) {
        sub.dispose();
        resolve();
      }
    });
  });
  execution.terminate();
  await ended;
  const killed = await until('the run is KILLED', async () => (await runsWith(folder.uri, marker)).find((r) => r.status === 'KILLED'));
  assert.match(killed.tags['mlops.endReason'] ?? '', /stopped by SIG/);
}, { timeoutMs: 60_000 });
