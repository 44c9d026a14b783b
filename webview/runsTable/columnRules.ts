// Which data columns (params, metrics, tags) earn a place without the user
// asking: those not empty for most of the table ("mostly empty" ones are hidden
// by default), and, with "Only differing", those whose values differ.
//
// Both rules look at a table whose rows are not alike: a pipeline's prepare,
// train and evaluate steps each log their own params and metrics, and its
// parent run logs the pipeline's params. Counted naively, every step-specific
// column is empty in two rows of three (so "mostly empty"), and differs between
// the step that has it and the steps that do not (so "only differing" keeps
// every column). The rules below count by group and by kind of row instead.
import type { Column } from './columns';
import type { RunsTableRow } from '../../src/protocol/native';

/** A column empty in more than this share of the groups, and of the rows, is mostly empty. */
export const MOSTLY_EMPTY_SHARE = 0.8;

const hasValue = (c: Column, r: RunsTableRow) => {
  const v = c.value(r);
  return v !== undefined && v !== '';
};

/**
 * Keys of the data columns empty in more than 80% of the groups and more than
 * 80% of the rows, a group being a top-level row with its descendants (a
 * pipeline run with its steps, a sweep with its trials). By groups alone, a
 * metric only the evaluate step logs fills every pipeline run's group though
 * it is empty in most rows; by rows alone, a big sweep's metric fills most rows
 * though it is one group among many. A param one old run logged is rare by
 * both counts. With five groups or fewer nothing is hidden (one is 20%).
 */
export function mostlyEmptyColumns(columns: readonly Column[], groups: readonly RunsTableRow[][]): Set<string> {
  const sparse = new Set<string>();
  const rowCount = groups.reduce((n, g) => n + g.length, 0);
  if (!groups.length) return sparse;
  for (const c of columns) {
    if (c.group === 'attributes') continue;
    let filledGroups = 0;
    let filledRows = 0;
    for (const g of groups) {
      let filled = 0;
      for (const r of g) if (hasValue(c, r)) filled++;
      if (filled) filledGroups++;
      filledRows += filled;
      // Filled in this many groups it is not mostly empty, whatever the rest holds.
      if (groups.length - filledGroups <= MOSTLY_EMPTY_SHARE * groups.length) break;
    }
    const emptyGroups = groups.length - filledGroups;
    if (emptyGroups / groups.length > MOSTLY_EMPTY_SHARE && (rowCount - filledRows) / rowCount > MOSTLY_EMPTY_SHARE) sparse.add(c.key);
  }
  return sparse;
}

const PIPELINE_TAG = 'mlops.pipeline';
const STEP_TAG = 'mlops.pipeline.step';

/**
 * Keys of the metric columns that repeat, on the steps, what their pipeline runs
 * show: a step's `auc` is its pipeline run's `evaluate/auc`, so with both a table of
 * pipeline runs had every step metric twice (17 metric columns for 10 values). A
 * column is a copy when every row that has it is a step whose parent row has the
 * metric under `<step>/<key>`; hidden by default with the mostly empty ones.
 */
export function rolledUpColumns(columns: readonly Column[], runs: readonly RunsTableRow[], parentOf: (run: RunsTableRow) => RunsTableRow | undefined): Set<string> {
  const copies = new Set<string>();
  for (const c of columns) {
    if (c.group !== 'metrics') continue;
    const key = c.label;
    let filled = 0;
    let copy = true;
    for (const r of runs) {
      if (r.metrics[key] === undefined) continue;
      filled++;
      const step = r.tags[STEP_TAG];
      if (step === undefined || parentOf(r)?.metrics[`${step}/${key}`] === undefined) {
        copy = false;
        break;
      }
    }
    if (copy && filled) copies.add(c.key);
  }
  return copies;
}
const SOURCE_TAG = 'mlflow.source.name';

/**
 * What a row is, for "Only differing": the same step of the same pipeline, a
 * pipeline run, or otherwise a plain, parent or child run of the same script.
 * Rows of one kind are expected to log the same keys.
 */
export function rowKind(run: RunsTableRow, place: { hasParent: boolean; hasChildren: boolean }): string {
  const pipeline = run.tags[PIPELINE_TAG];
  const step = run.tags[STEP_TAG];
  if (pipeline !== undefined && step !== undefined) return `step\u0000${pipeline}\u0000${step}`;
  if (pipeline !== undefined && !place.hasParent) return `pipeline\u0000${pipeline}`;
  const role = place.hasParent ? 'child' : place.hasChildren ? 'parent' : 'run';
  return `${role}\u0000${run.tags[SOURCE_TAG] ?? ''}`;
}

/**
 * Keys of the data columns that differ across `runs`. A column differs when
 * two rows that have a value disagree on it, or when rows of the same kind
 * disagree on having one at all (one trial of a sweep set dropout, the others
 * did not). A value missing from a row of another kind says how the row was
 * made (a prepare step takes no learning rate), not how the runs vary, so it
 * does not count: a pipeline's steps with their own params and metrics leave
 * only what changed from one pipeline run to the next. Attributes always count
 * as differing; with fewer than two runs nothing differs.
 */
export function differingColumns(columns: readonly Column[], runs: readonly RunsTableRow[], kindOf: (run: RunsTableRow) => string): Set<string> {
  const differing = new Set<string>();
  const kinds = runs.map(kindOf);
  for (const c of columns) {
    if (c.group === 'attributes') {
      differing.add(c.key);
      continue;
    }
    let first: string | undefined;
    const presence = new Map<string, boolean>();
    for (let i = 0; i < runs.length; i++) {
      const text = c.text(runs[i]);
      const has = text !== '';
      const seen = presence.get(kinds[i]);
      if (seen === undefined) presence.set(kinds[i], has);
      else if (seen !== has) {
        differing.add(c.key);
        break;
      }
      if (!has) continue;
      if (first === undefined) first = text;
      else if (text !== first) {
        differing.add(c.key);
        break;
      }
    }
  }
  return differing;
}
