import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildColumns, compareValues, fittedWidth, hiddenAsMostlyEmpty, isVisible, type Column, type ColumnPrefs } from '../webview/runsTable/columns';
import { differingColumns, mostlyEmptyColumns, rolledUpColumns, rowKind } from '../webview/runsTable/columnRules';
import { flattenTree, groupRuns, groupsOf, sortTree } from '../webview/runsTable/runTree';
import type { RunsTableRow } from '../src/protocol/native';
import { churnPipelineRuns, plainRuns, sweepRuns } from './helpers/pipelineRunRows';

// The runs table's rows and columns, as pure functions of the runs: child runs
// under their parents whatever the sort, metrics before params, mostly empty
// columns hidden, and "Only differing" across a pipeline's unlike steps.

function columnsOf(runs: RunsTableRow[]): Column[] {
  const keys = (pick: (r: RunsTableRow) => Record<string, unknown>) => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  return buildColumns({ params: keys((r) => r.params), metrics: keys((r) => r.metrics), tags: keys((r) => r.tags) });
}

const names = (rows: { run: RunsTableRow; level: number }[]) => rows.map((r) => `${'  '.repeat(r.level)}${r.run.runName}${r.run.runId.replace(/\D/g, '')}`);
const all = () => true;

test('child runs are grouped under their parent: a pipeline run\'s steps in the order they ran, a sweep\'s trials', () => {
  // Newest first, as the backend answers.
  const runs = [...churnPipelineRuns(['0.1', '0.3']), ...sweepRuns(['0.01', '0.1'])].sort((a, b) => b.startTime! - a.startTime!);
  const tree = groupRuns(runs);
  sortTree(tree, undefined);
  assert.deepEqual(names(flattenTree(tree, all)), ['sweep', '  trial0', '  trial1', 'churn1', '  prepare1', '  train1', '  evaluate1', 'churn0', '  prepare0', '  train0', '  evaluate0']);
  // Collapsed groups leave their children out.
  const rows = flattenTree(tree, (id) => id !== 'churn1');
  assert.deepEqual(names(rows), ['sweep', '  trial0', '  trial1', 'churn1', 'churn0', '  prepare0', '  train0', '  evaluate0']);
  assert.deepEqual(rows[3], { run: runs.find((r) => r.runId === 'churn1'), level: 0, childCount: 3, expanded: false });
  // The default: a group of up to 10 children opens expanded, a larger one collapsed (the panel's rule).
  assert.equal(flattenTree(groupRuns(sweepRuns(Array.from({ length: 11 }, (_, i) => String(i)))), (_, n) => n <= 10).length, 1);
});

test('sorting keeps children under their parent; a parent without the value sorts by its best child', () => {
  const runs = [...churnPipelineRuns(['0.1', '0.3', '0.2']), ...plainRuns(2)];
  const auc = columnsOf(runs).find((c) => c.key === 'metric:auc')!;
  for (const desc of [true, false]) {
    const tree = groupRuns(runs);
    sortTree(tree, { value: (r) => auc.value(r), desc, compare: compareValues });
    const order = names(flattenTree(tree, all));
    // auc: churn1 0.831, churn2 0.822, churn0 0.81 (from their evaluate steps), baseline 0.70 and 0.71.
    const roots = order.filter((n) => !n.startsWith(' '));
    assert.deepEqual(roots, desc ? ['churn1', 'churn2', 'churn0', 'baseline-11', 'baseline-00'] : ['baseline-00', 'baseline-11', 'churn0', 'churn2', 'churn1']);
    // Each pipeline run's steps right under it, the one with the value first, blanks last.
    const at = order.indexOf('churn1');
    assert.deepEqual(order.slice(at, at + 4), ['churn1', '  evaluate1', '  prepare1', '  train1']);
  }
});

test('a parent filtered out leaves its children at the top level, and a parent loop is cut', () => {
  const runs = churnPipelineRuns(['0.1']).filter((r) => r.runId !== 'churn0');
  assert.equal(groupRuns(runs).roots.length, 3);
  const loop = [
    { runId: 'a', startTime: 1, tags: { 'mlflow.parentRunId': 'b' } },
    { runId: 'b', startTime: 2, tags: { 'mlflow.parentRunId': 'a' } },
    { runId: 'c', startTime: 3, tags: { 'mlflow.parentRunId': 'c' } },
  ];
  const rows = flattenTree(groupRuns(loop), all);
  assert.deepEqual(rows.map((r) => r.run.runId).sort(), ['a', 'b', 'c']);
});

test('metrics come before params by default', () => {
  const groups = columnsOf(churnPipelineRuns(['0.1'])).map((c) => c.group);
  assert.deepEqual([...new Set(groups)], ['attributes', 'metrics', 'params', 'tags']);
});

const prefs: ColumnPrefs = { order: [], hidden: [], shown: [], pinned: [] };

test('columns empty in most groups and rows are hidden by default; a step\'s metric counts for its pipeline run, a big sweep\'s for its trials', () => {
  const runs = [...churnPipelineRuns(['0.1', '0.3', '0.2']), ...sweepRuns(['0.01', '0.02', '0.03', '0.1', '0.2', '0.3']), ...plainRuns(6)];
  const columns = columnsOf(runs);
  const sparse = mostlyEmptyColumns(columns, groupsOf(groupRuns(runs)));
  const data = [...sparse].filter((k) => !k.startsWith('tag:')).sort();
  // 10 groups of 25 rows. train_loss: 3 rows (12%) but 3 groups; val_loss: 1 group but 6 rows (24%);
  // note, dropout, the sweep's trials: 1 row, 1 group.
  assert.deepEqual(data, ['param:dropout', 'param:note', 'param:trials']);
  const hidden = hiddenAsMostlyEmpty(columns, prefs, sparse).map((c) => c.key);
  // Bookkeeping tags are hidden anyway: they do not count as hidden for being empty.
  assert.deepEqual(hidden, ['param:dropout', 'param:note', 'param:trials']);
  const note = columns.find((c) => c.key === 'param:note')!;
  assert.equal(isVisible(note, prefs, sparse), false);
  assert.equal(isVisible(note, prefs, sparse, true), true, '"show" brings them back');
  assert.equal(isVisible(note, { ...prefs, shown: ['param:note'] }, sparse), true, 'the user\'s choice wins');
  // Five groups or fewer: nothing is hidden.
  const few = [...churnPipelineRuns(['0.1']), ...plainRuns(4)];
  assert.equal(mostlyEmptyColumns(columnsOf(few), groupsOf(groupRuns(few))).size, 0);
});

test('a step\'s metric its pipeline run shows as <step>/<metric> is a repeated column, hidden by default; one a plain run also logs is not', () => {
  // As pipelines record them: each pipeline run carries its steps' latest values.
  const runs = churnPipelineRuns(['0.1', '0.3']).map((r) => {
    if (r.tags['mlflow.parentRunId']) return r;
    const steps = (name: string) => churnPipelineRuns(['0.1', '0.3']).find((s) => s.runId === `${r.runId}-${name}`)!.metrics;
    return { ...r, metrics: { 'evaluate/auc': steps('evaluate').auc, 'train/train_loss': steps('train').train_loss } };
  });
  const tree = groupRuns(runs);
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const parentOf = (r: RunsTableRow) => byId.get(tree.parentOf.get(r.runId) ?? '');
  // n_rows has no copy on the pipeline run (no prepare/n_rows): it stays.
  assert.deepEqual([...rolledUpColumns(columnsOf(runs), runs, parentOf)].sort(), ['metric:auc', 'metric:train_loss']);
  const withPlain = [...runs, ...plainRuns(1)];
  const plainTree = groupRuns(withPlain);
  const plainById = new Map(withPlain.map((r) => [r.runId, r]));
  assert.deepEqual([...rolledUpColumns(columnsOf(withPlain), withPlain, (r) => plainById.get(plainTree.parentOf.get(r.runId) ?? ''))], ['metric:train_loss'], 'a plain run\'s own auc is not a copy');
});

function differing(runs: RunsTableRow[]): string[] {
  const tree = groupRuns(runs);
  const kind = (r: RunsTableRow) => rowKind(r, { hasParent: tree.parentOf.has(r.runId), hasChildren: tree.children.has(r.runId) });
  return [...differingColumns(columnsOf(runs), runs, kind)].filter((k) => !k.startsWith('attr:') && !k.startsWith('tag:')).sort();
}

test('"Only differing" across a pipeline\'s steps keeps what changed between pipeline runs, not what each step logs', () => {
  // prepare logs rows and n_rows, train lr/epochs and train_loss, evaluate auc: each missing in two steps of three.
  assert.deepEqual(differing(churnPipelineRuns(['0.1', '0.3', '0.2'])), ['metric:auc', 'metric:train_loss', 'param:lr']);
  // The same params every time: only the metrics that moved.
  assert.deepEqual(differing(churnPipelineRuns(['0.1', '0.1'])), ['metric:auc', 'metric:train_loss']);
});

test('"Only differing" on a sweep: the swept param and the one trial that set dropout, not the shared seed', () => {
  assert.deepEqual(differing(sweepRuns(['0.01', '0.03', '0.1'])), ['metric:val_loss', 'param:dropout', 'param:lr']);
  // Flat runs of one script: a param only some runs have differs.
  assert.deepEqual(differing(plainRuns(3)), ['metric:auc', 'param:note']);
});

test('"Only differing" with a pipeline and a sweep in one table', () => {
  const runs = [...churnPipelineRuns(['0.1', '0.3']), ...sweepRuns(['0.01', '0.03'])];
  // lr differs within the pipelines and within the sweep; epochs, rows, seed, trials are constant where present.
  assert.deepEqual(differing(runs), ['metric:auc', 'metric:train_loss', 'metric:val_loss', 'param:dropout', 'param:lr']);
});

test('columns are as wide as their header and values, within bounds', () => {
  const [status, name, , , , metric, param] = buildColumns({ params: ['learning_rate'], metrics: ['val_accuracy'], tags: [] });
  const px = (text: string, bold: boolean) => text.length * (bold ? 8 : 7);
  assert.equal(fittedWidth(status, ['✓ finished'], px), status.width, 'attributes other than the name keep their width');
  // 'learning_rate' bold: 13 x 8 + 28 = 132 px (the fixed 100 px cut it off).
  assert.equal(fittedWidth(param, ['0.1'], px), 132);
  assert.equal(fittedWidth(metric, ['0.9'], px), 12 * 8 + 28);
  assert.equal(fittedWidth(param, ['x'.repeat(200)], px), 240, 'a long value is cut at the bound (its tooltip has it all)');
  assert.equal(fittedWidth(name, ['evaluate · churn (lr=0.1) #2'], px), 28 * 7 + 14);
  assert.equal(fittedWidth(name, ['a'], px), 180);
});
