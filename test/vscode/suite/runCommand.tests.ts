// "Run Command with Tracking…" and "Debug Current File with Tracking" in the
// real host. The host has no Python Debugger extension (nothing is downloaded
// here), so the debug command's answer to that is what is checked: a clear
// refusal and no run recorded.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './testApi';
import { extensionId } from './context';

interface TableRow {
  runId: string;
  runName: string;
  status: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  lifecycleStage: string;
}

async function runs(viewType = 'ACTIVE_ONLY'): Promise<TableRow[]> {
  const folder = vscode.workspace.workspaceFolders![0].uri;
  const server = JSON.parse(readFileSync(join(folder.fsPath, '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
  const res = await fetch(`${server.url}/api/v1/runs/table`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ experimentIds: ['0'], viewType }),
  });
  return ((await res.json()) as { runs: TableRow[] }).runs;
}

function taskEnd(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.type !== 'mlops') return;
      sub.dispose();
      resolve(e.exitCode);
    });
  });
}

test('Run Command with Tracking runs a command line (quotes kept, no shell) as a tracked run', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  const ended = taskEnd();
  const execution = await vscode.commands.executeCommand<vscode.TaskExecution | undefined>('mlops.runCommandWithTracking', {
    commandLine: `python3 -c "import sys; print('args', sys.argv[1:])" 'one arg' two`,
    params: { source: 'command' },
  });
  assert.ok(execution, 'the command started a task');
  assert.equal(await ended, 0, 'the tracked task exited 0');
  const run = (await runs()).find((r) => r.params.source === 'command');
  assert.ok(run, 'the run was recorded with its params');
  assert.equal(run.status, 'FINISHED');
  assert.deepEqual(JSON.parse(run.tags['mlops.command']), ['python3', '-c', "import sys; print('args', sys.argv[1:])", 'one arg', 'two']);
}, { timeoutMs: 60_000 });

test('Debug Current File with Tracking without the Python Debugger extension says so and records nothing', async () => {
  const folder = vscode.workspace.workspaceFolders![0].uri;
  const before = (await runs()).length;
  const outcome = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('mlops.debugCurrentFile', vscode.Uri.joinPath(folder, 'train.py'), { params: {} });
  assert.deepEqual(outcome, { started: false, reason: 'no-debugger' });
  assert.equal((await runs()).length, before, 'no run was created');
});

test('Delete, Show Deleted Runs and Restore: a deleted run comes back', async () => {
  const run = (await runs()).find((r) => r.params.source === 'command');
  assert.ok(run);
  const folder = vscode.workspace.workspaceFolders![0].uri;
  const server = JSON.parse(readFileSync(join(folder.fsPath, '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
  const post = (path: string) =>
    fetch(`${server.url}/api/2.0/mlflow/runs/${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ run_id: run.runId }),
    });
  await post('delete');
  assert.equal(await vscode.commands.executeCommand('mlops.showDeletedRuns'), true);
  const deleted = (await runs('ALL')).find((r) => r.runId === run.runId);
  assert.equal(deleted?.lifecycleStage, 'deleted');
  // The tree's node for a run carries its backend; the command takes the node as VS Code passes it.
  await vscode.commands.executeCommand('mlops.experiments.focus');
  await restoreThroughTree(run.runId);
  assert.equal((await runs()).find((r) => r.runId === run.runId)?.lifecycleStage, 'active');
  assert.equal(await vscode.commands.executeCommand('mlops.hideDeletedRuns'), false);
});

/** Restores a run through the command, with the node the Experiments view itself holds for it. */
async function restoreThroughTree(runId: string): Promise<void> {
  const api = vscode.extensions.getExtension<{ experimentsNodeOf?: (runId: string) => Promise<unknown> }>(extensionId())?.exports;
  const node = await api?.experimentsNodeOf?.(runId);
  assert.ok(node, `the Experiments view lists deleted run ${runId}`);
  await vscode.commands.executeCommand('mlops.restoreRun', node);
}
