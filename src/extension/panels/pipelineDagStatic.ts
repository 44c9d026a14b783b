import * as vscode from 'vscode';
import type { PipelineStatusResponse } from '../../protocol/pipelineApi';
import type { PipelineDagReport } from '../../protocol/pipelineDagMessages';
import { pipelineApiSchemas } from '../lazySchemas';
import { registerPipelineDagPanel, type PipelineDagSource } from './pipelineDagPanel';
import type { Workbench } from '../workbench';

// TEMPORARY dev wiring, to be removed when the Pipelines feature supplies the
// real status source (GET /api/v1/pipelines/status) and calls
// registerPipelineDagPanel itself. Until then the DAG panel shows statuses
// handed in by `_mlops.pipelineDag.showStatic` (tests and development): calling
// it again for an open file updates that panel, as a live source would.

interface StaticSource {
  source: PipelineDagSource;
  status: PipelineStatusResponse | { error: string };
  changed: vscode.EventEmitter<void>;
}

export function registerStaticPipelineDag(context: vscode.ExtensionContext, workbench: Workbench): void {
  const sources = new Map<string, StaticSource>();
  const dag = registerPipelineDagPanel(context, workbench, (file) => sources.get(file.fsPath)?.source);
  context.subscriptions.push(
    vscode.commands.registerCommand('_mlops.pipelineDag.showStatic', async (arg: { file?: unknown; status?: unknown; error?: unknown }): Promise<PipelineDagReport | undefined> => {
      if (typeof arg?.file !== 'string' || !arg.file) throw new Error('_mlops.pipelineDag.showStatic: give { file, status } or { file, error }');
      const status = typeof arg.error === 'string' ? { error: arg.error } : pipelineApiSchemas().pipelineStatusResponse.parse(arg.status);
      const file = vscode.Uri.file(arg.file);
      const existing = sources.get(file.fsPath);
      const next = dagReport(file.fsPath);
      if (existing) {
        existing.status = status;
        existing.changed.fire();
      } else {
        const changed = new vscode.EventEmitter<void>();
        const entry: StaticSource = {
          status,
          changed,
          source: { label: vscode.workspace.asRelativePath(file), load: async () => entry.status, onDidChange: changed.event },
        };
        sources.set(file.fsPath, entry);
        context.subscriptions.push(changed);
      }
      dag.show(file);
      return next();
    }),
  );
}

/** The panel's next drawing, asked before the change so that it cannot be missed. */
function dagReport(file: string): () => Promise<PipelineDagReport | undefined> {
  const opened = vscode.commands.executeCommand<PipelineDagReport | undefined>('_mlops.pipelineDag.report', file, true);
  return async () => (await opened) ?? vscode.commands.executeCommand<PipelineDagReport | undefined>('_mlops.pipelineDag.report', file, true);
}
