import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import { registerPipelineCommands } from './pipelineCommands';
import { PipelineDiagnostics } from './pipelineDiagnostics';
import { NeedsCompletion, PipelineQuickFixes } from './pipelineEditing';
import { PIPELINE_SELECTOR } from './pipelineFiles';
import { PipelinesModel } from './pipelinesModel';
import { PipelinesTree, type PipelinesNode } from './pipelinesTree';

export type { PipelinesNode };

/** Pipelines in the editor: the Pipelines view, its commands, the DAG panel, and problems and completion in pipeline files. */
export function registerPipelines(context: vscode.ExtensionContext, workbench: Workbench): { model: PipelinesModel; diagnostics: PipelineDiagnostics; tree: PipelinesTree } {
  const model = new PipelinesModel(workbench);
  const tree = new PipelinesTree(model);
  const view = vscode.window.createTreeView('mlops.pipelines', { treeDataProvider: tree, showCollapseAll: true });
  const diagnostics = new PipelineDiagnostics(workbench);
  context.subscriptions.push(
    model,
    tree,
    view,
    diagnostics,
    vscode.languages.registerCodeActionsProvider(PIPELINE_SELECTOR, new PipelineQuickFixes(diagnostics), { providedCodeActionKinds: PipelineQuickFixes.kinds }),
    vscode.languages.registerCompletionItemProvider(PIPELINE_SELECTOR, new NeedsCompletion(diagnostics), '[', ',', ' ', '-'),
  );
  registerPipelineCommands(context, workbench, model, (uri) => void vscode.window.showInformationMessage(`DAG of ${uri.fsPath}`));
  return { model, diagnostics, tree };
}
