// How the DAG panel reads a step's status (webview/pipelineDag/stepStatus.ts):
// the box's colour class from the last execution, the badges, the duration and
// the tooltip, without a DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { badges, durationText, nodeStatus, tooltipLines } from '../webview/pipelineDag/stepStatus';
import type { PipelineStepStatus } from '../src/protocol/pipelineApi';

function step(last: Partial<NonNullable<PipelineStepStatus['last']>> | null, rest: Partial<PipelineStepStatus> = {}): PipelineStepStatus {
  return {
    name: 'train',
    kind: 'run',
    needs: ['prepare'],
    line: 4,
    column: 3,
    state: 'up to date',
    why: '',
    deps: ['train.py'],
    outs: ['model.onnx'],
    last: last && { runId: 'r1', status: 'FINISHED', startTime: 1_000, durationMs: 65_000, cached: false, reason: null, ...last },
    ...rest,
  };
}

test('a step\'s box shows its last execution; never run is its own status', () => {
  assert.equal(nodeStatus(step(null)), 'never');
  assert.equal(nodeStatus(step({})), 'finished');
  assert.equal(nodeStatus(step({ cached: true })), 'cached');
  assert.equal(nodeStatus(step({ status: 'FAILED' })), 'failed');
  assert.equal(nodeStatus(step({ status: 'RUNNING', durationMs: null })), 'running');
  assert.equal(nodeStatus(step({ status: 'KILLED' })), 'killed');
  assert.equal(nodeStatus(step({ status: 'NOT_RUN' })), 'not-run');
});

test('badges say it was reused from the cache and what a run now would do', () => {
  assert.deepEqual(badges(step({ cached: true })), ['cached']);
  assert.deepEqual(badges(step({}, { state: 'stale', why: 'dep changed: train.py' })), ['stale']);
  assert.deepEqual(badges(step(null, { state: 'always runs' })), ['always']);
  assert.deepEqual(badges(step({}, { state: 'unknown' })), []);
});

test('durations read as everywhere else; a running step counts from its start', () => {
  assert.equal(durationText(step({})), '1m 05s');
  assert.equal(durationText(step({ status: 'RUNNING', durationMs: null, startTime: 10_000 }), 52_000), '42s');
  assert.equal(durationText(step(null)), '');
});

test('the tooltip says why a step is stale, what its last run did and its files', () => {
  const lines = Object.fromEntries(tooltipLines(step({ status: 'FAILED', reason: 'exit code 1' }, { state: 'stale', why: 'dep changed: train.py' })).map((l) => [l.label, l.text]));
  assert.equal(lines.Now, 'stale: dep changed: train.py');
  assert.match(lines['Last run'], /^failed · 1m 05s/);
  assert.equal(lines.Reason, 'exit code 1');
  assert.equal(lines.Deps, 'train.py');
  assert.equal(lines.Outs, 'model.onnx');
  assert.equal(Object.fromEntries(tooltipLines(step(null)).map((l) => [l.label, l.text]))['Last run'], 'never run');
});
