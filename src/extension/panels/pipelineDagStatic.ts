import * as vscode from 'vscode';
import type { PipelineStatusResponse } from '../../protocol/pipelineApi';
import type { PipelineDagReport } from '../../protocol/pipelineDagMessages';
import { pipelineApiSchemas } from '../lazySchemas';
import type { PipelineDagSource } from './pipelineDagPanel';

// Test hook (not in the palette): `_mlops.pipelineDag.showStatic` draws a status
// it is handed, for a file no real source claims. It is how the host suite sees
// the panel draw every state at once (running, failed, cached, stale, never run),
// which no real run holds still for; calling it again updates the open panel, as
// a live source would. Real files get their status from the Pipelines feature.

interface StaticSource {
  source: PipelineDagSource;
  status: PipelineStatusResponse | { error: string };
  changed: vscode.EventEmitter<void>;
}

/** Registers the hook; returns the sources it was handed, which the panel's source lookup asks first. */
export function registerStaticDagHook(context: vscode.ExtensionContext, dag: { show(file: vscode.Uri): void }): (file: vscode.Uri) => PipelineDagSource | undefined {
  const sources = new Map<string, StaticSource>();
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
  return (file) => sources.get(file.fsPath)?.source;
}

/** The panel's next drawing, asked before the change so that it cannot be missed. */
function dagReport(file: string): () => Promise<PipelineDagReport | undefined> {
  const opened = vscode.commands.executeCommand<PipelineDagReport | undefined>('_mlops.pipelineDag.report', file, true);
  return async () => (await opened) ?? vscode.commands.executeCommand<PipelineDagReport | undefined>('_mlops.pipelineDag.report', file, true);
}
