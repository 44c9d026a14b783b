import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import { registerModelPanel } from '../panels/modelPanel';
import { registerModelCommands } from './modelCommands';
import { ModelsTree, type ModelsNode } from './modelsTree';
import { AliasMoveNotifier } from './aliasMoveNotifier';

export type { ModelsNode };

/** The registry in the editor: the Models view, its commands, and the registry panel. */
export function registerModels(context: vscode.ExtensionContext, workbench: Workbench): ModelsTree {
  const tree = new ModelsTree(workbench);
  const view = vscode.window.createTreeView('mlops.models', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  for (const backend of workbench.all()) tree.watch(backend);
  context.subscriptions.push(tree, view, workbench.onDidAddBackend((b) => tree.watch(b)));
  registerModelCommands(context, workbench, tree, view);
  registerModelPanel(context, workbench);
  const aliasMoves = new AliasMoveNotifier(workbench, (backend, askedSince) => tree.models(backend, askedSince));
  context.subscriptions.push(
    aliasMoves,
    // Test hook (not in the palette): the alias moves announced so far (the smoke-test driver hides toasts).
    vscode.commands.registerCommand('_mlops.models.aliasMovesShown', () => [...aliasMoves.shown]),
  );
  // After activation, off its path: which folders hold an MLmodel, for the explorer's "Register Model…".
  setTimeout(() => void trackModelFolders(context), 2000);
  return tree;
}

/** Keeps the context key mlops.mlmodelFolders (the folders with an MLmodel file) up to date. */
async function trackModelFolders(context: vscode.ExtensionContext): Promise<void> {
  if (!vscode.workspace.workspaceFolders?.length) return;
  const folders = new Set<string>();
  const publish = () => void vscode.commands.executeCommand('setContext', 'mlops.mlmodelFolders', [...folders]);
  const add = (file: vscode.Uri) => {
    const dir = vscode.Uri.joinPath(file, '..');
    folders.add(dir.fsPath);
    folders.add(dir.path);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/MLmodel');
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate((u) => (add(u), publish())),
    watcher.onDidDelete((u) => {
      const dir = vscode.Uri.joinPath(u, '..');
      folders.delete(dir.fsPath);
      folders.delete(dir.path);
      publish();
    }),
  );
  for (const file of await vscode.workspace.findFiles('**/MLmodel', '{**/node_modules/**,**/.mlops/**,**/.git/**}', 2000)) add(file);
  publish();
}
