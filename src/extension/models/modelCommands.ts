import * as vscode from 'vscode';
import type { ModelSummary, ModelVersionSummary } from '../../protocol/native';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import { downloadVersion } from './modelFiles';
import type { ModelsNode, ModelsTree } from './modelsTree';
import { pickOrType } from './quickInput';
import { registerModel, type RegisterOptions } from './registerModel';
import { aliasProblem, compareMetric, metricChoices, metricDirection, type Direction, type Verdict } from './registryChoices';

type VersionNode = Extract<ModelsNode, { kind: 'version' }>;
type ModelNode = Extract<ModelsNode, { kind: 'model' }>;

/** A version as the panel names it: `{ name, version }`, resolved against the backend's models. */
export interface VersionRef {
  name: string;
  version: string;
}

/** Options that let callers (the registry panel, tests) skip prompts. */
export interface PromoteOptions {
  metric?: string;
  direction?: Direction;
  /** false: move the alias without the confirmation dialog. */
  confirm?: boolean;
}

export interface PromoteResult {
  promoted: boolean;
  previousChampion: string | null;
  verdict: Verdict | null;
}

const CHAMPION = 'champion';

/** Every Models-view command. Each reports failures as notifications and never throws. */
export function registerModelCommands(context: vscode.ExtensionContext, workbench: Workbench, tree: ModelsTree, view: vscode.TreeView<ModelsNode>): void {
  const register = (id: string, fn: (...args: any[]) => Promise<unknown>) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          void vscode.window.showErrorMessage(`MLOps: ${(err as Error).message}`);
          return undefined;
        }
      }),
    );

  /** The version a command acts on: the clicked node, `{name, version}`, or the selection. */
  const versionOf = async (arg: unknown): Promise<VersionNode | undefined> => {
    const node = arg ?? view.selection[0];
    if (isNode(node) && node.kind === 'version') return node;
    if (node && typeof node === 'object' && typeof (node as VersionRef).name === 'string' && (node as VersionRef).version !== undefined) {
      const ref = node as VersionRef;
      const found = await tree.find(ref.name, String(ref.version));
      if (found?.kind === 'version') return found;
      throw new Error(`no version ${ref.version} of model ${ref.name}.`);
    }
    void vscode.window.showInformationMessage('MLOps: select a model version in the Models view first.');
    return undefined;
  };
  const modelOf = async (arg: unknown): Promise<ModelNode | undefined> => {
    const node = arg ?? view.selection[0];
    if (isNode(node) && (node.kind === 'model' || node.kind === 'version')) return { kind: 'model', backend: node.backend, model: node.model };
    if (node && typeof node === 'object' && typeof (node as { name?: unknown }).name === 'string') {
      const found = await tree.find((node as { name: string }).name);
      if (found?.kind === 'model') return found;
    }
    void vscode.window.showInformationMessage('MLOps: select a model in the Models view first.');
    return undefined;
  };

  register('mlops.refreshModels', async () => tree.refreshSoon());

  register('mlops.registerModel', async (arg?: unknown, second?: unknown) => {
    // From the explorer: (uri, [uris]); from the run detail panel: ({ runId, path }); tests add options.
    const options = (second && typeof second === 'object' && !Array.isArray(second) ? second : {}) as RegisterOptions;
    if (arg instanceof vscode.Uri) return registerModel(workbench, context.extensionPath, { kind: 'local', uri: arg }, options);
    if (arg && typeof arg === 'object' && typeof (arg as { runId?: unknown }).runId === 'string') {
      const { runId, path } = arg as { runId: string; path: string };
      return registerModel(workbench, context.extensionPath, { kind: 'run', runId, path }, options);
    }
    return registerModel(workbench, context.extensionPath, undefined, options);
  });

  register('mlops.setModelAlias', async (arg?: unknown, options?: { alias?: string }) => {
    const node = await versionOf(arg);
    if (!node) return undefined;
    const { model, version } = node;
    const alias =
      options?.alias ??
      (await pickOrType({
        title: `Set an alias on ${model.name} v${version.version}`,
        placeholder: 'Pick an alias to move here, or type a new one (letters, digits, _ and -)',
        items: Object.entries(model.aliases)
          .filter(([, v]) => v !== version.version)
          .map(([a, v]) => ({ label: a, description: `now on v${v}` })),
        newItem: (value) => `$(add) New alias "@${value}"`,
        validate: aliasProblem,
      }));
    if (alias === undefined) return undefined;
    const problem = aliasProblem(alias);
    if (problem) throw new Error(problem);
    await setAlias(node.backend, model.name, alias, version.version);
    void vscode.window.setStatusBarMessage(`${model.name}@${alias} → v${version.version}`, 3000);
    return { alias, version: version.version };
  });

  register('mlops.removeModelAlias', async (arg?: unknown, options?: { alias?: string }) => {
    const node = await versionOf(arg);
    if (!node) return undefined;
    const aliases = node.version.aliases;
    if (aliases.length === 0) return void vscode.window.showInformationMessage(`MLOps: v${node.version.version} of ${node.model.name} has no alias.`);
    const alias = options?.alias ?? (aliases.length === 1 ? aliases[0] : await vscode.window.showQuickPick(aliases, { title: `Remove an alias of ${node.model.name} v${node.version.version}` }));
    if (!alias) return undefined;
    await node.backend.request('DELETE', '/api/2.0/mlflow/registered-models/alias', { name: node.model.name, alias });
    void vscode.window.setStatusBarMessage(`Removed ${node.model.name}@${alias}`, 3000);
    return alias;
  });

  register('mlops.promoteModel', async (arg?: unknown, options: PromoteOptions = {}) => {
    const node = await versionOf(arg);
    return node && promote(node, options);
  });

  register('mlops.compareModelVersions', async (arg?: unknown, selected?: unknown) => {
    const nodes = (Array.isArray(selected) && selected.length > 0 ? selected : arg ? [arg] : view.selection).filter(isNode);
    const runIds = new Set<string>();
    for (const n of nodes) {
      if (n.kind === 'version' && n.version.runId) runIds.add(n.version.runId);
      if (n.kind === 'model') for (const v of n.model.versions) if (v.runId) runIds.add(v.runId);
    }
    // One version alone: compare it with the champion, as a reviewer would.
    const one = nodes.length === 1 && nodes[0].kind === 'version' ? nodes[0] : undefined;
    const championVersion = one?.model.aliases[CHAMPION];
    const champion = championVersion && one ? one.model.versions.find((v) => v.version === championVersion) : undefined;
    if (champion?.runId) runIds.add(champion.runId);
    if (runIds.size === 0) return void vscode.window.showInformationMessage('MLOps: these versions have no source runs to compare (they were registered from files).');
    return vscode.commands.executeCommand('mlops.compareRuns', { runIds: [...runIds] });
  });

  register('mlops.openModelSourceRun', async (arg?: unknown) => {
    const node = await versionOf(arg);
    if (!node) return undefined;
    if (!node.version.runId) return void vscode.window.showInformationMessage(`MLOps: v${node.version.version} of ${node.model.name} was registered from a file, not from a run.`);
    return vscode.commands.executeCommand('mlops.openRun', node.version.runId);
  });

  register('mlops.copyModelUri', async (arg?: unknown) => {
    const node = await versionOf(arg);
    if (!node) return undefined;
    const uri = `models:/${node.model.name}/${node.version.version}`;
    await vscode.env.clipboard.writeText(uri);
    void vscode.window.setStatusBarMessage(`Copied ${uri}`, 3000);
    return uri;
  });

  register('mlops.revealModelFile', async (arg?: unknown, options?: { open?: boolean }) => {
    const node = await versionOf(arg);
    if (!node) return undefined;
    const { model, version } = node;
    let path: string;
    try {
      path = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Downloading ${model.name} v${version.version}` }, () => downloadVersion(node.backend, model.name, version, workbench.downloads));
    } catch (err) {
      void vscode.window.showErrorMessage(`MLOps: cannot reveal the file of ${model.name} v${version.version}: ${(err as Error).message}`);
      return undefined;
    }
    if (options?.open === false) return path;
    // Over a remote connection the OS file manager is on the other machine: open it in the editor instead.
    if (vscode.env.remoteName) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), { preview: true });
    else await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path));
    return path;
  });

  register('mlops.deleteModelVersion', async (arg?: unknown, options?: { confirm?: boolean }) => {
    const node = await versionOf(arg);
    if (!node) return undefined;
    const { model, version } = node;
    if (options?.confirm !== false) {
      const aliases = version.aliases.length ? ` Its alias${version.aliases.length > 1 ? 'es' : ''} ${version.aliases.map((a) => `@${a}`).join(', ')} will be removed; clients that load models:/${model.name}@${version.aliases[0]} will fail.` : '';
      const pick = await vscode.window.showWarningMessage(
        `Delete version ${version.version} of model ${model.name}?`,
        { modal: true, detail: `models:/${model.name}/${version.version} and its frozen files go; the source run and its artifacts stay.${aliases}` },
        'Delete Version',
      );
      if (pick !== 'Delete Version') return false;
    }
    await node.backend.request('DELETE', '/api/2.0/mlflow/model-versions/delete', { name: model.name, version: version.version });
    return true;
  });

  register('mlops.deleteModel', async (arg?: unknown, options?: { confirm?: boolean }) => {
    const node = await modelOf(arg);
    if (!node) return undefined;
    const { model } = node;
    if (options?.confirm !== false) {
      const n = model.versions.length;
      const pick = await vscode.window.showWarningMessage(
        `Delete model ${model.name} and its ${n} version${n === 1 ? '' : 's'}?`,
        { modal: true, detail: `Every models:/${model.name}/… URI and alias${Object.keys(model.aliases).length ? ` (${Object.keys(model.aliases).map((a) => `@${a}`).join(', ')})` : ''} stops resolving. Source runs and their artifacts stay.` },
        'Delete Model',
      );
      if (pick !== 'Delete Model') return false;
    }
    await node.backend.request('DELETE', '/api/2.0/mlflow/registered-models/delete', { name: model.name });
    return true;
  });
}

async function setAlias(backend: WorkspaceBackend, name: string, alias: string, version: string): Promise<void> {
  await backend.request('POST', '/api/2.0/mlflow/registered-models/alias', { name, alias, version });
}

function isNode(v: unknown): v is ModelsNode {
  return !!v && typeof v === 'object' && typeof (v as { kind?: unknown }).kind === 'string';
}

/**
 * Promote to Champion: compares a metric of the candidate's source run with the
 * current champion's, says which is better, and asks before moving @champion.
 */
async function promote(node: VersionNode, options: PromoteOptions): Promise<PromoteResult | undefined> {
  const { model, version: candidate } = node;
  const championVersion = model.aliases[CHAMPION] ?? null;
  if (championVersion === candidate.version) {
    void vscode.window.showInformationMessage(`MLOps: v${candidate.version} is already the champion of ${model.name}.`);
    return { promoted: false, previousChampion: championVersion, verdict: null };
  }
  const champion = championVersion ? model.versions.find((v) => v.version === championVersion) : undefined;
  const verdict = champion ? await compareWithChampion(model, candidate, champion, options) : null;
  if (verdict === undefined) return undefined; // dismissed
  if (options.confirm !== false) {
    const detail = champion
      ? `${verdict ? verdict.text : 'No metric compared.'}\n\n@${CHAMPION} moves from v${champion.version} to v${candidate.version}; clients loading models:/${model.name}@${CHAMPION} get v${candidate.version} from their next load.`
      : `${model.name} has no champion yet: v${candidate.version} becomes models:/${model.name}@${CHAMPION}.`;
    const worse = verdict?.outcome === 'worse';
    const button = worse ? 'Promote Anyway' : 'Promote';
    const pick = await (worse ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(`Promote ${model.name} v${candidate.version} to champion?`, { modal: true, detail }, button);
    if (pick !== button) return { promoted: false, previousChampion: championVersion, verdict };
  }
  await setAlias(node.backend, model.name, CHAMPION, candidate.version);
  void vscode.window.setStatusBarMessage(`${model.name}@${CHAMPION} → v${candidate.version}`, 4000);
  return { promoted: true, previousChampion: championVersion, verdict };
}

/** The verdict on a chosen metric; null when there is nothing to compare, undefined when dismissed. */
async function compareWithChampion(model: ModelSummary, candidate: ModelVersionSummary, champion: ModelVersionSummary, options: PromoteOptions): Promise<Verdict | null | undefined> {
  const ours = candidate.run?.metrics ?? {};
  const theirs = champion.run?.metrics;
  const choices = metricChoices(ours, theirs);
  if (choices.length === 0) return null;
  const metric =
    options.metric ??
    (
      await vscode.window.showQuickPick(
        choices.map((c) => ({
          label: c.key,
          description: `v${candidate.version}: ${String(ours[c.key] ?? '—')} · v${champion.version}: ${String(theirs?.[c.key] ?? '—')}`,
          detail: c.shared ? undefined : 'logged by only one of the two runs',
        })),
        { title: `Promote ${model.name} v${candidate.version}: compare on which metric?`, placeHolder: `Metrics of the source runs of v${candidate.version} (candidate) and v${champion.version} (champion)` },
      )
    )?.label;
  if (!metric) return undefined;
  let direction = options.direction ?? metricDirection(metric);
  if (!direction) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Higher is better', direction: 'higher' as const },
        { label: 'Lower is better', direction: 'lower' as const },
      ],
      { title: `Is a higher or a lower ${metric} better?` },
    );
    if (!pick) return undefined;
    direction = pick.direction;
  }
  return compareMetric(metric, direction, { label: `v${candidate.version}`, value: ours[metric] }, { label: `v${champion.version} (champion)`, value: theirs?.[metric] });
}
