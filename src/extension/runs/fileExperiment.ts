import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import { decideExperiment, experimentChoices, suggestExperiment, type ExperimentRef, type RecentRun } from './experimentChoice';

const EXPERIMENT_KEY = 'mlops.experimentByFile';
const RECENT_RUNS = 200;

/** The experiment a run of the file goes to, why in words, and whether a setting or the environment fixed it. */
export interface FileExperiment {
  name: string;
  reason: string;
  explicit: boolean;
}

/** The question on screen, for the host tests to answer it: the quick pick's labels, suggestion first. */
let openQuestion: { file: string; choices: string[] } | undefined;
export function openExperimentQuestion(): { file: string; choices: string[] } | undefined {
  return openQuestion;
}

/**
 * The experiment for a run of `file`: a setting or the environment if they
 * name one, else the one chosen for this file before, else the user's answer
 * to one question (remembered), suggested from the runs the folder already
 * has. `chooseAgain` asks even so, the current choice first. Undefined when
 * the user cancelled; a string when it cannot be settled.
 */
export async function fileExperiment(
  context: vscode.ExtensionContext,
  backend: WorkspaceBackend | undefined,
  file: vscode.Uri,
  folder: vscode.WorkspaceFolder,
  title: string,
  log: (line: string) => void,
  chooseAgain?: FileExperiment,
): Promise<FileExperiment | string | undefined> {
  const remembered = context.workspaceState.get<Record<string, string>>(EXPERIMENT_KEY, {});
  const known = backend ? await readExperiments(backend, folder, log) : undefined;
  let choices: { name: string; detail?: string }[];
  if (chooseAgain) {
    choices = experimentChoices(known?.experiments ?? [], { name: chooseAgain.name, reason: 'current' });
  } else {
    const decision = decideExperiment({
      setting: vscode.workspace.getConfiguration('mlops', file).get<string>('run.experiment')?.trim() || undefined,
      envName: process.env.MLFLOW_EXPERIMENT_NAME || undefined,
      envId: process.env.MLFLOW_EXPERIMENT_ID || undefined,
      remembered: remembered[file.fsPath],
      experiments: known?.experiments,
      suggestion: known && suggestExperiment(file.fsPath, folder.uri.fsPath, known.recentRuns, known.experiments),
    });
    if (decision.kind === 'invalid') return decision.message;
    if (decision.kind === 'use') return { name: decision.name, reason: decision.reason, explicit: decision.explicit };
    choices = decision.choices.map((c) => (c.detail ? { ...c, detail: `suggested: ${c.detail}` } : c));
  }
  const answer = await askExperiment(file, title, choices);
  if (!answer) return undefined;
  await context.workspaceState.update(EXPERIMENT_KEY, { ...remembered, [file.fsPath]: answer });
  return { name: answer, reason: `chosen for ${basename(file.fsPath)}, remembered`, explicit: false };
}

interface ExperimentJson {
  experiment_id: string;
  name: string;
}
interface RunJson {
  info: { experiment_id: string };
  data?: { tags?: { key: string; value: string }[] };
}

/** The active experiments (most recently updated first) and the latest runs across them; undefined when the backend cannot answer. */
async function readExperiments(backend: WorkspaceBackend, folder: vscode.WorkspaceFolder, log: (line: string) => void): Promise<{ experiments: ExperimentRef[]; recentRuns: RecentRun[] } | undefined> {
  try {
    await connected(backend);
    const search = await backend.request<{ experiments?: ExperimentJson[] }>('POST', '/api/2.0/mlflow/experiments/search', {
      max_results: 1000,
      order_by: ['last_update_time DESC'],
    });
    const experiments = (search.experiments ?? []).map((e) => ({ id: e.experiment_id, name: e.name }));
    if (experiments.length === 0) return { experiments, recentRuns: [] };
    const runs = await backend.request<{ runs?: RunJson[] }>('POST', '/api/2.0/mlflow/runs/search', {
      experiment_ids: experiments.map((e) => e.id),
      max_results: RECENT_RUNS,
      order_by: ['attributes.start_time DESC'],
    });
    const recentRuns = (runs.runs ?? []).map((r) => ({
      experimentId: r.info.experiment_id,
      tags: Object.fromEntries((r.data?.tags ?? []).map((t) => [t.key, t.value])),
    }));
    return { experiments, recentRuns };
  } catch (err) {
    log(`Run Current File: could not read the experiments of ${folder.name}, so the run goes to the remembered experiment or Default: ${(err as Error).message}`);
    return undefined;
  }
}

/** A backend that is still starting is waited for a little: its answer decides whether to ask. */
async function connected(backend: WorkspaceBackend): Promise<void> {
  if (backend.state.kind !== 'starting') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => done(), 20_000);
    const sub = backend.onDidChangeState(() => backend.state.kind !== 'starting' && done());
    function done() {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });
}

const NEW_EXPERIMENT = '$(add) New experiment…';

async function askExperiment(file: vscode.Uri, title: string, choices: { name: string; detail?: string }[]): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  pick.title = title;
  pick.placeholder = `Experiment for the runs of ${basename(file.fsPath)} (asked once, remembered for this file)`;
  pick.items = [
    ...choices.map((c) => ({ label: c.name, description: c.detail })),
    { label: NEW_EXPERIMENT },
  ];
  pick.ignoreFocusOut = true;
  // A name typed that matches no experiment is taken as a new one.
  const picked = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]?.label ?? (pick.value.trim() || undefined)));
    pick.onDidHide(() => resolve(undefined));
    openQuestion = { file: file.fsPath, choices: pick.items.map((i) => i.label) };
    pick.show();
  });
  openQuestion = undefined;
  pick.dispose();
  if (picked !== NEW_EXPERIMENT) return picked;
  const name = await vscode.window.showInputBox({
    title,
    prompt: `Name of the new experiment for the runs of ${basename(file.fsPath)}`,
    placeHolder: basename(file.fsPath).replace(/\.\w+$/, ''),
    validateInput: (v) => (v.trim() ? undefined : 'An experiment needs a name'),
  });
  return name?.trim() || undefined;
}
