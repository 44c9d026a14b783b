import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelText, runLabels, type LabelledRun } from '../src/protocol/runLabels';
import { churnPipelineRuns, sweepRuns } from './helpers/pipelineRunRows';

// Runs that share a name are told apart by their parent, then the params that
// differ, then an ordinal by start time; a unique name stays as it is.

function texts(runs: LabelledRun[], withParent = true): Record<string, string> {
  const labels = runLabels(runs);
  return Object.fromEntries(runs.map((r) => [r.runId, labelText(labels.get(r.runId)!, { withParent })]));
}

test('unique names are left alone', () => {
  const t = texts([
    { runId: 'a', runName: 'baseline', params: { lr: '0.1' } },
    { runId: 'b', runName: 'bold-fox-12', params: { lr: '0.3' } },
  ]);
  assert.deepEqual(t, { a: 'baseline', b: 'bold-fox-12' });
});

test('a sweep\'s trials are told apart by the param that varies, not by ones they share', () => {
  const t = texts(sweepRuns(['0.01', '0.03', '0.1', '0.3']));
  assert.deepEqual(t, { sweep: 'sweep', trial0: 'trial (lr=0.01)', trial1: 'trial (lr=0.03)', trial2: 'trial (lr=0.1)', trial3: 'trial (lr=0.3)' });
});

test('a pipeline\'s steps carry their pipeline run, which carries its differing param and an ordinal where that is not enough', () => {
  const runs = churnPipelineRuns(['0.1', '0.1', '0.3']);
  const t = texts(runs);
  // The pipeline runs: lr tells the third apart; the first two ran with the same params.
  assert.equal(t.churn0, 'churn (lr=0.1) #1');
  assert.equal(t.churn1, 'churn (lr=0.1) #2');
  assert.equal(t.churn2, 'churn (lr=0.3)');
  // Each step by the pipeline run it belongs to (its own lr would not tell the first two apart).
  assert.equal(t['churn1-train'], 'train · churn (lr=0.1) #2');
  assert.equal(t['churn2-evaluate'], 'evaluate · churn (lr=0.3)');
  // Under its parent's row the parent part is left out.
  assert.equal(texts(runs, false)['churn1-train'], 'train');
  // Every label unique.
  assert.equal(new Set(Object.values(t)).size, runs.length);
});

test('runs with nothing else to tell them apart get an ordinal by start time', () => {
  const t = texts([
    { runId: 'z', runName: 'train', startTime: 300 },
    { runId: 'y', runName: 'train', startTime: 100 },
    { runId: 'x', runName: 'train', startTime: 200, params: {} },
  ]);
  assert.deepEqual(t, { y: 'train #1', x: 'train #2', z: 'train #3' });
});

test('two params when one does not tell runs apart; a param some runs lack reads "no key"', () => {
  const t = texts([
    { runId: 'a', runName: 'fit', params: { lr: '0.1', depth: '4' } },
    { runId: 'b', runName: 'fit', params: { lr: '0.1', depth: '8' } },
    { runId: 'c', runName: 'fit', params: { lr: '0.3', depth: '4' } },
    { runId: 'd', runName: 'fit', params: { lr: '0.3' } },
  ]);
  assert.deepEqual(t, { a: 'fit (depth=4, lr=0.1)', b: 'fit (depth=8, lr=0.1)', c: 'fit (depth=4, lr=0.3)', d: 'fit (no depth, lr=0.3)' });
});

test('a parent that is not among the runs is named from the context, else the pipeline tag, else a short id', () => {
  const steps = churnPipelineRuns(['0.1', '0.3']).filter((r) => r.runName === 'train');
  // The parents filtered out: the pipeline's name, then lr.
  assert.deepEqual(Object.values(texts(steps)), ['train (lr=0.1) · churn', 'train (lr=0.3) · churn']);
  const orphans: LabelledRun[] = [
    { runId: 'a', runName: 'fold', tags: { 'mlflow.parentRunId': '0123456789abcdef' } },
    { runId: 'b', runName: 'fold', tags: { 'mlflow.parentRunId': 'fedcba9876543210' } },
  ];
  assert.deepEqual(Object.values(texts(orphans)), ['fold · run 01234567', 'fold · run fedcba98']);
  const labels = runLabels(orphans, [{ runId: '0123456789abcdef', runName: 'cv-a' }, { runId: 'fedcba9876543210', runName: 'cv-b' }]);
  assert.equal(labelText(labels.get('a')!), 'fold · cv-a');
});

test('a parent chain that loops does not hang, and long values are shortened', () => {
  const t = texts([
    { runId: 'a', runName: 'n', tags: { 'mlflow.parentRunId': 'b' } },
    { runId: 'b', runName: 'n', tags: { 'mlflow.parentRunId': 'a' } },
    { runId: 'c', runName: 'm', tags: { 'mlflow.parentRunId': 'c' }, params: { path: 'x'.repeat(40) } },
    { runId: 'd', runName: 'm', params: { path: 'y' } },
  ]);
  assert.equal(new Set([t.a, t.b]).size, 2, JSON.stringify(t));
  assert.equal(t.c, `m (path=${'x'.repeat(23)}…)`);
  assert.equal(t.d, 'm (path=y)');
});

test('5,000 runs of one name all get different labels', () => {
  const runs: LabelledRun[] = Array.from({ length: 5000 }, (_, i) => ({ runId: `r${i}`, runName: 'train', startTime: i, params: { lr: String(i % 50), seed: String(i % 7), batch: '32' } }));
  const labels = runLabels(runs);
  assert.equal(new Set([...labels.values()].map((l) => labelText(l))).size, 5000);
  assert.equal(labelText(labels.get('r57')!), 'train (lr=7, seed=1) #1');
});
