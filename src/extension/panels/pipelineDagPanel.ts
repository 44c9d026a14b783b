import * as vscode from 'vscode';
import type { PipelineStatusResponse } from '../../protocol/pipelineApi';
import type { HostToPipelineDag, PipelineDagReport, PipelineDagToHost } from '../../protocol/pipelineDagMessages';
import { pipelineDagSchemas } from '../lazySchemas';
import { restoringSerializer } from './panelBackend';
import { dagCommandFor } from './pipelineDagActions';
import type { Workbench } from '../workbench';
import { webviewOptions } from './webviewHtml';
import { WebviewPanelHost } from './webviewPanelHost';
import { KeyedPanels } from './keyedPanels';

const VIEW_TYPE = 'mlops.pipelineDag';
const REFRESH_DEBOUNCE_MS = 150;

/**
 * Where a DAG panel gets its data: the Pipelines feature supplies one per
 * pipeline file. `load` answers the file's status (or why there is none);
 * `onDidChange` fires when it may have changed (file edited, a run moved on).
 */
export interface PipelineDagSource {
  /** How the file is shown in the panel (e.g. its workspace-relative path). */
  label: string;
  load(): Promise<PipelineStatusResponse | { error: string }>;
  onDidChange: vscode.Event<void>;
}

/**
 * The "Show DAG" panel: one per pipeline file (showing an open one reveals
 * it), titled "<name> (DAG)", refreshed when its source changes, restored
 * after a window reload. `sourceFor` answers undefined for a file that is not
 * a pipeline (the panel then does not open, or is not restored).
 */
export function registerPipelineDagPanel(
  context: vscode.ExtensionContext,
  workbench: Workbench,
  sourceFor: (file: vscode.Uri) => PipelineDagSource | undefined,
): { show(file: vscode.Uri): void } {
  const panels = new KeyedPanels<PipelineDagPanel>();
  const track = (webviewPanel: vscode.WebviewPanel, file: vscode.Uri, source: PipelineDagSource) =>
    panels.add(file.fsPath, new PipelineDagPanel(webviewPanel, context.extensionUri, file, source, workbench));
  const serializer = restoringSerializer(
    context.extensionUri,
    workbench,
    (state) => pipelineDagSchemas().pipelineDagState.safeParse(state).data,
    (webviewPanel, _backend, state) => {
      const file = vscode.Uri.file(state.file);
      const source = sourceFor(file);
      // No longer a pipeline file we know, or already shown: nothing to restore.
      if (!source || panels.has(file.fsPath)) return webviewPanel.dispose();
      track(webviewPanel, file, source);
    },
  );
  const show = (file: vscode.Uri) => {
    const open = panels.get(file.fsPath);
    if (open) return open.panel.reveal(undefined, false);
    const source = sourceFor(file);
    if (!source) return void vscode.window.showInformationMessage(`MLOps: ${basename(file)} is not a pipeline file (*.pipeline.yaml) of an open folder.`);
    const webviewPanel = vscode.window.createWebviewPanel(VIEW_TYPE, titleOf(file), vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
    track(webviewPanel, file, source);
  };
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, serializer),
    // Test hooks (not in the palette): what a file's panel drew (`fresh`: its next drawing), and a window reload's revival.
    vscode.commands.registerCommand('_mlops.pipelineDag.report', (file: string, fresh?: boolean) => panels.get(file)?.report(fresh === true)),
    vscode.commands.registerCommand('_mlops.pipelineDag.revive', (state: unknown) =>
      serializer.deserializeWebviewPanel(vscode.window.createWebviewPanel(VIEW_TYPE, 'DAG', vscode.ViewColumn.Active, {}), state),
    ),
    panels,
  );
  return { show };
}

function basename(file: vscode.Uri): string {
  return file.path.slice(file.path.lastIndexOf('/') + 1);
}

/**
 * `churn (DAG)`: the pipeline's file name without its suffix. Not the file's
 * name itself: Quick Open (Ctrl+P) lists recently opened editors, panels
 * included, above the workspace's files, so a panel titled like the file came
 * first for a query of the file's name, and Enter opened the graph instead of the YAML.
 */
function titleOf(file: vscode.Uri): string {
  return `${basename(file).replace(/\.pipeline\.ya?ml$/i, '')} (DAG)`;
}

/** One pipeline file's panel: loads its source's status when the webview is ready and whenever the source changes. */
class PipelineDagPanel extends WebviewPanelHost<HostToPipelineDag, PipelineDagToHost, PipelineDagReport> {
  private refreshTimer?: NodeJS.Timeout;
  private loading?: Promise<void>;
  private reloadAfter = false;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly file: vscode.Uri,
    private readonly source: PipelineDagSource,
    workbench: Workbench,
  ) {
    super(panel, extensionUri, workbench, { name: 'pipelineDag', title: titleOf(file), what: 'pipeline DAG panel' });
    this.disposables.push(source.onDidChange(() => this.refreshSoon()));
  }

  protected messageSchema() {
    return pipelineDagSchemas().pipelineDagToHost;
  }

  protected onFailure(message: string): void {
    this.post({ type: 'error', file: this.file.fsPath, label: this.source.label, message });
  }

  protected async handle(m: PipelineDagToHost): Promise<void> {
    if (m.type === 'ready') return this.refresh();
    if (m.type === 'rendered') return this.reported(m.report);
    const action = dagCommandFor(m, this.file.fsPath);
    if (!action) return;
    await this.runAction(action);
  }

  /** Changes come in bursts (a run's steps start and end together): one load per burst. */
  private refreshSoon(): void {
    if (!this.webviewReady || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  /** One load at a time; a change during a load loads once more after it, so the last answer shown is the newest. */
  private refresh(): void {
    if (this.loading) {
      this.reloadAfter = true;
      return;
    }
    this.loading = this.load().finally(() => {
      this.loading = undefined;
      if (this.reloadAfter && !this.disposed) {
        this.reloadAfter = false;
        this.refresh();
      }
    });
  }

  private async load(): Promise<void> {
    let result: PipelineStatusResponse | { error: string };
    try {
      result = await this.source.load();
    } catch (err) {
      result = { error: (err as Error).message };
    }
    if ('error' in result) {
      this.log(`${this.source.label}: ${result.error}`);
      this.post({ type: 'error', file: this.file.fsPath, label: this.source.label, message: result.error });
    } else {
      this.post({ type: 'status', file: this.file.fsPath, label: this.source.label, status: result });
    }
  }

  override dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    super.dispose();
  }
}
