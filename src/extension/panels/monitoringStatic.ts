import * as vscode from 'vscode';
import type { MonitoringReport } from '../../protocol/monitoringPanelMessages';
import { monitoringPanelSchemas, monitoringSchemas } from '../lazySchemas';
import type { MonitoringLoad, MonitoringPanels } from './monitoringPanel';

// Test hook (not in the palette): `_mlops.monitoring.showStatic` opens a
// deployment's Monitoring panel over a state it is handed instead of the
// backend's. It is how the host suite and the browser check see every part of
// the panel at once (drift, a challenger with labels, 20 features, a long
// history), which no real deployment holds still for. Calling it again updates
// the open panel, as the next poll of a live one would.

/** Registers the hook on the panels that `show` opens. */
export function registerStaticMonitoringHook(context: vscode.ExtensionContext, panels: MonitoringPanels): void {
  const loads = new Map<string, MonitoringLoad>();
  context.subscriptions.push(
    vscode.commands.registerCommand(
      '_mlops.monitoring.showStatic',
      async (arg: { deployment?: unknown; state?: unknown; unavailable?: unknown }): Promise<MonitoringReport | undefined> => {
        let load: MonitoringLoad;
        let deployment: string;
        if (arg?.unavailable !== undefined) {
          if (typeof arg.deployment !== 'string' || !arg.deployment) throw new Error('_mlops.monitoring.showStatic: give { deployment, unavailable: { reason, message } }');
          const u = arg.unavailable as { reason?: unknown; message?: unknown };
          load = { reason: monitoringPanelSchemas().monitoringUnavailable.parse(u.reason), message: String(u.message ?? '') };
          deployment = arg.deployment;
        } else {
          const state = monitoringSchemas().monitoringState.parse(arg?.state);
          deployment = typeof arg.deployment === 'string' && arg.deployment ? arg.deployment : state.deployment;
          load = { state };
        }
        loads.set(deployment, load);
        return panels.show({ key: `static#${deployment}`, deployment, load: async () => loads.get(deployment)! });
      },
    ),
  );
}
