import * as vscode from 'vscode';
import type { MonitoringReport } from '../../protocol/monitoringPanelMessages';
import { backendMonitoringSource, registerMonitoringPanel } from '../panels/monitoringPanel';
import { registerStaticMonitoringHook } from '../panels/monitoringStatic';
import type { Workbench } from '../workbench';
import type { DeploymentsNode, DeploymentsTree } from './deploymentsTree';

/**
 * "MLOps: Open Monitoring" (mlops.deployments.openMonitoring): a deployment's
 * Monitoring panel. Takes a Deployments view node, a deployment's name, or
 * nothing (then asks which); resolves with the panel's report once it has drawn.
 */
export function registerMonitoringCommand(context: vscode.ExtensionContext, workbench: Workbench, tree: DeploymentsTree): void {
  const panels = registerMonitoringPanel(context, workbench);
  registerStaticMonitoringHook(context, panels);
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.deployments.openMonitoring', async (arg?: unknown): Promise<MonitoringReport | undefined> => {
      const node = arg as DeploymentsNode | undefined;
      let backend = node && typeof node === 'object' && node.kind !== 'message' ? node.backend : workbench.current();
      let name = node && typeof node === 'object' && node.kind !== 'message' ? node.deployment.name : typeof arg === 'string' && arg ? arg : undefined;
      if (!backend) return void vscode.window.showInformationMessage('MLOps: open a folder with an MLOps backend to monitor its deployments.');
      if (!name) {
        const picked = await pickDeployment(tree, backend);
        if (!picked) return undefined;
        ({ backend, name } = picked);
      }
      return panels.show(backendMonitoringSource(backend, name));
    }),
  );
}

async function pickDeployment(tree: DeploymentsTree, backend: NonNullable<ReturnType<Workbench['current']>>) {
  try {
    const deployments = await tree.deployments(backend);
    if (deployments.length === 0) {
      void vscode.window.showInformationMessage('MLOps: no deployments to monitor. Deploy a model version first (Models view → Deploy Model Version, or in a terminal: mlops serve models:/MODEL@ALIAS --reference training).');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      deployments.map((d) => ({ label: d.name, description: [d.status, d.url ?? ''].filter(Boolean).join(' · ') })),
      { title: 'Open Monitoring', placeHolder: 'Which deployment?' },
    );
    return picked && { backend, name: picked.label };
  } catch (err) {
    void vscode.window.showErrorMessage(`MLOps: could not list deployments: ${(err as Error).message}`);
    return undefined;
  }
}
