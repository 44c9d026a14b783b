import * as vscode from 'vscode';
import type { ChangeEvent, ModelSummary, ModelsResponse } from '../../protocol/native';
import type { HostToModelPanel, ModelPanelReport, ModelPanelToHost, RunLineage } from '../../protocol/modelPanelMessages';
import { modelPanelSchemas } from '../lazySchemas';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import { connected, restoringSerializer } from './panelBackend';
import type { Workbench } from '../workbench';
import { webviewOptions } from './webviewHtml';
import { WebviewPanelHost } from './webviewPanelHost';

const VIEW_TYPE = 'mlops.model';
const LIVE_DEBOUNCE_MS = 400;

/**
 * Registers "MLOps: Open Model" (mlops.openModel): one registry panel per model
 * (opening an open one reveals it), restored after a reload. The command takes a
 * Models-view node, a model name or `{ name, version? }`, and resolves with the
 * panel's report once the webview has drawn (tests read it).
 */
export function registerModelPanel(context: vscode.ExtensionContext, workbench: Workbench): void {
  const panels = new Set<ModelPanel>();
  const find = (name: string) => [...panels].find((p) => p.modelName === name);
  const track = (p: ModelPanel) => {
    panels.add(p);
    p.onDispose(() => panels.delete(p));
    return p;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.openModel', async (arg?: unknown): Promise<ModelPanelReport | undefined> => {
      const target = modelTarget(arg) ?? (await pickModel(workbench));
      if (!target) return undefined;
      const backend = target.backend ?? workbench.current();
      if (!backend) return void vscode.window.showInformationMessage('MLOps: open a folder with an MLOps backend to see its models.');
      let panel = find(target.name);
      if (panel) panel.panel.reveal(undefined, false);
      else {
        const webviewPanel = vscode.window.createWebviewPanel(VIEW_TYPE, `Model ${target.name}`, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
        panel = track(new ModelPanel(webviewPanel, context.extensionUri, backend, target.name, workbench));
      }
      if (target.version) panel.select(target.version);
      return panel.report(!!target.version);
    }),
    vscode.window.registerWebviewPanelSerializer(
      VIEW_TYPE,
      restoringSerializer(
        context.extensionUri,
        workbench,
        (state) => modelPanelSchemas().modelPanelState.safeParse(state).data,
        (webviewPanel, backend, state) => track(new ModelPanel(webviewPanel, context.extensionUri, backend, state.modelName, workbench)),
      ),
    ),
    // Test hook (not in the palette): the last report of a model's panel.
    vscode.commands.registerCommand('_mlops.modelPanel.report', (name: string) => find(name)?.lastReport),
    { dispose: () => [...panels].forEach((p) => p.panel.dispose()) },
  );
}

function modelTarget(arg: unknown): { name: string; version?: string; backend?: WorkspaceBackend } | undefined {
  if (typeof arg === 'string' && arg) return { name: arg };
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as { kind?: string; backend?: WorkspaceBackend; model?: ModelSummary; version?: unknown; name?: unknown };
  if ((node.kind === 'model' || node.kind === 'version') && node.model) {
    const version = node.kind === 'version' ? (node.version as { version: string }).version : undefined;
    return { name: node.model.name, version, backend: node.backend };
  }
  if (typeof node.name === 'string' && node.name) return { name: node.name, version: node.version === undefined ? undefined : String(node.version) };
  return undefined;
}

async function pickModel(workbench: Workbench): Promise<{ name: string; version?: string; backend: WorkspaceBackend } | undefined> {
  const backend = workbench.current();
  if (!backend) return undefined;
  try {
    const { models } = await backend.request<ModelsResponse>('GET', '/api/v1/models');
    if (models.length === 0) return void vscode.window.showInformationMessage('MLOps: no registered models yet. Right-click an .onnx file → Register Model….');
    const picked = await vscode.window.showQuickPick(
      models.map((m) => ({ label: m.name, description: `${m.versions.length} versions${Object.keys(m.aliases).length ? ` · ${Object.keys(m.aliases).map((a) => `@${a}`).join(' ')}` : ''}` })),
      { title: 'Open Model' },
    );
    return picked && { name: picked.label, backend };
  } catch (err) {
    void vscode.window.showErrorMessage(`MLOps: could not list models: ${(err as Error).message}`);
    return undefined;
  }
}

interface RunJson {
  info: { run_id: string; run_name?: string; experiment_id: string };
  data: { params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
  inputs?: { dataset_inputs?: { tags?: { key: string; value: string }[]; dataset: { name: string; digest: string; source?: string } }[] };
}

/** What the lineage section shows of a source run: params, code version, inputs. */
async function loadLineage(backend: WorkspaceBackend, runId: string, experiments: Map<string, Promise<string>>): Promise<RunLineage | undefined> {
  try {
    const { run } = await backend.request<{ run: RunJson }>('GET', `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`);
    const expId = run.info.experiment_id;
    if (!experiments.has(expId)) {
      experiments.set(
        expId,
        backend.request<{ experiment: { name: string } }>('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${encodeURIComponent(expId)}`).then((r) => r.experiment.name, () => expId),
      );
    }
    const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
    // `mlops run` records its argv as JSON; a pipeline step its shell command as written.
    const recorded = tags['mlops.command'];
    let command: string | null = recorded ?? null;
    try {
      const parsed = JSON.parse(recorded ?? '') as unknown;
      if (Array.isArray(parsed)) command = parsed.join(' ');
    } catch {
      /* a shell command, as it is */
    }
    return {
      runId,
      runName: run.info.run_name ?? runId,
      experimentName: await experiments.get(expId)!,
      params: Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value])),
      gitCommit: tags['mlflow.source.git.commit'] ?? null,
      gitBranch: tags['mlflow.source.git.branch'] ?? null,
      gitDirty: tags['mlops.git.dirty'] === 'true',
      command,
      datasets: (run.inputs?.dataset_inputs ?? []).map((d) => ({
        name: d.dataset.name,
        digest: d.dataset.digest,
        source: d.dataset.source ?? '',
        context: d.tags?.find((t) => t.key === 'mlflow.data.context')?.value ?? null,
      })),
    };
  } catch {
    return undefined; // a purged run: the version says so
  }
}

/** One model's registry panel: loads the model and its versions' lineage and keeps them live. */
class ModelPanel extends WebviewPanelHost<HostToModelPanel, ModelPanelToHost, ModelPanelReport> {
  private refreshTimer?: NodeJS.Timeout;
  private pendingSelect?: string;
  private sourceRuns = new Set<string>();

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly backend: WorkspaceBackend,
    readonly modelName: string,
    workbench: Workbench,
  ) {
    super(panel, extensionUri, workbench, { name: 'model', title: `Model ${modelName}`, what: 'model panel' });
    this.disposables.push(backend.onDidChange((e) => this.onChange(e)));
  }

  select(version: string): void {
    if (this.webviewReady) this.post({ type: 'select', version });
    else this.pendingSelect = version;
  }

  protected messageSchema() {
    return modelPanelSchemas().modelPanelToHost;
  }

  protected onFailure(message: string): void {
    this.post({ type: 'error', message });
  }

  protected async handle(m: ModelPanelToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        // Before the model: the webview then draws the requested version first.
        if (this.pendingSelect) this.post({ type: 'select', version: this.pendingSelect });
        this.pendingSelect = undefined;
        await this.load();
        break;
      case 'openRun':
        await vscode.commands.executeCommand('mlops.openRun', m.runId);
        break;
      case 'compare':
        await vscode.commands.executeCommand('mlops.compareRuns', { runIds: m.runIds });
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        void vscode.window.setStatusBarMessage(`Copied ${m.text}`, 2000);
        break;
      case 'action': {
        const command = { setAlias: 'mlops.setModelAlias', promote: 'mlops.promoteModel', reveal: 'mlops.revealModelFile', delete: 'mlops.deleteModelVersion' }[m.action];
        await vscode.commands.executeCommand(command, { name: this.modelName, version: m.version });
        break;
      }
      case 'rendered':
        this.reported(m.report);
        break;
    }
  }

  private async load(): Promise<void> {
    try {
      await connected(this.backend);
      const { models } = await this.backend.request<ModelsResponse>('GET', `/api/v1/models?name=${encodeURIComponent(this.modelName)}`);
      const model = models[0];
      if (!model) throw new Error(`There is no registered model named ${this.modelName} (any more).`);
      const runIds = [...new Set(model.versions.flatMap((v) => (v.runId ? [v.runId] : [])))];
      this.sourceRuns = new Set(runIds);
      const experiments = new Map<string, Promise<string>>();
      const lineage = await Promise.all(runIds.map((id) => loadLineage(this.backend, id, experiments)));
      this.post({ type: 'model', model, lineage: Object.fromEntries(lineage.flatMap((l) => (l ? [[l.runId, l]] : []))) });
    } catch (err) {
      const message = (err as Error).message;
      this.log(message);
      this.post({ type: 'error', message });
      this.releaseReportWaiters();
    }
  }

  private onChange(e: ChangeEvent): void {
    if (!this.webviewReady) return;
    const ours = ((e.kind === 'model' || e.kind === 'model_version') && e.modelName === this.modelName) || e.kind === 'resync' || (!!e.runId && this.sourceRuns.has(e.runId));
    if (!ours || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.load();
    }, LIVE_DEBOUNCE_MS);
  }

  override dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    super.dispose();
  }
}
