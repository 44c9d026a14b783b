import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import type { RuntimeCandidate } from '../backend/backendRuntime';
import { pythonInterpreter } from './pythonInterpreter';
import { trackedTask } from './trackedTask';
import { parseParams } from './runParams';

const PARAMS_KEY = 'mlops.paramsByFile';

/** Everything needed to run the current file tracked, once the user has been asked. */
export interface PreparedFileRun {
  target: vscode.Uri;
  folder: vscode.WorkspaceFolder;
  params: Record<string, string>;
  runtime: RuntimeCandidate;
  interpreter: string;
}

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
  const prepared = await prepareFileRun(context, workbench, 'Run', uri, options);
  if (!prepared) return undefined;
  const { target, folder, params, runtime, interpreter } = prepared;
  const task = trackedTask({ type: 'mlops', command: interpreter, args: [target.fsPath], params }, folder, runtime, context.extensionPath, `Run ${basename(target.fsPath)}`);
  return vscode.tasks.executeTask(task);
}

/**
 * The checks and questions shared by Run and Debug Current File: a saved file
 * in a trusted workspace folder, its params, the CLI's runtime and the
 * interpreter. Undefined when something is missing (already explained to the
 * user) or the user cancelled.
 */
export async function prepareFileRun(
  context: vscode.ExtensionContext,
  workbench: Workbench,
  verb: 'Run' | 'Debug',
  uri?: vscode.Uri,
  options: { params?: Record<string, string> } = {},
): Promise<PreparedFileRun | undefined> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    void vscode.window.showInformationMessage(`MLOps: open a Python file to ${verb.toLowerCase()} it with tracking.`);
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

  const params = options.params ?? (await askParams(context, target, verb));
  if (!params) return undefined; // cancelled

  const runtime = await workbench.runtime();
  if (!runtime) return undefined; // the runtime notification already explained why
  const interpreter = await pythonInterpreter(target);
  return { target, folder, params, runtime, interpreter };
}

async function askParams(context: vscode.ExtensionContext, target: vscode.Uri, verb: string): Promise<Record<string, string> | undefined> {
  const remembered = context.workspaceState.get<Record<string, string>>(PARAMS_KEY, {});
  const answer = await vscode.window.showInputBox({
    title: `${verb} ${basename(target.fsPath)} with tracking`,
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
