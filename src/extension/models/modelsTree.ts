import * as vscode from 'vscode';
import type { ModelSummary, ModelVersionSummary, ModelsResponse } from '../../protocol/native';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import { versionTooltip } from './modelPresentation';
import { versionDescription } from './versionRowText';
import { backendStateMessage, messageItem, SHOW_LOG, type MessageNode } from '../views/treeMessages';

export type ModelsNode =
  | { kind: 'folder'; backend: WorkspaceBackend }
  | { kind: 'model'; backend: WorkspaceBackend; model: ModelSummary }
  | { kind: 'version'; backend: WorkspaceBackend; model: ModelSummary; version: ModelVersionSummary }
  | MessageNode;

/**
 * Registered models, then their versions (newest first) with alias badges, live
 * from the backends' event streams ('model' and 'model_version' changes), one
 * GET /api/v1/models per refresh and backend.
 */
export class ModelsTree implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<WorkspaceBackend, { asked: number; listed: Promise<ModelSummary[] | Error> }>();
  private refreshTimer?: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly watched = new Set<WorkspaceBackend>();

  /** A version's row says how long ago it was registered ("3h ago"): redrawn each minute from the models held (no request). */
  private readonly clock = setInterval(() => this.changed.fire(undefined), 60_000);

  constructor(private readonly workbench: Workbench) {}

  watch(backend: WorkspaceBackend): void {
    if (this.watched.has(backend)) return;
    this.watched.add(backend);
    this.subscriptions.push(
      backend.onDidChangeState(() => this.refreshSoon()),
      backend.onDidChange((e) => {
        // Source runs' names and metrics show in the view too.
        if (e.kind === 'model' || e.kind === 'model_version' || e.kind === 'resync' || (e.runId && this.isSourceRun(backend, e.runId))) this.refreshSoon();
      }),
    );
    this.refreshSoon();
  }

  refreshSoon(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.cache.clear();
      this.changed.fire(undefined);
    }, 300);
  }

  /**
   * The models of a backend as last listed (fetching them if needed). `askedSince`: a
   * listing asked for before then is not fresh enough (a change seen since may be missing
   * from it). The view and the alias move notifier share the listing: one request per change.
   */
  async models(backend: WorkspaceBackend, askedSince = 0): Promise<ModelSummary[]> {
    const listed = await this.load(backend, askedSince);
    if (listed instanceof Error) throw listed;
    return listed;
  }

  private sourceRuns = new WeakMap<WorkspaceBackend, Set<string>>();
  private isSourceRun(backend: WorkspaceBackend, runId: string): boolean {
    return this.sourceRuns.get(backend)?.has(runId) ?? false;
  }

  private load(backend: WorkspaceBackend, askedSince = 0): Promise<ModelSummary[] | Error> {
    const cached = this.cache.get(backend);
    if (cached && cached.asked >= askedSince) return cached.listed;
    const asked = Date.now();
    const listed = backend.request<ModelsResponse>('GET', '/api/v1/models').then(
      (res) => {
        this.sourceRuns.set(backend, new Set(res.models.flatMap((m) => m.versions.flatMap((v) => (v.runId ? [v.runId] : [])))));
        return res.models;
      },
      (err: Error) => err,
    );
    this.cache.set(backend, { asked, listed });
    return listed;
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.backend.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = vscode.ThemeIcon.Folder;
        return item;
      }
      case 'model': {
        const { model } = node;
        const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.backend.folder.uri}#model:${model.name}`;
        item.iconPath = new vscode.ThemeIcon('package');
        const n = model.versions.length;
        const aliases = Object.keys(model.aliases).map((a) => `@${a}`);
        item.description = `${n} version${n === 1 ? '' : 's'}`; // aliases show on their versions
        item.tooltip = new vscode.MarkdownString(`**${model.name}**${model.description ? `\n\n${model.description}` : ''}\n\n${n} version${n === 1 ? '' : 's'}${aliases.length ? `; aliases ${aliases.join(', ')}` : ''}`);
        item.contextValue = 'mlops.model';
        item.command = { command: 'mlops.openModel', title: 'Open Model', arguments: [node] };
        return item;
      }
      case 'version': {
        const { version: v } = node;
        const item = new vscode.TreeItem(`v${v.version}`, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.backend.folder.uri}#model:${node.model.name}/${v.version}`;
        item.description = versionDescription(v);
        item.tooltip = versionTooltip(node.model.name, v);
        const champion = v.aliases.includes('champion');
        item.iconPath = new vscode.ThemeIcon(
          v.status === 'FAILED_REGISTRATION' ? 'error' : champion ? 'star-full' : v.aliases.length ? 'tag' : 'circle-outline',
          champion ? new vscode.ThemeColor('charts.yellow') : undefined,
        );
        item.contextValue = `mlops.modelVersion${v.aliases.length ? '.aliased' : ''}${v.runId ? '.withRun' : ''}`;
        item.command = { command: 'mlops.openModel', title: 'Open Model', arguments: [node] };
        item.accessibilityInformation = { label: `${node.model.name} version ${v.version}${v.aliases.length ? `, aliases ${v.aliases.join(', ')}` : ''}` };
        return item;
      }
      case 'message':
        return messageItem(node);
    }
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      const backends = this.workbench.all();
      if (backends.length === 0) return [];
      if (backends.length > 1) return backends.map((backend) => ({ kind: 'folder', backend }));
      return this.modelsOf(backends[0]);
    }
    if (node.kind === 'folder') return this.modelsOf(node.backend);
    if (node.kind === 'model') return node.model.versions.map((version) => ({ kind: 'version', backend: node.backend, model: node.model, version }));
    return [];
  }

  getParent(node: ModelsNode): ModelsNode | undefined {
    if (node.kind === 'version') return { kind: 'model', backend: node.backend, model: node.model };
    return undefined;
  }

  private async modelsOf(backend: WorkspaceBackend): Promise<ModelsNode[]> {
    const notConnected = backendStateMessage(backend);
    if (notConnected) return [notConnected];
    const listed = await this.load(backend);
    if (listed instanceof Error) {
      return [{ kind: 'message', text: `Could not load models: ${listed.message}`, icon: 'warning', command: SHOW_LOG }];
    }
    return listed.map((model) => ({ kind: 'model', backend, model }));
  }

  /** The view's node for a model, or one of its versions, as the view lists it. */
  async find(name: string, version?: string): Promise<ModelsNode | undefined> {
    const visit = async (under?: ModelsNode): Promise<ModelsNode | undefined> => {
      for (const child of await this.getChildren(under)) {
        if (child.kind === 'model' && child.model.name === name) {
          if (version === undefined) return child;
          return (await this.getChildren(child)).find((c) => c.kind === 'version' && c.version.version === version);
        }
        if (child.kind === 'folder') {
          const found = await visit(child);
          if (found) return found;
        }
      }
      return undefined;
    };
    return visit();
  }

  dispose(): void {
    clearInterval(this.clock);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
