import * as vscode from 'vscode';
import type { DeploymentEvent, DeploymentState } from '../../protocol/deployments';
import { deploymentLatency } from '../../protocol/deploymentLatency';
import { formatDuration } from '../../protocol/displayFormat';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import { backendStateMessage, messageItem, SHOW_LOG, type MessageNode } from '../views/treeMessages';

export type DeploymentsNode =
  | { kind: 'deployment'; backend: WorkspaceBackend; deployment: DeploymentState }
  | { kind: 'variant'; backend: WorkspaceBackend; deployment: DeploymentState; variant: DeploymentState['variants'][number] }
  | MessageNode;

/** A row of the view as rendered (tests read the view through it). */
export interface DeploymentsRow {
  label: string;
  description: string;
  /** The ThemeIcon's id, e.g. "warning" while the deployment drifts. */
  icon: string;
  contextValue: string;
  children: DeploymentsRow[];
}

/**
 * The workspace's deployments: status, URL, variants and split, request rate,
 * latency and drift. Deployments live in the backend's memory (not the store): the
 * view lists them once, then follows the backend's deployment events (a state
 * change, stats every 2 s, a drift verdict), so nothing polls.
 */
export class DeploymentsTree implements vscode.TreeDataProvider<DeploymentsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DeploymentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Per deployment (folder#name): the request count last seen, and the rate since the poll before. */
  private readonly traffic = new Map<string, { at: number; requests: number; rate?: number }>();
  /** Per backend (folder URI): its deployments by name, as last listed or reported by an event. */
  private readonly known = new Map<string, Map<string, DeploymentState>>();
  private pendingFire?: NodeJS.Timeout;

  constructor(private readonly workbench: Workbench) {}

  /** A deployment event: the view updates from its state (coalesced, so many deployments cost one redraw). */
  apply(backend: WorkspaceBackend, event: DeploymentEvent): void {
    const known = this.known.get(backend.folder.uri.toString());
    if (known) {
      if (event.kind === 'removed' || !event.deployment) known.delete(event.name);
      else known.set(event.name, event.deployment);
    }
    this.pendingFire ??= setTimeout(() => {
      this.pendingFire = undefined;
      this.changed.fire(undefined);
    }, 100);
  }

  /** Lists every deployment again (after a command, or when the backend reconnects). */
  refresh(): void {
    this.known.clear();
    this.changed.fire(undefined);
  }

  async deployments(backend: WorkspaceBackend): Promise<DeploymentState[]> {
    const { deployments } = await backend.request<{ deployments: DeploymentState[] }>('GET', '/api/v1/deployments');
    this.known.set(backend.folder.uri.toString(), new Map(deployments.map((d) => [d.name, d])));
    return deployments;
  }

  /** What the view shows: the last listing kept current by events, else a fresh listing. */
  private async current(backend: WorkspaceBackend): Promise<DeploymentState[]> {
    const known = this.known.get(backend.folder.uri.toString());
    return known ? [...known.values()] : this.deployments(backend);
  }

  async getChildren(node?: DeploymentsNode): Promise<DeploymentsNode[]> {
    if (!node) {
      const out: DeploymentsNode[] = [];
      for (const backend of this.workbench.all()) {
        const message = backendStateMessage(backend);
        if (message) {
          out.push(message);
          continue;
        }
        try {
          for (const deployment of await this.current(backend)) {
            this.noteRate(backend, deployment);
            out.push({ kind: 'deployment', backend, deployment });
          }
        } catch (err) {
          out.push({ kind: 'message', text: `Could not list deployments: ${(err as Error).message}`, icon: 'warning', command: SHOW_LOG });
        }
      }
      return out;
    }
    if (node.kind !== 'deployment') return [];
    return node.deployment.variants.map((variant) => ({ kind: 'variant', backend: node.backend, deployment: node.deployment, variant }));
  }

  getTreeItem(node: DeploymentsNode): vscode.TreeItem {
    if (node.kind === 'message') return messageItem(node);
    if (node.kind === 'variant') {
      const { variant, deployment } = node;
      // The version in the label, the model's name (as long as it may be) after the split: a narrow sidebar cuts the end.
      const item = new vscode.TreeItem(`${variant.name} v${variant.version}`, vscode.TreeItemCollapsibleState.None);
      const split = deployment.spec.shadow ? (variant.name === 'challenger' ? 'shadow (gets a copy)' : 'answers') : deployment.variants.length > 1 ? `${variant.weight}%` : '';
      item.description = [split, variant.model].filter(Boolean).join(' · ');
      item.tooltip = `${variant.modelUri} → ${variant.model} version ${variant.version}`;
      item.iconPath = new vscode.ThemeIcon(variant.name === 'champion' ? 'star-full' : 'beaker');
      return item;
    }
    const d = node.deployment;
    const item = new vscode.TreeItem(d.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `${node.backend.folder.uri}#deployment:${d.name}`;
    const drifting = d.status === 'running' && d.monitoring?.status === 'drift';
    item.iconPath = drifting ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : statusIcon(d.status);
    // The drift verdict first, then the traffic and the URL: a 290 px sidebar shows about 30 characters of the row.
    // A running deployment's status is its icon (and the tooltip's); any other status is said first.
    item.description = [d.status === 'running' ? '' : d.status, describeDrift(d), this.describeTraffic(node.backend, d), d.url ?? ''].filter(Boolean).join(' · ');
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${d.name}** · ${d.status}${d.restarts ? ` · restarted ${d.restarts}×` : ''}\n\n`);
    if (d.url) tip.appendMarkdown(`${d.url}\n\n`);
    if (d.lastError) tip.appendMarkdown(`Last problem: ${d.lastError}\n\n`);
    tip.appendMarkdown(d.spec.auth ? `Requests need its serving token (\`mlops deployments token ${d.name}\`).` : '**No token needed** (`--no-auth`); web pages are refused.');
    if (d.monitoring) {
      const m = d.monitoring;
      tip.appendMarkdown(`\n\nMonitoring: **${m.status}**${m.driftedFeatures.length ? ` (drifted: ${m.driftedFeatures.join(', ')})` : ''}${m.message ? `. ${m.message}` : ''}`);
      if (d.spec.monitoring?.onDrift) tip.appendMarkdown(`\n\nOn drift runs \`${d.spec.monitoring.onDrift}\` (at most every ${d.spec.monitoring.cooldownMinutes} min).`);
    }
    item.tooltip = tip;
    item.contextValue = `mlops.deployment.${d.status}`;
    return item;
  }

  private describeTraffic(backend: WorkspaceBackend, d: DeploymentState): string {
    const s = d.stats;
    if (!s) return '';
    const rate = this.traffic.get(trafficKey(backend, d))?.rate;
    const parts = [rate !== undefined ? `${rate < 10 ? rate.toFixed(1) : Math.round(rate)} req/s` : `${s.requests} requests`];
    // The last known latency once traffic stops (as mlops deployments list shows it), with how long ago.
    const now = Date.now();
    const latency = deploymentLatency(d, now);
    if (latency) parts.push(`p50 ${latency.p50Ms.toFixed(2)} ms`, `p99 ${latency.p99Ms.toFixed(2)} ms${latency.idleMs === null ? '' : ` (idle ${formatDuration(now - latency.idleMs, null, now)})`}`);
    if (s.errors) parts.push(`${s.errors} errors`);
    return parts.join(', ');
  }

  private noteRate(backend: WorkspaceBackend, d: DeploymentState): void {
    if (!d.stats) return;
    const key = trafficKey(backend, d);
    const now = Date.now();
    const prev = this.traffic.get(key);
    const rate = prev && now > prev.at ? Math.max(0, ((d.stats.requests - prev.requests) * 1000) / (now - prev.at)) : prev?.rate;
    this.traffic.set(key, { at: now, requests: d.stats.requests, rate });
  }

  /** What the view shows now: each deployment's row with its variants' rows. */
  async snapshot(): Promise<DeploymentsRow[]> {
    const row = (node: DeploymentsNode, children: DeploymentsRow[] = []): DeploymentsRow => {
      const item = this.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '';
      return { label, description: typeof item.description === 'string' ? item.description : '', icon, contextValue: item.contextValue ?? '', children };
    };
    const roots = await this.getChildren();
    return Promise.all(roots.map(async (r) => row(r, (await this.getChildren(r)).map((c) => row(c)))));
  }

  dispose(): void {
    if (this.pendingFire) clearTimeout(this.pendingFire);
    this.changed.dispose();
  }
}

/** "drift in 3 features", "no drift", "drift needs 40 more requests", "monitoring off" (with why in the tooltip): the number early, where a narrow sidebar still shows it. */
function describeDrift(d: DeploymentState): string {
  const m = d.monitoring;
  if (!m || d.status !== 'running') return '';
  switch (m.status) {
    case 'drift':
      return `drift in ${m.driftedFeatures.length} feature${m.driftedFeatures.length === 1 ? '' : 's'}`;
    case 'ok':
      return 'no drift';
    case 'waiting': {
      const spec = d.spec.monitoring;
      const needed = spec ? Math.min(spec.minRows, spec.window.rows) - m.windowRows : undefined;
      return needed !== undefined && needed > 0 ? `drift needs ${needed} more request${needed === 1 ? '' : 's'}` : `drift needs requests (${m.windowRows} so far)`;
    }
    case 'loading':
      return 'loading the reference';
    case 'error':
      return 'monitoring error';
    default:
      return 'monitoring off';
  }
}

const trafficKey = (backend: WorkspaceBackend, d: DeploymentState) => `${backend.folder.uri.toString()}#${d.name}`;

function statusIcon(status: DeploymentState['status']): vscode.ThemeIcon {
  switch (status) {
    case 'running':
      return new vscode.ThemeIcon('broadcast', new vscode.ThemeColor('testing.iconPassed'));
    case 'starting':
    case 'restarting':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.yellow'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    default:
      return new vscode.ThemeIcon('debug-stop');
  }
}
