import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import { registerPipelineCommands } from './pipelineCommands';
import { PipelineDiagnostics } from './pipelineDiagnostics';
import { NeedsCompletion, PipelineQuickFixes } from './pipelineEditing';
import { isPipelineFile, PIPELINE_SELECTOR } from './pipelineFiles';
import { registerPipelineDagPanel, type PipelineDagSource } from '../panels/pipelineDagPanel';
import { registerStaticDagHook } from '../panels/pipelineDagStatic';
import { PipelinesModel } from './pipelinesModel';
import { PipelinesTree, type PipelinesNode } from './pipelinesTree';

export type { PipelinesNode };

function dagSource(model: PipelinesModel, file: vscode.Uri): PipelineDagSource | undefined {
  if (!isPipelineFile(file)) return undefined;
  return {
    label: vscode.workspace.asRelativePath(file),
    load: async () => {
      const status = await model.status(file);
      return 'problem' in status ? { error: `Cannot show the pipeline: ${status.problem}` } : status;
    },
    onDidChange: (listener, thisArg, disposables) => model.onDidChange((uri) => (!uri || uri.toString() === file.toString()) && listener.call(thisArg), undefined, disposables),
  };
}

/** Pipelines in the editor: the Pipelines view, its commands, the DAG panel, and problems and completion in pipeline files. */
export function registerPipelines(context: vscode.ExtensionContext, workbench: Workbench): { model: PipelinesModel; diagnostics: PipelineDiagnostics; tree: PipelinesTree } {
  const model = new PipelinesModel(workbench);
  const tree = new PipelinesTree(model);
  const view = vscode.window.createTreeView('mlops.pipelines', { treeDataProvider: tree, showCollapseAll: true });
  const diagnostics = new PipelineDiagnostics(workbench);
  context.subscriptions.push(
    // What the model hears of (chokidar on deps, pipeline files, runs) can change "missing dep" and the like.
    model.onDidChange(() => diagnostics.recheckOpen()),
    model,
    tree,
    view,
    diagnostics,
    vscode.languages.registerCodeActionsProvider(PIPELINE_SELECTOR, new PipelineQuickFixes(diagnostics), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    vscode.languages.registerCompletionItemProvider(PIPELINE_SELECTOR, new NeedsCompletion(diagnostics), '[', ',', ' ', '-'),
  );
  // The DAG panel draws what the view shows, refreshed when the view's status of that file is.
  let staticSource: (file: vscode.Uri) => PipelineDagSource | undefined = () => undefined;
  const dag = registerPipelineDagPanel(context, workbench, (file) => staticSource(file) ?? dagSource(model, file));
  staticSource = registerStaticDagHook(context, dag);
  registerPipelineCommands(context, workbench, model, (uri) => dag.show(uri));
  return { model, diagnostics, tree };
}
