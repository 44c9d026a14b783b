import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCandidates } from '../src/extension/panels/compareCandidates';
import type { RunsTableRow } from '../src/protocol/native';

function trial(runId: string, lr: string, startTime: number): RunsTableRow {
  return { runId, runName: 'trial', experimentId: '1', status: 'FINISHED', lifecycleStage: 'active', startTime, endTime: startTime + 1, userId: 'u', params: { lr }, tags: {}, metrics: { 'system/cpu': 3, val_auc: 0.8123456 } };
}

test('Compare Runs asks among the runs, told apart as the runs table does, the selected ones picked', () => {
  const candidates = compareCandidates([trial('a1234567890', '0.1', 2000), trial('b1234567890', '0.3', 1000)], ['b1234567890'], 62_000);
  assert.deepEqual(
    candidates.map((c) => [c.label, c.description, c.picked]),
    [
      ['trial (lr=0.1)', 'val_auc 0.8123 · 1m ago · a1234567', false],
      ['trial (lr=0.3)', 'val_auc 0.8123 · 1m ago · b1234567', true],
    ],
  );
});
