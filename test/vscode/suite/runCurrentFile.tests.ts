// "Run Current File with Tracking" end to end in the real host: the task runs
// `mlops run` on the fixture's train.py, the run lands in the store with its
// params and metrics, and the Experiments view is brought up for the UI check.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './testApi';
import { extensionId } from './context';

interface TableRow {
  runId: string;
  status: string;
  params: Record<string, string>;
  metrics: Record<string, number | string>;
}

test('Run Current File with Tracking records a run with its params and metrics', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  const folder = vscode.workspace.workspaceFolders![0].uri;
  const script = vscode.Uri.joinPath(folder, 'train.py');
  await vscode.window.showTextDocument(script);
  const ended = new Promise<number | undefined>((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.type !== 'mlops') return;
      sub.dispose();
      resolve(e.exitCode);
    });
  });
  const execution = await vscode.commands.executeCommand<vscode.TaskExecution | undefined>('mlops.runCurrentFile', script, { params: { lr: '0.1' } });
  assert.ok(execution, 'the command started a task');
  assert.equal(await ended, 0, 'the tracked task exited 0');

  const server = JSON.parse(readFileSync(join(folder.fsPath, '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
  const res = await fetch(`${server.url}/api/v1/runs/table`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ experimentIds: ['0'] }),
  });
  const table = (await res.json()) as { runs: TableRow[] };
  const run = table.runs.find((r) => r.params.lr === '0.1');
  assert.ok(run, `a run with lr=0.1 among ${table.runs.length} runs`);
  assert.equal(run.status, 'FINISHED');
  assert.equal(run.params.layers, '2');
  assert.equal(run.metrics.loss, 1 / 50);

  // Leave the Experiments view open for the browser-side check and the screenshot.
  await vscode.commands.executeCommand('mlops.experiments.focus');
  await vscode.commands.executeCommand('mlops.refreshExperiments');
}, { timeoutMs: 90_000 });
