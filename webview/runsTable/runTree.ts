// Child runs under their parent (MLflow's mlflow.parentRunId tag: a pipeline's
// step runs, a sweep's trials, nested runs): the runs as a tree, sorted with
// children kept under their parent whatever the sort, and flattened into the
// rows the table shows, collapsed groups leaving out their descendants.
import { parentRunIdOf } from '../../src/protocol/runLabels';

export interface TreeRun {
  runId: string;
  startTime: number | null;
  tags: Record<string, string>;
}

export interface RunTree<R extends TreeRun> {
  /** Runs without a parent among the runs (their parent may be filtered out), in the given order. */
  roots: R[];
  children: Map<string, R[]>;
  /** The parent of each run placed under one. */
  parentOf: Map<string, string>;
}

/** Groups runs under their parents. A parent chain that loops is cut where it closes, so every run is shown once. */
export function groupRuns<R extends TreeRun>(runs: readonly R[]): RunTree<R> {
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const parentOf = new Map<string, string>();
  for (const r of runs) {
    const parentId = parentRunIdOf(r);
    if (parentId && byId.has(parentId)) parentOf.set(r.runId, parentId);
  }
  // A run whose ancestors lead back to itself becomes a root.
  for (const r of runs) {
    const seen = new Set<string>([r.runId]);
    for (let p = parentOf.get(r.runId); p !== undefined; p = parentOf.get(p)) {
      if (seen.has(p)) {
        parentOf.delete(r.runId);
        break;
      }
      seen.add(p);
    }
  }
  const roots: R[] = [];
  const children = new Map<string, R[]>();
  for (const r of runs) {
    const p = parentOf.get(r.runId);
    if (p === undefined) roots.push(r);
    else {
      const list = children.get(p);
      if (list) list.push(r);
      else children.set(p, [r]);
    }
  }
  return { roots, children, parentOf };
}

export type SortValue = string | number | undefined;

export interface TreeSort<R> {
  value(run: R): SortValue;
  desc: boolean;
  compare(a: SortValue, b: SortValue): number;
}

const blank = (v: SortValue) => v === undefined || v === '';

/**
 * Sorts in place: every list of siblings by `sort`, blanks last either way. A
 * run with no value of its own sorts by its first child's (a pipeline run by its
 * steps' metric), so sorting by a metric the steps log ranks the pipelines.
 * Without a sort, roots keep their order and children run oldest first (a
 * pipeline's steps in the order they ran).
 */
export function sortTree<R extends TreeRun>(tree: RunTree<R>, sort: TreeSort<R> | undefined): void {
  if (!sort) {
    for (const list of tree.children.values()) list.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0));
    return;
  }
  const keys = new Map<string, SortValue>();
  const order = (list: R[]) => {
    const keyed = list.map((r) => ({ r, v: keys.get(r.runId) }));
    keyed.sort((a, b) => {
      if (blank(a.v) || blank(b.v)) return sort.compare(a.v, b.v);
      const c = sort.compare(a.v, b.v);
      return sort.desc ? -c : c;
    });
    keyed.forEach((k, i) => (list[i] = k.r));
  };
  // Deepest first, so each run's children are sorted (and their keys known) before it.
  for (const r of byDepthDescending(tree)) {
    const kids = tree.children.get(r.runId);
    if (kids) order(kids);
    const own = sort.value(r);
    keys.set(r.runId, blank(own) && kids ? keys.get(kids[0].runId) : own);
  }
  order(tree.roots);
}

function byDepthDescending<R extends TreeRun>(tree: RunTree<R>): R[] {
  const levels: R[][] = [];
  let level = tree.roots;
  while (level.length) {
    levels.push(level);
    level = level.flatMap((r) => tree.children.get(r.runId) ?? []);
  }
  return levels.reverse().flat();
}

export interface TreeRow<R> {
  run: R;
  /** 0 for a root. */
  level: number;
  /** Its direct children among the runs. */
  childCount: number;
  /** Whether its children are shown (false when it has none). */
  expanded: boolean;
}

/** The rows shown, depth first: each run, then (if expanded) its descendants. */
export function flattenTree<R extends TreeRun>(tree: RunTree<R>, isExpanded: (runId: string, childCount: number) => boolean): TreeRow<R>[] {
  const rows: TreeRow<R>[] = [];
  const stack: { run: R; level: number }[] = [...tree.roots].reverse().map((run) => ({ run, level: 0 }));
  while (stack.length) {
    const { run, level } = stack.pop()!;
    const kids = tree.children.get(run.runId) ?? [];
    const expanded = kids.length > 0 && isExpanded(run.runId, kids.length);
    rows.push({ run, level, childCount: kids.length, expanded });
    if (expanded) for (let i = kids.length - 1; i >= 0; i--) stack.push({ run: kids[i], level: level + 1 });
  }
  return rows;
}

/** All runs of each root's group (the root and its descendants). */
export function groupsOf<R extends TreeRun>(tree: RunTree<R>): R[][] {
  return tree.roots.map((root) => {
    const members: R[] = [];
    const stack = [root];
    while (stack.length) {
      const r = stack.pop()!;
      members.push(r);
      stack.push(...(tree.children.get(r.runId) ?? []));
    }
    return members;
  });
}
