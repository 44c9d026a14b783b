import * as vscode from 'vscode';
import { Workbench } from './workbench';
import { ExperimentsTree, type ExperimentsNode } from './experiments/experimentsTree';
import { runCurrentFile, type FileRunOptions } from './runs/runCurrentFile';
import { openExperimentQuestion } from './runs/fileExperiment';
import { debugCurrentFile } from './runs/debugCurrentFile';
import { runCommandWithTracking } from './runs/runCommandWithTracking';
import { TrackedTaskProvider } from './runs/trackedTask';
import { registerRunCommands } from './runs/runCommands';
import { registerRunsTablePanel } from './panels/runsTablePanel';
import { registerComparisonPanel } from './panels/comparisonPanel';
import { registerRunDetailPanel } from './panels/runDetailPanel';
import { registerModels, type ModelsNode } from './models/modelsView';
import { registerPipelines } from './pipelines/pipelinesView';
import { registerDeployments } from './deployments/deploymentsView';
import { registerDriftAlerts, type DriftStatusBarView } from './deployments/driftAlerts';
import { treeRowText, type TreeRowText } from './views/treeRowText';
import type { DeploymentsRow } from './deployments/deploymentsTree';
import type { PipelinesRow } from './pipelines/pipelinesTree';

// The extension is a thin client of each workspace folder's backend:
// it never opens the store and never loads a native module. Activation only
// wires commands and the status bar; the backend connects in the background.
let workbench: Workbench | undefined;

/** What activate() returns: the extension's own activation cost, for tests and the log. */
export interface WorkbenchApi {
  /**
   * loadMs: evaluating the bundle (loadCpuMs of it on the CPU: the rest, the machine was busy
   * with other work, as while VS Code starts); hostMs: VS Code's own work between loading it and calling
   * activate() (it prepares the extension's context meanwhile, which waits on the window: the
   * part that grows on a loaded machine); activateMs: activate() itself.
   */
  activation: { loadMs: number; loadCpuMs: number; hostMs: number; activateMs: number; totalMs: number };
  /** The Experiments view's node for a run, as its context-menu commands receive it (tests drive the commands with it). */
  experimentsNodeOf(runId: string): Promise<ExperimentsNode | undefined>;
  /** A run's row in the Experiments view as shown (label, description, tooltip). */
  experimentsRowOf(runId: string): Promise<TreeRowText | undefined>;
  /** The Models view's node for a model, or one of its versions. */
  modelsNodeOf(name: string, version?: string): Promise<ModelsNode | undefined>;
  /** A model version's row in the Models view as shown (label, description, tooltip). */
  modelsRowOf(name: string, version: string): Promise<TreeRowText | undefined>;
  /** The Pipelines view as rendered: files, then steps, with their nodes (which the view's commands take). */
  pipelinesView(): Promise<PipelinesRow[]>;
  /** The Deployments view as rendered: each deployment (status, URL, traffic, drift), then its variants. */
  deploymentsView(): Promise<DeploymentsRow[]>;
  /** The drift status bar item as shown (hidden unless a deployment drifts). */
  driftStatusBar(): DriftStatusBarView;
}

export function activate(context: vscode.ExtensionContext): WorkbenchApi {
  const started = performance.now();
  const stamps = globalThis as { __mlopsLoadStart?: number; __mlopsLoadEnd?: number; __mlopsLoadCpuStart?: NodeJS.CpuUsage; __mlopsLoadCpuEnd?: NodeJS.CpuUsage };
  const loadStart = stamps.__mlopsLoadStart ?? started;
  const loadEnd = stamps.__mlopsLoadEnd ?? started;
  const cpu = (u?: NodeJS.CpuUsage) => (u ? (u.user + u.system) / 1000 : 0);
  const loadCpuMs = cpu(stamps.__mlopsLoadCpuEnd) - cpu(stamps.__mlopsLoadCpuStart);
  workbench = new Workbench(context);
  context.subscriptions.push(workbench);
  const wb = workbench;
  const command = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  command('mlops.showLog', () => wb.output.show());
  command('mlops.restartBackend', () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the MLOps backend' }, () => wb.restart()),
  );
  command('mlops.showBackendInfo', async () => {
    const backend = wb.current();
    if (!backend) {
      void vscode.window.showInformationMessage('MLOps: open a folder to use MLOps Workbench.');
      return;
    }
    const state = backend.state;
    if (state.kind === 'connected') {
      const summary = state.summary ? ` ${state.summary.runs} runs in ${state.summary.experiments} experiments, ${state.summary.running} running.` : '';
      void vscode.window.showInformationMessage(`MLOps backend for ${backend.folder.name}: ${state.info.url} (pid ${state.info.pid}).${summary}`);
    } else if (state.kind === 'error') {
      const pick = await vscode.window.showErrorMessage(`MLOps backend for ${backend.folder.name}: ${state.message}`, 'Show Log', 'Restart Backend');
      if (pick === 'Show Log') wb.output.show();
      if (pick === 'Restart Backend') void vscode.commands.executeCommand('mlops.restartBackend');
    } else {
      void vscode.window.showInformationMessage(`MLOps backend for ${backend.folder.name} is starting…`);
    }
  });

  const experiments = new ExperimentsTree(wb);
  const experimentsView = vscode.window.createTreeView('mlops.experiments', { treeDataProvider: experiments, canSelectMany: true, showCollapseAll: true });
  context.subscriptions.push(experiments, experimentsView, wb.onDidAddBackend((b) => experiments.watch(b)));
  command('mlops.refreshExperiments', () => experiments.refreshSoon());
  command('mlops.copyRunId', async (node?: ExperimentsNode) => {
    const picked = node ?? experimentsView.selection[0];
    if (picked?.kind !== 'run') return void vscode.window.showInformationMessage('MLOps: select a run in the Experiments view first.');
    await vscode.env.clipboard.writeText(picked.run.runId);
    void vscode.window.setStatusBarMessage(`Copied run id ${picked.run.runId}`, 3000);
  });
  registerRunCommands(context, wb, () => experimentsView.selection);
  registerRunsTablePanel(context, wb);
  registerComparisonPanel(context, wb, () => experimentsView.selection);
  registerRunDetailPanel(context, wb, () => experimentsView.selection);
  const models = registerModels(context, wb);
  const pipelines = registerPipelines(context, wb);
  const deployments = registerDeployments(context, wb);
  const driftAlerts = registerDriftAlerts(context, wb);
  command('mlops.openDocs', () => vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(context.extensionUri, 'README.md')));

  command('mlops.runCurrentFile', (uri?: vscode.Uri, options?: FileRunOptions) => runCurrentFile(context, wb, uri instanceof vscode.Uri ? uri : undefined, options));
  command('mlops.debugCurrentFile', (uri?: vscode.Uri, options?: FileRunOptions) => debugCurrentFile(context, wb, uri instanceof vscode.Uri ? uri : undefined, options));
  command('_mlops.runCurrentFile.openQuestion', () => openExperimentQuestion());
  command('mlops.runCommandWithTracking', (options?: { commandLine?: string; params?: Record<string, string>; experiment?: string }) =>
    runCommandWithTracking(context, wb, options && typeof options === 'object' && !(options instanceof vscode.Uri) ? options : {}),
  );
  command('mlops.showDeletedRuns', () => experiments.setShowDeleted(true));
  command('mlops.hideDeletedRuns', () => experiments.setShowDeleted(false));
  context.subscriptions.push(vscode.tasks.registerTaskProvider('mlops', new TrackedTaskProvider(() => wb.runtime(), context.extensionPath)));

  void wb.start();
  const ended = performance.now();
  const activation = { loadMs: loadEnd - loadStart, loadCpuMs, hostMs: started - loadEnd, activateMs: ended - started, totalMs: ended - loadStart };
  wb.log(
    `activated in ${activation.totalMs.toFixed(1)} ms (loading the bundle ${activation.loadMs.toFixed(1)} ms, of which on the CPU ${loadCpuMs.toFixed(1)} ms; ` +
      `VS Code preparing the extension's context ${activation.hostMs.toFixed(1)} ms, activate() ${activation.activateMs.toFixed(1)} ms)`,
  );
  return {
    activation,
    experimentsNodeOf: (runId) => experiments.findRun(runId),
    experimentsRowOf: async (runId) => {
      const node = await experiments.findRun(runId);
      return node && treeRowText(experiments.getTreeItem(node));
    },
    modelsNodeOf: (name, version) => models.find(name, version),
    modelsRowOf: async (name, version) => {
      const node = await models.find(name, version);
      return node && treeRowText(models.getTreeItem(node));
    },
    pipelinesView: () => pipelines.tree.snapshot(),
    deploymentsView: () => deployments.snapshot(),
    driftStatusBar: () => driftAlerts.statusBar(),
  };
}

export function deactivate(): void {
  workbench = undefined;
}
