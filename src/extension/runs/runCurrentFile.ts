import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import type { RuntimeCandidate } from '../backend/backendRuntime';
import { describeInterpreter, type InterpreterChoice } from './interpreterChoice';
import { firstLineOf, pythonInterpreter } from './pythonInterpreter';
import { fileExperiment, type FileExperiment } from './fileExperiment';
import { fileRunKind, fileRunRefusal } from './fileRunKind';
import { trackedTask, type TrackedTaskDefinition } from './trackedTask';
import { parseParams } from './runParams';

const PARAMS_KEY = 'mlops.paramsByFile';

/** Everything needed to run the current file tracked, once the user has been asked. */
export interface PreparedFileRun {
  target: vscode.Uri;
  folder: vscode.WorkspaceFolder;
  params: Record<string, string>;
  runtime: RuntimeCandidate;
  interpreter: InterpreterChoice;
  experiment: FileExperiment;
}

/** Why nothing ran, and what the user was told (tests read it: notifications may not show). */
export interface FileRunRefused {
  started: false;
  reason: 'no-file' | 'not-python' | 'untrusted' | 'no-folder' | 'no-experiment' | 'no-runtime' | 'cancelled';
  message?: string;
  /** The label of the button offered with the message. */
  action?: string;
}

export type FileRunOutcome = { started: true; execution: vscode.TaskExecution; interpreter: InterpreterChoice; experiment: FileExperiment } | FileRunRefused;

/** Arguments a keybinding or a test may pass: given params (and experiment), nothing is asked. */
export interface FileRunOptions {
  params?: Record<string, string>;
  experiment?: string;
}

/**
 * "Run Current File with Tracking": saves the file, settles its experiment
 * and params (asked once, remembered per file), and runs it as a task under
 * `mlops run` with the interpreter the workspace uses. A file that is not a
 * Python script is not run: the user is told what runs it instead.
 */
export async function runCurrentFile(context: vscode.ExtensionContext, workbench: Workbench, uri?: vscode.Uri, options: FileRunOptions = {}): Promise<FileRunOutcome> {
  const prepared = await prepareFileRun(context, workbench, 'Run', uri, options);
  if ('started' in prepared) return prepared;
  const { target, folder, runtime, interpreter, experiment } = prepared;
  const task = trackedTask(
    fileTaskDefinition(prepared),
    folder,
    runtime,
    context.extensionPath,
    `Run ${basename(target.fsPath)}`,
  );
  return { started: true, execution: await vscode.tasks.executeTask(task), interpreter, experiment };
}

/**
 * The tracked task that runs the prepared file with its interpreter, params and
 * experiment; its output starts with which interpreter and experiment, and why.
 */
export function fileTaskDefinition({ target, params, interpreter, experiment }: PreparedFileRun): TrackedTaskDefinition {
  return {
    type: 'mlops',
    command: interpreter.command,
    args: [...interpreter.args, target.fsPath],
    params,
    experiment: experiment.name,
    notes: [describeInterpreter(interpreter), `Experiment: ${experiment.name} (${experiment.reason})`],
  };
}

/**
 * The checks and questions shared by Run and Debug Current File: a saved
 * Python file in a trusted workspace folder, its experiment and params, the
 * CLI's runtime and the interpreter. A refusal when something is missing
 * (already explained to the user) or the user cancelled.
 */
export async function prepareFileRun(
  context: vscode.ExtensionContext,
  workbench: Workbench,
  verb: 'Run' | 'Debug',
  uri?: vscode.Uri,
  options: FileRunOptions = {},
): Promise<PreparedFileRun | FileRunRefused> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    return tell('no-file', `MLOps: open a Python file to ${verb.toLowerCase()} it with tracking.`);
  }
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  const kind = fileRunKind(target.fsPath, document?.languageId, document ? document.lineAt(0).text : firstLineOf(target.fsPath));
  if (kind !== 'python') {
    const refusal = fileRunRefusal(kind, target.fsPath, verb);
    return tell('not-python', refusal.message, refusal.action && { ...refusal.action, args: refusal.action.withFile ? [target] : [] });
  }
  if (!vscode.workspace.isTrusted) {
    return tell('untrusted', 'MLOps: trust this workspace to run code from it.', { label: 'Manage Workspace Trust', command: 'workbench.trust.manage', args: [] }, 'warning');
  }
  const folder = vscode.workspace.getWorkspaceFolder(target);
  if (!folder) return tell('no-folder', 'MLOps: the file must be inside an open workspace folder.');
  if (document?.isDirty) await document.save();

  const title = `${verb} ${basename(target.fsPath)} with tracking`;
  const backend = workbench.backendOf(target);
  const log = (line: string) => workbench.log(line);
  let experiment: FileExperiment | string | undefined =
    typeof options.experiment === 'string' && options.experiment
      ? { name: options.experiment, reason: 'given with the command', explicit: true }
      : await fileExperiment(context, backend, target, folder, title, log);
  if (typeof experiment === 'string') return tell('no-experiment', `MLOps: ${experiment}`, undefined, 'error');
  if (!experiment) return { started: false, reason: 'cancelled' };

  let params = options.params;
  while (!params) {
    const answer = await askParams(context, target, title, experiment);
    if (!answer) return { started: false, reason: 'cancelled' };
    if (answer === 'choose-experiment') {
      const chosen: FileExperiment | string | undefined = await fileExperiment(context, backend, target, folder, title, log, experiment);
      if (typeof chosen === 'object') experiment = chosen;
    } else {
      params = answer;
    }
  }

  const runtime = await workbench.runtime();
  if (!runtime) return { started: false, reason: 'no-runtime' }; // the runtime notification already explained why
  const interpreter = await pythonInterpreter(target, folder);
  return { target, folder, params, runtime, interpreter, experiment };
}

/** Shows a message (with a button that does what the user meant) and returns the refusal that says the same. */
function tell(
  reason: FileRunRefused['reason'],
  message: string,
  action?: { label: string; command: string; args: unknown[] },
  severity: 'info' | 'warning' | 'error' = 'info',
): FileRunRefused {
  const buttons = action ? [action.label] : [];
  const shown =
    severity === 'error'
      ? vscode.window.showErrorMessage(message, ...buttons)
      : severity === 'warning'
        ? vscode.window.showWarningMessage(message, ...buttons)
        : vscode.window.showInformationMessage(message, ...buttons);
  void shown.then((pick) => {
    if (action && pick === action.label) void vscode.commands.executeCommand(action.command, ...action.args);
  });
  return { started: false, reason, message, action: action?.label };
}

async function askParams(
  context: vscode.ExtensionContext,
  target: vscode.Uri,
  title: string,
  experiment: FileExperiment,
): Promise<Record<string, string> | 'choose-experiment' | undefined> {
  const remembered = context.workspaceState.get<Record<string, string>>(PARAMS_KEY, {});
  const box = vscode.window.createInputBox();
  box.title = `${title}, in experiment ${experiment.name}`;
  box.prompt = `Params for this run, as key=value pairs (empty for none). Remembered for this file.${experiment.explicit ? '' : ' The beaker button changes the experiment.'}`;
  box.value = remembered[target.fsPath] ?? '';
  box.placeholder = 'lr=0.1 epochs=20';
  // A setting or the environment fixes the experiment; otherwise the remembered choice can be changed here.
  if (!experiment.explicit) box.buttons = [{ iconPath: new vscode.ThemeIcon('beaker'), tooltip: `Experiment: ${experiment.name}. Choose another` }];
  const validate = () => {
    const parsed = parseParams(box.value);
    box.validationMessage = typeof parsed === 'string' ? parsed : undefined;
    return parsed;
  };
  validate();
  const answer = await new Promise<string | 'choose-experiment' | undefined>((resolve) => {
    box.onDidChangeValue(validate);
    box.onDidAccept(() => {
      if (typeof validate() !== 'string') resolve(box.value);
    });
    box.onDidTriggerButton(() => resolve('choose-experiment'));
    box.onDidHide(() => resolve(undefined));
    box.show();
  });
  box.dispose();
  if (answer === undefined || answer === 'choose-experiment') return answer;
  await context.workspaceState.update(PARAMS_KEY, { ...remembered, [target.fsPath]: answer });
  return parseParams(answer) as Record<string, string>;
}
