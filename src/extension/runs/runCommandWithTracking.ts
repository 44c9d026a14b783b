import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import { trackedTask } from './trackedTask';
import { splitCommandLine } from './commandLine';
import { parseParams } from './runParams';

const LAST_COMMAND_KEY = 'mlops.lastTrackedCommand';

/**
 * "Run Command with Tracking…": any command line (a shell script, `make
 * train`, `python -m pkg.train`) as a tracked task, like `mlops run` in a
 * terminal. Given `{ commandLine, params }` (a keybinding's or a test's
 * arguments) it does not ask. The last command line is offered again.
 */
export async function runCommandWithTracking(
  context: vscode.ExtensionContext,
  workbench: Workbench,
  options: { commandLine?: string; params?: Record<string, string>; experiment?: string } = {},
): Promise<vscode.TaskExecution | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('MLOps: trust this workspace to run commands from it.');
    return undefined;
  }
  const folder = await pickFolder();
  if (!folder) return undefined;
  const commandLine =
    options.commandLine ??
    (await vscode.window.showInputBox({
      title: 'Run command with tracking',
      prompt: `Runs in ${folder.name} as a tracked run (no shell: quote arguments with spaces).`,
      value: context.workspaceState.get<string>(LAST_COMMAND_KEY, ''),
      placeHolder: 'python3 train.py --epochs 10',
      validateInput: (text) => {
        const words = splitCommandLine(text);
        if (typeof words === 'string') return words;
        return words.length === 0 ? 'Type the command to run' : undefined;
      },
    }));
  if (commandLine === undefined) return undefined;
  const words = splitCommandLine(commandLine);
  if (typeof words === 'string' || words.length === 0) {
    void vscode.window.showErrorMessage(`MLOps: cannot run "${commandLine}": ${typeof words === 'string' ? words : 'it is empty'}.`);
    return undefined;
  }
  await context.workspaceState.update(LAST_COMMAND_KEY, commandLine);

  let params = options.params;
  if (!params) {
    const text = await vscode.window.showInputBox({
      title: 'Params to record with the run',
      prompt: 'key=value pairs recorded as the run\'s params (empty for none). They are not passed to the command.',
      placeHolder: 'lr=0.1 epochs=20',
      validateInput: (t) => (typeof parseParams(t) === 'string' ? (parseParams(t) as string) : undefined),
    });
    if (text === undefined) return undefined;
    params = parseParams(text) as Record<string, string>;
  }
  const runtime = await workbench.runtime();
  if (!runtime) return undefined;
  const task = trackedTask(
    { type: 'mlops', command: words[0], args: words.slice(1), params, experiment: options.experiment },
    folder,
    runtime,
    context.extensionPath,
    `Run ${words.slice(0, 3).join(' ')}${words.length > 3 ? ' …' : ''}`,
  );
  return vscode.tasks.executeTask(task);
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('MLOps: open a folder to run commands with tracking.');
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  const active = vscode.window.activeTextEditor && vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri);
  return active ?? vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to run the command in' });
}
