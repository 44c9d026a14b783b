// What the DAG panel's buttons ask VS Code to run: the pipeline commands with
// `{ file, step }` (the Pipelines feature registers them), a step's run in the
// run panel by its id, and nothing for the panel's own bookkeeping messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dagCommandFor } from '../src/extension/panels/pipelineDagActions';
import { pipelineDagToHost } from '../src/protocol/pipelineDagMessages';

const FILE = '/ws/churn.pipeline.yaml';

test('each step action runs its command with the file and the step', () => {
  assert.deepEqual(dagCommandFor({ type: 'runStep', step: 'train' }, FILE)?.args, [{ file: FILE, step: 'train' }]);
  assert.equal(dagCommandFor({ type: 'runStep', step: 'train' }, FILE)?.command, 'mlops.pipelines.runStep');
  assert.equal(dagCommandFor({ type: 'runFromStep', step: 'train' }, FILE)?.command, 'mlops.pipelines.runFromStep');
  assert.deepEqual(dagCommandFor({ type: 'revealStep', step: 'evaluate' }, FILE), { command: 'mlops.pipelines.revealStep', args: [{ file: FILE, step: 'evaluate' }], title: 'Go to evaluate' });
  assert.deepEqual(dagCommandFor({ type: 'runPipeline' }, FILE)?.args, [{ file: FILE }]);
  // mlops.openRun takes a run id, as from every other panel.
  assert.deepEqual(dagCommandFor({ type: 'openStepRun', runId: 'abc123' }, FILE)?.args, ['abc123']);
  assert.equal(dagCommandFor({ type: 'openStepRun', runId: 'abc123' }, FILE)?.command, 'mlops.openRun');
  assert.equal(dagCommandFor({ type: 'ready' }, FILE), undefined);
});

test('the webview\'s messages are checked before anything runs', () => {
  assert.equal(pipelineDagToHost.safeParse({ type: 'runStep' }).success, false, 'a step is required');
  assert.equal(pipelineDagToHost.safeParse({ type: 'runStep', step: '' }).success, false);
  assert.equal(pipelineDagToHost.safeParse({ type: 'openStepRun', runId: '' }).success, false);
  assert.equal(pipelineDagToHost.safeParse({ type: 'deleteEverything' }).success, false);
  assert.equal(pipelineDagToHost.safeParse({ type: 'runFromStep', step: 'train' }).success, true);
});
