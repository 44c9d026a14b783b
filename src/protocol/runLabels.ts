// Labels that tell apart runs sharing a name: every step of every pipeline run
// is called "train", every trial of a sweep "trial". A label adds, only where the
// name alone is ambiguous among the runs shown together, what a person would
// use to tell them apart, in this order:
//   1. the parent run ("train · churn #3"), when the same-named runs have
//      different parents (the parent labelled the same way, recursively);
//   2. the params whose values differ among the runs still alike
//      ("trial (lr=0.3)"), at most two;
//   3. an ordinal by start time among those still alike ("churn #2").
// Pure, and in the protocol folder because the runs table, the comparison
// panel's legend and tooltip, and the extension may all use it.

export const PARENT_RUN_TAG = 'mlflow.parentRunId';
const PIPELINE_TAG = 'mlops.pipeline';
/** The tags a label reads: a panel that is sent runs needs only these of their tags. */
export const LABEL_TAGS: readonly string[] = [PARENT_RUN_TAG, PIPELINE_TAG];
/** More params than this makes a label harder to read than a number. */
const MAX_PARAMS = 2;
const MAX_VALUE_CHARS = 24;

export interface LabelledRun {
  runId: string;
  runName: string;
  startTime?: number | null;
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface RunLabel {
  /** The run's own name. */
  name: string;
  /** The parent's label, when parents tell same-named runs apart. */
  parent?: string;
  /** Params that tell the run from others of its name, `lr=0.3, depth=4`. */
  params?: string;
  /** 1-based rank by start time among runs nothing else tells apart. */
  ordinal?: number;
}

export function parentRunIdOf(run: Pick<LabelledRun, 'runId' | 'tags'>): string | undefined {
  const id = run.tags?.[PARENT_RUN_TAG];
  return id && id !== run.runId ? id : undefined;
}

/**
 * The label as one line. Without `withParent`, the parent part is left out: for
 * a row shown under its parent, which already says it.
 */
export function labelText(label: RunLabel, options: { withParent?: boolean } = {}): string {
  let text = label.name || '(unnamed)';
  if (label.params) text += ` (${label.params})`;
  if (label.ordinal !== undefined) text += ` #${label.ordinal}`;
  if (label.parent && options.withParent !== false) text += ` · ${label.parent}`;
  return text;
}

/**
 * A label for each of `runs`, keyed by run id. `context` may hold more runs
 * (parents not among those labelled): their names are used for parent parts.
 */
export function runLabels(runs: readonly LabelledRun[], context: readonly LabelledRun[] = []): Map<string, RunLabel> {
  const byId = new Map<string, LabelledRun>();
  for (const r of context) byId.set(r.runId, r);
  for (const r of runs) byId.set(r.runId, r);
  const labelled = new Set(runs.map((r) => r.runId));
  const byName = new Map<string, LabelledRun[]>();
  for (const r of runs) {
    const group = byName.get(r.runName);
    if (group) group.push(r);
    else byName.set(r.runName, [r]);
  }

  const labels = new Map<string, RunLabel>();
  const inProgress = new Set<string>();

  const parentText = (run: LabelledRun): string | undefined => {
    const parentId = parentRunIdOf(run);
    if (!parentId) return undefined;
    const parent = byId.get(parentId);
    if (parent && labelled.has(parentId)) {
      // A parent chain that loops back to this name: its plain name will do.
      if (inProgress.has(parent.runName)) return parent.runName || shortId(parentId);
      labelGroup(parent.runName);
      return labelText(labels.get(parentId)!);
    }
    if (parent) return parent.runName || shortId(parentId);
    return run.tags?.[PIPELINE_TAG] || `run ${shortId(parentId)}`;
  };

  const labelGroup = (name: string): void => {
    const group = byName.get(name)!;
    if (labels.has(group[0].runId)) return;
    if (group.length === 1) return void labels.set(group[0].runId, { name });
    inProgress.add(name);
    const draft = new Map<string, RunLabel>(group.map((r) => [r.runId, { name }]));
    let alike: LabelledRun[][] = [group];
    if (new Set(group.map((r) => parentRunIdOf(r) ?? '')).size > 1) {
      for (const r of group) {
        const parent = parentText(r);
        if (parent !== undefined) draft.get(r.runId)!.parent = parent;
      }
      alike = splitBy(group, (r) => draft.get(r.runId)!.parent ?? '');
    }
    for (const set of alike) {
      if (set.length < 2) continue;
      const keys = distinguishingParams(set);
      for (const r of set) if (keys.length) draft.get(r.runId)!.params = keys.map((k) => paramText(k, r.params?.[k])).join(', ');
      for (const still of splitBy(set, (r) => draft.get(r.runId)!.params ?? '')) {
        if (still.length < 2) continue;
        [...still].sort(byStart).forEach((r, i) => (draft.get(r.runId)!.ordinal = i + 1));
      }
    }
    for (const [id, label] of draft) labels.set(id, label);
    inProgress.delete(name);
  };

  for (const name of byName.keys()) labelGroup(name);
  return labels;
}

/**
 * Up to MAX_PARAMS params that split `runs` into the most classes, picked one
 * at a time. Ties go to params every run has (a missing value says little),
 * then to shorter values, then to the key's name, so the choice is stable.
 */
function distinguishingParams(runs: LabelledRun[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.params ?? {})) keys.add(k);
  const chosen: string[] = [];
  let classes = 1;
  while (chosen.length < MAX_PARAMS && classes < runs.length) {
    let best: { key: string; classes: number; complete: boolean; width: number } | undefined;
    for (const key of keys) {
      if (chosen.includes(key)) continue;
      const split = splitBy(runs, (r) => JSON.stringify([...chosen, key].map((k) => r.params?.[k] ?? null))).length;
      if (split <= classes) continue;
      const complete = runs.every((r) => r.params?.[key] !== undefined);
      const width = Math.max(...runs.map((r) => (r.params?.[key] ?? '').length));
      const better =
        !best ||
        split > best.classes ||
        (split === best.classes && (complete !== best.complete ? complete : width !== best.width ? width < best.width : key < best.key));
      if (better) best = { key, classes: split, complete, width };
    }
    if (!best) break;
    chosen.push(best.key);
    classes = best.classes;
  }
  return chosen;
}

function paramText(key: string, value: string | undefined): string {
  if (value === undefined) return `no ${key}`;
  return `${key}=${value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS - 1)}…` : value}`;
}

function splitBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

function byStart(a: LabelledRun, b: LabelledRun): number {
  return (a.startTime ?? 0) - (b.startTime ?? 0) || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);
}

function shortId(runId: string): string {
  return runId.slice(0, 8);
}
