import * as vscode from 'vscode';
import type { PipelineStatusResponse, PipelineStepStatus } from '../../protocol/pipelineApi';
import { messageItem, SHOW_LOG, type MessageNode } from '../views/treeMessages';
import type { PipelinesModel, StatusOrProblem } from './pipelinesModel';
import { pipelineIcon, pipelineTooltip, stepIcon, stepTooltip } from './pipelinePresentation';
import { pipelineDescription, stepDescription } from './pipelineRowText';

export type PipelinesNode =
  | { kind: 'pipeline'; uri: vscode.Uri; status: StatusOrProblem }
  | { kind: 'step'; uri: vscode.Uri; pipeline: PipelineStatusResponse; step: PipelineStepStatus }
  | MessageNode;

export interface PipelinesRow {
  label: string;
  description: string;
  icon: string;
  contextValue: string;
  /** The tooltip's text (markdown). */
  tooltip: string;
  node: PipelinesNode;
  children?: PipelinesRow[];
}

/** Pipeline files, then their steps in file order, as the backend's status reports them. */
export class PipelinesTree implements vscode.TreeDataProvider<PipelinesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PipelinesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /**
   * While a pipeline runs, its rows' "running 12s" count up, and a pipeline's row
   * says how long ago it ran ("2h ago"): redrawn each second while one runs, else
   * each minute, from the statuses held (no request).
   */
  private readonly ticker: NodeJS.Timeout;
  private anyRunning = false;
  private ticks = 0;

  constructor(private readonly model: PipelinesModel) {
    // A file's row carries its status (icon, description), so any change relists the roots; statuses not dropped are cached.
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
    this.ticker = setInterval(() => {
      this.ticks = (this.ticks + 1) % 60;
      if (this.anyRunning || this.ticks === 0) this.changed.fire(undefined);
    }, 1000);
  }

  async getChildren(node?: PipelinesNode): Promise<PipelinesNode[]> {
    if (!node) {
      const files = await this.model.listFiles();
      const nodes = await Promise.all(files.map(async (uri) => ({ kind: 'pipeline' as const, uri, status: await this.model.status(uri) })));
      this.anyRunning = nodes.some((n) => !('problem' in n.status) && n.status.lastRun?.status === 'RUNNING');
      return nodes;
    }
    if (node.kind !== 'pipeline') return [];
    const status = node.status;
    if ('problem' in status) {
      return [{ kind: 'message', text: `Cannot show the steps: ${status.problem}`, icon: 'warning', command: status.backend ? SHOW_LOG : undefined }];
    }
    if (status.diagnostics.length) {
      const d = status.diagnostics[0];
      const more = status.diagnostics.length > 1 ? ` (and ${status.diagnostics.length - 1} more)` : '';
      return [
        {
          kind: 'message',
          text: `Line ${d.line}: ${d.message}${more}`,
          icon: 'error',
          command: { command: 'vscode.open', title: 'Open', arguments: [node.uri, { selection: new vscode.Range(d.line - 1, d.column - 1, d.endLine - 1, d.endColumn - 1) }] },
        },
      ];
    }
    if (!status.steps.length) return [{ kind: 'message', text: 'No steps yet: add one under "steps:"', icon: 'info' }];
    return status.steps.map((step) => ({ kind: 'step', uri: node.uri, pipeline: status, step }));
  }

  getTreeItem(node: PipelinesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message':
        return messageItem(node);
      case 'pipeline': {
        const rel = vscode.workspace.asRelativePath(node.uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
        const status = node.status;
        // Until the backend names it, a file goes by its name without the suffix (the path is the description).
        const name = 'problem' in status ? rel.split('/').pop()!.replace(/\.pipeline\.ya?ml$/, '') : status.name;
        const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `pipeline:${node.uri.toString()}`;
        item.resourceUri = node.uri;
        if ('problem' in status) {
          item.description = rel;
          item.iconPath = new vscode.ThemeIcon('type-hierarchy');
        } else {
          item.description = pipelineDescription(status, rel);
          item.iconPath = pipelineIcon(status);
          item.tooltip = pipelineTooltip(status, rel);
        }
        item.contextValue = !('problem' in status) && status.lastRun?.status === 'RUNNING' ? 'mlopsPipelineRunning' : 'mlopsPipeline';
        return item;
      }
      case 'step': {
        const item = new vscode.TreeItem(node.step.name, vscode.TreeItemCollapsibleState.None);
        item.id = `step:${node.uri.toString()}#${node.step.name}`;
        item.description = stepDescription(node.step);
        item.iconPath = stepIcon(node.step);
        item.tooltip = stepTooltip(node.step);
        item.contextValue = node.step.last?.runId ? 'mlopsPipelineStepWithRun' : 'mlopsPipelineStep';
        item.command = { command: 'mlops.pipelines.revealStep', title: 'Go to Step', arguments: [{ file: node.uri.fsPath, step: node.step.name }] };
        return item;
      }
    }
  }

  /** The view as rendered, two levels deep (tests read it; it is what a person sees). */
  async snapshot(): Promise<PipelinesRow[]> {
    const row = (node: PipelinesNode): PipelinesRow => {
      const item = this.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : (item.tooltip ?? '');
      return { label, description: typeof item.description === 'string' ? item.description : '', icon: (item.iconPath as vscode.ThemeIcon | undefined)?.id ?? '', contextValue: item.contextValue ?? '', tooltip, node };
    };
    const roots = await this.getChildren();
    return Promise.all(roots.map(async (r) => ({ ...row(r), children: (await this.getChildren(r)).map(row) })));
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
