import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import { pythonInterpreter } from './pythonInterpreter';
import { trackedTask } from './trackedTask';
import { parseParams } from './runParams';

const PARAMS_KEY = 'mlops.paramsByFile';

/**
 * "Run Current File with Tracking": saves the file, asks once for params
 * (remembered per file), and runs it as a task under `mlops run`. Given
 * `options.params` (a keybinding's or a test's arguments), it does not ask.
 * Resolves with the started task execution.
 */
export async function runCurrentFile(
  context: vscode.ExtensionContext,
  workbench: Workbench,
  uri?: vscode.Uri,
  options: { params?: Record<string, string> } = {},
): Promise<vscode.TaskExecution | undefined> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    void vscode.window.showInformationMessage('MLOps: open a Python file to run it with tracking.');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('MLOps: trust this workspace to run code from it.');
    return undefined;
  }
  const folder = vscode.workspace.getWorkspaceFolder(target);
  if (!folder) {
    void vscode.window.showInformationMessage('MLOps: the file must be inside an open workspace folder.');
    return undefined;
  }
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (document?.isDirty) await document.save();

  const params = options.params ?? (await askParams(context, target));
  if (!params) return undefined; // cancelled

  const runtime = await workbench.runtime();
  if (!runtime) return undefined; // the runtime notification already explained why
  const interpreter = await pythonInterpreter(target);
  const task = trackedTask(
    { type: 'mlops', command: interpreter, args: [target.fsPath], params },
    folder,
    runtime,
    context.extensionPath,
    `Run ${basename(target.fsPath)}`,
  );
  return vscode.tasks.executeTask(task);
}

async function askParams(context: vscode.ExtensionContext, target: vscode.Uri): Promise<Record<string, string> | undefined> {
  const remembered = context.workspaceState.get<Record<string, string>>(PARAMS_KEY, {});
  const answer = await vscode.window.showInputBox({
    title: `Run ${basename(target.fsPath)} with tracking`,
    prompt: 'Params for this run, as key=value pairs (empty for none). Remembered for this file.',
    value: remembered[target.fsPath] ?? '',
    placeHolder: 'lr=0.1 epochs=20',
    validateInput: (text) => {
      const parsed = parseParams(text);
      return typeof parsed === 'string' ? parsed : undefined;
    },
  });
  if (answer === undefined) return undefined;
  await context.workspaceState.update(PARAMS_KEY, { ...remembered, [target.fsPath]: answer });
  return parseParams(answer) as Record<string, string>;
}
