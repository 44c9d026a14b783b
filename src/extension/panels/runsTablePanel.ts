import type * as vscode from 'vscode';
import type { Workbench } from '../workbench';

/** Registers "MLOps: Open Runs Table" (mlops.openRunsTable). */
export function registerRunsTablePanel(context: vscode.ExtensionContext, workbench: Workbench): void {
  void context;
  void workbench;
}
