import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childRunsOf } from '../src/extension/experiments/childRuns';
import type { RunsTableRow } from '../src/protocol/native';

function run(runId: string, startTime: number, tags: Record<string, string> = {}): RunsTableRow {
  return { runId, runName: runId, experimentId: '1', status: 'FINISHED', lifecycleStage: 'active', startTime, endTime: startTime + 1, userId: 'u', params: {}, tags, metrics: {} };
}

test('the Experiments view lists a pipeline run\'s steps in the order they ran, other children newest first', () => {
  const pipeline = run('churn', 1000, { 'mlops.pipeline': 'churn' });
  const child = (id: string, at: number, parent: string) => run(id, at, { 'mlflow.parentRunId': parent });
  // As the backend lists runs: newest first.
  const runs = [child('register', 1400, 'churn'), child('evaluate', 1300, 'churn'), child('train', 1200, 'churn'), child('prepare', 1100, 'churn'), pipeline, child('other', 1250, 'elsewhere')];
  assert.deepEqual(childRunsOf(pipeline, runs).map((r) => r.runId), ['prepare', 'train', 'evaluate', 'register']);

  const sweep = run('sweep', 1000);
  const trials = [child('trial-3', 1300, 'sweep'), child('trial-2', 1200, 'sweep'), child('trial-1', 1100, 'sweep')];
  assert.deepEqual(childRunsOf(sweep, trials).map((r) => r.runId), ['trial-3', 'trial-2', 'trial-1']);
});
