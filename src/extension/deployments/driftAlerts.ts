import * as vscode from 'vscode';
import type { DeploymentEvent, DeploymentState } from '../../protocol/deployments';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import { pickRetrainPipeline, type RetrainPickerView } from './retrainPicker';

/** The drift status bar item as shown (tests read it: the VS Code API cannot). */
export interface DriftStatusBarView {
  visible: boolean;
  /** e.g. "$(warning) drift: churn"; empty while hidden. */
  text: string;
  tooltip: string;
}

/**
 * Drift alerts in the editor: a notification when data set drift starts in a
 * deployment (saying whether its onDrift pipeline started retraining, or offering
 * Retrain), a status bar item while any deployment drifts, and a note when a
 * retraining run ends. Retrain runs a workspace pipeline, so it needs trust.
 */
export function registerDriftAlerts(context: vscode.ExtensionContext, workbench: Workbench): { statusBar(): DriftStatusBarView } {
  const drifting = new Map<string, { backend: WorkspaceBackend; deployment: DeploymentState }>();
  let retrainPicker: (() => RetrainPickerView) | undefined;
  const status = vscode.window.createStatusBarItem('mlops.drift', vscode.StatusBarAlignment.Left, 9);
  status.name = 'MLOps: data drift';
  // A status bar item does not say whether it is shown.
  let shown = false;
  const updateStatus = () => {
    const all = [...drifting.values()];
    shown = all.length > 0;
    if (!shown) return status.hide();
    status.text = `$(warning) drift: ${all.map((d) => d.deployment.name).join(', ')}`;
    status.tooltip = all.map((d) => `${d.deployment.name}: ${d.deployment.monitoring?.driftedFeatures.join(', ') || 'features'} drifted`).join('\n') + '\nClick to open monitoring.';
    status.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    status.command = { title: 'Open Monitoring', command: 'mlops.deployments.openMonitoring', arguments: [all[0].deployment.name] };
    status.show();
  };

  const onEvent = (backend: WorkspaceBackend, event: DeploymentEvent) => {
    const key = `${backend.folder.uri.toString()}#${event.name}`;
    const d = event.deployment;
    if (event.kind === 'removed' || !d || d.monitoring?.status !== 'drift') drifting.delete(key);
    else drifting.set(key, { backend, deployment: d });
    updateStatus();
    const alert = event.alert;
    if (event.kind !== 'alert' || !alert) return;
    if (alert.kind === 'started') {
      const share = `${alert.features.length} feature${alert.features.length === 1 ? '' : 's'} drifted (${alert.features.join(', ')}; ${Math.round(alert.driftedShare * 100)}%)`;
      const retrain = alert.retrain;
      const what = retrain?.status === 'started' ? ` Retraining started: ${retrain.pipeline}.` : retrain ? ` ${retrain.message}` : '';
      const actions = retrain?.status === 'started' ? ['Open Monitoring'] : ['Open Monitoring', 'Retrain'];
      void vscode.window.showWarningMessage(`MLOps: data drift in deployment ${event.name}: ${share}.${what}`, ...actions).then((pick) => {
        if (pick === 'Open Monitoring') void vscode.commands.executeCommand('mlops.deployments.openMonitoring', event.name);
        if (pick === 'Retrain') void vscode.commands.executeCommand('mlops.deployments.retrain', event.name);
      });
    } else if (alert.kind === 'retrain' && alert.retrain && alert.retrain.status !== 'started') {
      const ok = alert.retrain.status === 'finished';
      const show = ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(`MLOps: retraining for ${event.name}: ${alert.retrain.message}.`, 'Show Pipelines').then((pick) => {
        if (pick) void vscode.commands.executeCommand('mlops.pipelines.focus');
      });
    }
  };
  const follow = (b: WorkspaceBackend) => context.subscriptions.push(b.onDidChangeDeployment((e) => onEvent(b, e)));
  workbench.all().forEach(follow);
  context.subscriptions.push(status, workbench.onDidAddBackend(follow));

  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.deployments.retrain', async (arg?: unknown) => {
      if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('MLOps: trust this workspace to retrain (it runs the workspace\'s pipeline).');
      const name = typeof arg === 'string' ? arg : (arg as { deployment?: DeploymentState } | undefined)?.deployment?.name;
      const backend = (arg as { backend?: WorkspaceBackend } | undefined)?.backend ?? workbench.current();
      if (!name || !backend) return void vscode.window.showInformationMessage('MLOps: choose a deployment in the Deployments view to retrain.');
      const { deployment } = await backend.request<{ deployment: DeploymentState }>('GET', `/api/v1/deployments/${encodeURIComponent(name)}`);
      let pipeline = deployment.spec.monitoring?.onDrift;
      if (!pipeline) {
        const files = await vscode.workspace.findFiles(new vscode.RelativePattern(backend.folder, '**/*.pipeline.{yaml,yml}'), '**/node_modules/**', 50);
        if (files.length === 0) return void vscode.window.showWarningMessage('MLOps: no pipeline file (*.pipeline.yaml) in this workspace to retrain with. Create one with "MLOps: New Pipeline File".');
        const picked = await pickRetrainPipeline(backend, name, files, (p) => (retrainPicker = p));
        if (!picked) return;
        pipeline = picked.fsPath;
      }
      try {
        const { retrain } = await backend.request<{ retrain: { message: string } }>('POST', `/api/v1/deployments/${encodeURIComponent(name)}/retrain`, { pipeline });
        void vscode.window.showInformationMessage(`MLOps: ${retrain.message}. The Pipelines view shows its steps.`);
        return retrain;
      } catch (err) {
        void vscode.window.showErrorMessage(`MLOps: could not retrain ${name}: ${(err as Error).message}`);
        return undefined;
      }
    }),
  );
  // Test hook (not in the palette): the Retrain picker while it is open, as shown.
  context.subscriptions.push(vscode.commands.registerCommand('_mlops.deployments.retrainPicker', () => retrainPicker?.()));
  return { statusBar: () => ({ visible: shown, text: shown ? status.text : '', tooltip: shown && typeof status.tooltip === 'string' ? status.tooltip : '' }) };
}
