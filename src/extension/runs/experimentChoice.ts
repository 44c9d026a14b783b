import { basename, dirname, isAbsolute, resolve } from 'node:path';

/** MLflow's default experiment: always id 0, whatever it is called. */
export const DEFAULT_EXPERIMENT_ID = '0';

export interface ExperimentRef {
  id: string;
  name: string;
}

/** A recent run as far as choosing an experiment goes (newest first in the lists given here). */
export interface RecentRun {
  experimentId: string;
  tags: Record<string, string>;
}

export interface ExperimentSuggestion {
  name: string;
  reason: string;
}

/**
 * The files a run names, as absolute paths: the words of its recorded command
 * (`mlops run` writes a JSON array, a pipeline step the shell command) and its
 * MLflow source name (the script an MLflow client ran, or a pipeline file),
 * relative ones resolved against the run's working folder. Only words that
 * look like files (they have an extension), not interpreters or options.
 */
export function filesNamedBy(run: RecentRun, workspaceRoot: string): string[] {
  const cwd = run.tags['mlops.cwd'] || workspaceRoot;
  const words: string[] = [];
  const command = run.tags['mlops.command'];
  if (command) {
    try {
      const parsed = JSON.parse(command) as unknown;
      if (Array.isArray(parsed)) words.push(...parsed.filter((w): w is string => typeof w === 'string'));
    } catch {
      words.push(...command.split(/\s+/));
    }
  }
  const source = run.tags['mlflow.source.name'];
  if (source) words.push(source, ...source.split(/\s+/));
  const files = words
    .map((w) => w.replace(/^['"]|['"]$/g, ''))
    .filter((w) => w && !w.startsWith('-') && /\.[A-Za-z0-9]+$/.test(basename(w)))
    .map((w) => (isAbsolute(w) ? w : resolve(cwd, w)));
  return [...new Set(files)];
}

/**
 * The experiment a file's runs most likely belong in, from what the workspace
 * already records: that of the latest run of this very file, else of the
 * latest run of a file in the same folder, else the only experiment besides
 * Default that has recent runs.
 */
export function suggestExperiment(file: string, workspaceRoot: string, recentRuns: RecentRun[], experiments: ExperimentRef[]): ExperimentSuggestion | undefined {
  const byId = new Map(experiments.map((e) => [e.id, e]));
  const named = recentRuns
    .filter((r) => byId.has(r.experimentId))
    .map((r) => ({ run: r, files: filesNamedBy(r, workspaceRoot) }));
  const sameFile = named.find((n) => n.files.includes(file));
  if (sameFile) return { name: byId.get(sameFile.run.experimentId)!.name, reason: `where ${basename(file)} last ran` };
  const folder = dirname(file);
  const sameFolder = named.find((n) => n.files.some((f) => dirname(f) === folder));
  if (sameFolder) {
    const where = folder === workspaceRoot ? 'the workspace folder' : basename(folder);
    return { name: byId.get(sameFolder.run.experimentId)!.name, reason: `where the latest run of a file in ${where} went` };
  }
  const used = new Set(named.map((n) => n.run.experimentId).filter((id) => id !== DEFAULT_EXPERIMENT_ID));
  if (used.size === 1) return { name: byId.get([...used][0])!.name, reason: 'the only experiment besides Default with runs' };
  return undefined;
}

const REMEMBERED = 'chosen for this file before; the beaker button of the params box changes it';

/** What is known when choosing the experiment for a run of a file. */
export interface ExperimentFacts {
  /** The `mlops.run.experiment` setting. */
  setting?: string;
  /** MLFLOW_EXPERIMENT_NAME / MLFLOW_EXPERIMENT_ID of the editor's environment. */
  envName?: string;
  envId?: string;
  /** The experiment chosen for this file before. */
  remembered?: string;
  /** The workspace's active experiments; undefined when the backend could not be asked. */
  experiments?: ExperimentRef[];
  suggestion?: ExperimentSuggestion;
}

export type ExperimentDecision =
  | { kind: 'use'; name: string; reason: string; explicit: boolean }
  | { kind: 'ask'; choices: { name: string; detail?: string }[] }
  | { kind: 'invalid'; message: string };

/**
 * Settled without asking when the user has said (a setting, the environment,
 * an earlier answer for this file) or when there is nothing to choose from
 * (Default is the only experiment); otherwise the user is asked once, with
 * the suggestion first.
 */
export function decideExperiment(facts: ExperimentFacts): ExperimentDecision {
  if (facts.setting) return { kind: 'use', name: facts.setting, reason: 'the mlops.run.experiment setting', explicit: true };
  if (facts.envName) return { kind: 'use', name: facts.envName, reason: 'MLFLOW_EXPERIMENT_NAME in the environment', explicit: true };
  if (facts.envId) {
    if (!facts.experiments) return { kind: 'invalid', message: `MLFLOW_EXPERIMENT_ID=${facts.envId} is set, and the workspace's experiments could not be read to find its name.` };
    const named = facts.experiments.find((e) => e.id === facts.envId);
    if (!named) return { kind: 'invalid', message: `MLFLOW_EXPERIMENT_ID=${facts.envId} is set, and this workspace has no active experiment with that id. Unset it, or set it to one of: ${facts.experiments.map((e) => `${e.id} (${e.name})`).join(', ')}.` };
    return { kind: 'use', name: named.name, reason: 'MLFLOW_EXPERIMENT_ID in the environment', explicit: true };
  }
  const defaultName = facts.experiments?.find((e) => e.id === DEFAULT_EXPERIMENT_ID)?.name ?? 'Default';
  if (!facts.experiments) {
    if (facts.remembered) return { kind: 'use', name: facts.remembered, reason: REMEMBERED, explicit: false };
    return { kind: 'use', name: defaultName, reason: "the workspace's experiments could not be read", explicit: false };
  }
  // An experiment deleted since it was chosen is no answer any more: ask again.
  if (facts.remembered && facts.experiments.some((e) => e.name === facts.remembered)) {
    return { kind: 'use', name: facts.remembered, reason: REMEMBERED, explicit: false };
  }
  const others = facts.experiments.filter((e) => e.id !== DEFAULT_EXPERIMENT_ID);
  if (others.length === 0) {
    return { kind: 'use', name: defaultName, reason: 'the only experiment so far', explicit: false };
  }
  return { kind: 'ask', choices: experimentChoices(facts.experiments, facts.suggestion) };
}

/** The experiments to pick from: the suggested (or current) one first, then the others in the order given. */
export function experimentChoices(experiments: ExperimentRef[], first?: ExperimentSuggestion): { name: string; detail?: string }[] {
  const choices: { name: string; detail?: string }[] = [];
  if (first) choices.push({ name: first.name, detail: first.reason });
  for (const e of experiments) if (!choices.some((c) => c.name === e.name)) choices.push({ name: e.name });
  return choices;
}
