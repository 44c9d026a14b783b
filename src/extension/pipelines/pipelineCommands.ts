import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import { findPipelineFiles, isPipelineFile } from './pipelineFiles';
import type { PipelinesModel } from './pipelinesModel';
import type { PipelinesNode } from './pipelinesTree';
import { pipelineTask, type PipelineTaskDefinition } from './pipelineTask';

/** What the pipeline commands act on; from the view, the DAG panel (`{file, step}`), the editor or the explorer. */
export interface PipelineTarget {
  uri: vscode.Uri;
  step?: string;
  runId?: string;
}

export function targetOf(arg: unknown): PipelineTarget | undefined {
  if (arg instanceof vscode.Uri) return isPipelineFile(arg) ? { uri: arg } : undefined;
  const a = arg as (PipelinesNode & { file?: unknown; step?: unknown; runId?: unknown }) | undefined;
  if (a?.kind === 'pipeline') return { uri: a.uri };
  if (a?.kind === 'step') return { uri: a.uri, step: a.step.name, runId: a.step.last?.runId || undefined };
  if (a && typeof a.file === 'string') {
    return { uri: vscode.Uri.file(a.file), step: typeof a.step === 'string' ? a.step : undefined, runId: typeof a.runId === 'string' ? a.runId : undefined };
  }
  return undefined;
}

/** The pipeline file a command without an argument means: the active editor's, else the only one, else the user's pick. */
async function chooseFile(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isPipelineFile(active)) return active;
  const files = await findPipelineFiles();
  if (files.length <= 1) {
    if (!files.length) void vscode.window.showInformationMessage('MLOps: no pipeline files (*.pipeline.yaml) in this workspace. Create one with "MLOps: New Pipeline File".');
    return files[0];
  }
  const pick = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: 'Which pipeline?' },
  );
  return pick?.uri;
}

export function registerPipelineCommands(context: vscode.ExtensionContext, workbench: Workbench, model: PipelinesModel, showDag: (uri: vscode.Uri) => void): void {
  const command = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  const run = async (target: PipelineTarget, extra: Partial<PipelineTaskDefinition>, label: string): Promise<void> => {
    const folder = vscode.workspace.getWorkspaceFolder(target.uri);
    if (!folder) return void vscode.window.showErrorMessage(`MLOps: ${target.uri.fsPath} is not in an open workspace folder.`);
    if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('MLOps: trust this workspace to run its pipelines (they run its code).');
    const runtime = await workbench.runtime();
    if (!runtime) return void vscode.window.showErrorMessage('MLOps: no Node runtime to run the pipeline with; see the MLOps log.');
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.uri.toString());
    if (document?.isDirty) await document.save();
    const definition: PipelineTaskDefinition = { type: 'mlops', pipeline: vscode.workspace.asRelativePath(target.uri, false), ...extra };
    // The whole pipeline runs as the provided task "mlops: NAME", so ▷ and Run Task share one terminal.
    const provided = Object.keys(extra).length ? undefined : (await vscode.tasks.fetchTasks({ type: 'mlops' })).find((t) => t.definition.pipeline === definition.pipeline && Object.keys(t.definition).length === 2);
    await vscode.tasks.executeTask(provided ?? pipelineTask(definition, folder, runtime, context.extensionPath, label));
    model.refreshNow(target.uri);
  };
  const withTarget = (fn: (t: PipelineTarget) => unknown) => async (arg?: unknown) => {
    const target = targetOf(arg) ?? (await chooseFile().then((uri) => (uri ? { uri } : undefined)));
    return target ? fn(target) : undefined;
  };
  const nameOf = async (uri: vscode.Uri) => {
    const status = await model.status(uri);
    return 'name' in status ? status.name : basename(uri.fsPath).replace(/\.pipeline\.ya?ml$/, '');
  };
  const needStep = (t: PipelineTarget, what: string): t is PipelineTarget & { step: string } => {
    if (t.step) return true;
    void vscode.window.showInformationMessage(`MLOps: ${what} acts on a step: right-click one in the Pipelines view.`);
    return false;
  };

  command('mlops.pipelines.runPipeline', withTarget(async (t) => run(t, {}, await nameOf(t.uri))));
  // A step the user asks to run runs, cached or not (--force); its needs are taken as done.
  command(
    'mlops.pipelines.runStep',
    withTarget(async (t) => needStep(t, 'Run Step') && run(t, { steps: [t.step], force: [t.step] }, `${await nameOf(t.uri)}: ${t.step}`)),
  );
  command(
    'mlops.pipelines.runFromStep',
    withTarget(async (t) => needStep(t, 'Run From Step') && run(t, { fromStep: t.step, force: [t.step] }, `${await nameOf(t.uri)}: from ${t.step}`)),
  );
  command(
    'mlops.pipelines.openStepRun',
    withTarget(async (t) => {
      const runId = t.runId ?? (t.step ? await lastRunOf(model, t.uri, t.step) : undefined);
      if (!runId) return void vscode.window.showInformationMessage(`MLOps: step ${t.step ?? ''} has not run yet.`);
      return vscode.commands.executeCommand('mlops.openRun', runId);
    }),
  );
  command(
    'mlops.pipelines.stopPipeline',
    withTarget(async (t) => {
      const rel = vscode.workspace.asRelativePath(t.uri, false);
      const running = vscode.tasks.taskExecutions.filter((e) => e.task.definition.type === 'mlops' && e.task.definition.pipeline === rel);
      if (!running.length) {
        return void vscode.window.showInformationMessage(`MLOps: no pipeline task of ${rel} is running in this window. A run from a terminal stops with Ctrl-C there (or Stop Run on its run).`);
      }
      // Terminating the task stops the runner, which kills the steps' process trees and marks their runs KILLED.
      for (const e of running) e.terminate();
    }),
  );
  command('mlops.pipelines.revealStep', withTarget((t) => revealStep(model, t)));
  command('mlops.pipelines.showDag', withTarget((t) => showDag(t.uri)));
  command('mlops.pipelines.refresh', () => model.refreshNow());
  command('mlops.pipelines.newPipeline', () => newPipelineFile());
}

async function lastRunOf(model: PipelinesModel, uri: vscode.Uri, step: string): Promise<string | undefined> {
  // Asked now, not from the view's last refresh: the step may have just run again.
  model.refreshNow(uri);
  const status = await model.status(uri);
  return 'steps' in status ? status.steps.find((s) => s.name === step)?.last?.runId || undefined : undefined;
}

async function revealStep(model: PipelinesModel, t: PipelineTarget): Promise<void> {
  const status = await model.status(t.uri);
  const at = 'steps' in status ? status.steps.find((s) => s.name === t.step) : undefined;
  const editor = await vscode.window.showTextDocument(t.uri, { preview: true });
  if (!at) return;
  const pos = new vscode.Position(at.line - 1, at.column - 1);
  editor.selection = new vscode.Selection(pos, pos.translate(0, at.name.length));
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

const TEMPLATE = `# A pipeline: steps run in order of their needs; a step whose command, params
# and deps are unchanged is skipped (cached). Run it from the Pipelines view, as
# the task "mlops: NAME", or with: mlops pipeline run FILE
name: NAME
params: { lr: 0.1 }
steps:
  prepare:
    run: python3 prepare.py
    deps: [prepare.py]
    outs: [data/clean.csv]
  train:
    needs: [prepare]
    run: python3 train.py --lr \${params.lr}
    deps: [train.py, data/clean.csv]
    outs: [model.onnx]
    metrics: metrics.json
  register:
    needs: [train]
    register: { model: NAME, path: model.onnx, alias: challenger, when: "train.metrics.accuracy >= 0.8" }
`;

async function newPipelineFile(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return void vscode.window.showInformationMessage('MLOps: open a folder first.');
  const name = await vscode.window.showInputBox({
    prompt: 'Pipeline name (the file is NAME.pipeline.yaml in the workspace folder)',
    value: 'train',
    validateInput: (v) => (/^[A-Za-z_][\w-]*$/.test(v) ? undefined : 'letters, digits, _ and -, starting with a letter or _'),
  });
  if (!name) return;
  const uri = vscode.Uri.joinPath(folder.uri, `${name}.pipeline.yaml`);
  try {
    await vscode.workspace.fs.stat(uri);
    return void vscode.window.showWarningMessage(`MLOps: ${name}.pipeline.yaml exists already.`);
  } catch {
    /* free: create it */
  }
  await vscode.workspace.fs.writeFile(uri, Buffer.from(TEMPLATE.replaceAll('NAME', name)));
  await vscode.window.showTextDocument(uri);
}
