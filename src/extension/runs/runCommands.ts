import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentsNode } from '../experiments/experimentsTree';
import type { Workbench } from '../workbench';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { RunsTableRow } from '../../protocol/native';
import { trackedTask } from './trackedTask';

type RunNode = Extract<ExperimentsNode, { kind: 'run' }>;

const NOTE_TAG = 'mlflow.note.content';

/** The runs a context-menu command acts on: the clicked one, or the whole selection. */
function runsOf(node: ExperimentsNode | undefined, selection: readonly ExperimentsNode[] | undefined): RunNode[] {
  const picked = selection && selection.length > 0 && (!node || selection.includes(node)) ? selection : node ? [node] : [];
  return picked.filter((n): n is RunNode => n.kind === 'run');
}

async function mlflow(backend: WorkspaceBackend, path: string, body: unknown): Promise<void> {
  await backend.request('POST', `/api/2.0/mlflow/${path}`, body);
}

/** Context-menu commands on runs in the Experiments view. Each reports failures, never throws. */
export function registerRunCommands(context: vscode.ExtensionContext, workbench: Workbench, selection: () => readonly ExperimentsNode[]): void {
  const register = (id: string, fn: (runs: RunNode[]) => Promise<void>) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (node?: ExperimentsNode, nodes?: ExperimentsNode[]) => {
        const runs = runsOf(node, nodes ?? selection());
        if (runs.length === 0) return void vscode.window.showInformationMessage('MLOps: select one or more runs in the Experiments view first.');
        try {
          await fn(runs);
        } catch (err) {
          void vscode.window.showErrorMessage(`MLOps: ${(err as Error).message}`);
        }
      }),
    );

  register('mlops.renameRun', async ([{ backend, run }]) => {
    const name = await vscode.window.showInputBox({ title: 'Rename run', value: run.runName, validateInput: (v) => (v.trim() ? undefined : 'A run needs a name') });
    if (name === undefined || name === run.runName) return;
    await mlflow(backend, 'runs/update', { run_id: run.runId, run_name: name.trim() });
  });

  register('mlops.editRunNote', async ([{ backend, run }]) => {
    const note = await vscode.window.showInputBox({ title: `Note for ${run.runName}`, value: run.tags[NOTE_TAG] ?? '', prompt: 'Shown with the run (MLflow\'s run description).' });
    if (note === undefined) return;
    await mlflow(backend, 'runs/set-tag', { run_id: run.runId, key: NOTE_TAG, value: note });
  });

  register('mlops.addRunTag', async (runs) => {
    const text = await vscode.window.showInputBox({ title: `Tag ${runs.length === 1 ? runs[0].run.runName : `${runs.length} runs`}`, placeHolder: 'key=value', validateInput: (v) => (/^[^=]+=/.test(v) ? undefined : 'Write key=value') });
    if (!text) return;
    const eq = text.indexOf('=');
    for (const { backend, run } of runs) await mlflow(backend, 'runs/set-tag', { run_id: run.runId, key: text.slice(0, eq).trim(), value: text.slice(eq + 1) });
  });

  register('mlops.deleteRun', async (runs) => {
    for (const { backend, run } of runs) await mlflow(backend, 'runs/delete', { run_id: run.runId });
    // Deleting is soft (as in MLflow): offer the way back right away.
    const what = runs.length === 1 ? `run ${runs[0].run.runName}` : `${runs.length} runs`;
    void vscode.window.showInformationMessage(`Deleted ${what}.`, 'Undo').then(async (pick) => {
      if (pick !== 'Undo') return;
      for (const { backend, run } of runs) await mlflow(backend, 'runs/restore', { run_id: run.runId }).catch((err: Error) => void vscode.window.showErrorMessage(`MLOps: ${err.message}`));
    });
  });

  register('mlops.restoreRun', async (runs) => {
    for (const { backend, run } of runs) await mlflow(backend, 'runs/restore', { run_id: run.runId });
  });

  register('mlops.stopRun', async (runs) => {
    for (const { run } of runs) {
      const pid = Number(run.tags['mlops.pid']);
      if (run.status !== 'RUNNING') continue;
      if (!Number.isInteger(pid) || pid <= 0 || run.tags['mlops.host'] !== hostname()) {
        void vscode.window.showInformationMessage(`Run ${run.runName} was not started by mlops run on this machine; stop it where it runs.`);
        continue;
      }
      try {
        // mlops run forwards this to the command's process group and ends the run KILLED.
        process.kill(pid, 'SIGTERM');
      } catch {
        void vscode.window.showInformationMessage(`Run ${run.runName}: its process has already ended.`);
      }
    }
  });

  register('mlops.showRunLog', async ([{ backend, run }]) => {
    const file = join(backend.folder.uri.fsPath, '.mlops', 'logs', `${run.runId}.log`);
    if (!existsSync(file)) return void vscode.window.showInformationMessage(`Run ${run.runName} has no captured output (it was not started by mlops run).`);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
  });

  register('mlops.rerun', async ([{ backend, run }]) => {
    const command = commandOf(run);
    if (!command) return void vscode.window.showInformationMessage(`Run ${run.runName} has no recorded command (it was not started by mlops run).`);
    const runtime = await workbench.runtime();
    if (!runtime) return;
    const experiment = await backend.request<{ experiment: { name: string } }>('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${run.experimentId}`);
    const task = trackedTask(
      { type: 'mlops', command: command[0], args: command.slice(1), params: run.params, experiment: experiment.experiment.name },
      backend.folder,
      runtime,
      context.extensionPath,
      `Re-run ${run.runName}`,
    );
    await vscode.tasks.executeTask(task);
  });
}

/** The command `mlops run` recorded (tag mlops.command, a JSON array). */
function commandOf(run: RunsTableRow): string[] | undefined {
  try {
    const parsed = JSON.parse(run.tags['mlops.command'] ?? '') as unknown;
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((p) => typeof p === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}
