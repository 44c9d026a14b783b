import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAgo } from '../src/protocol/displayFormat';
import { runDescription } from '../src/extension/experiments/runRowText';
import { versionDescription } from '../src/extension/models/versionRowText';
import { pipelineDescription, stepDescription } from '../src/extension/pipelines/pipelineRowText';
import type { RunsTableRow, ModelVersionSummary } from '../src/protocol/native';
import type { PipelineStatusResponse, PipelineStepStatus } from '../src/protocol/pipelineApi';

// The rows of the Experiments, Models and Pipelines views in a 290 px side bar:
// about 32 characters of label and description show before the ellipsis, so
// what a person needs at a glance (status, the key metric, the alias, how long
// ago) comes first and the rest after it (all of it is in the tooltips).

const NOW = new Date(2026, 11, 8, 15, 0, 0).getTime();
const MIN = 60_000;
const HOUR = 60 * MIN;
const SHOWN = 32;

/** The part is on screen: it ends within the first SHOWN characters of "label description". */
function shown(label: string, description: string, part: string): void {
  const row = `${label} ${description}`;
  const at = row.indexOf(part);
  assert.ok(at >= 0, `"${part}" is not in "${row}"`);
  assert.ok(at + part.length <= SHOWN, `"${part}" ends at character ${at + part.length} of "${row}": a 290 px side bar cuts it off`);
}

test('how long ago reads short: just now, minutes, hours, days, then the date', () => {
  assert.equal(formatAgo(NOW - 20_000, NOW), 'just now');
  assert.equal(formatAgo(NOW + 5_000, NOW), 'just now', 'a clock a little ahead is not "in the future"');
  assert.equal(formatAgo(NOW - 5 * MIN, NOW), '5m ago');
  assert.equal(formatAgo(NOW - 2 * HOUR - 10 * MIN, NOW), '2h ago');
  assert.equal(formatAgo(NOW - 3 * 24 * HOUR, NOW), '3d ago');
  assert.equal(formatAgo(new Date(2026, 10, 2, 9, 0).getTime(), NOW), '2026-11-02');
});

function run(over: Partial<RunsTableRow>): RunsTableRow {
  return { runId: 'r1', runName: 'train', experimentId: '1', status: 'FINISHED', lifecycleStage: 'active', startTime: NOW - 2 * HOUR - 185_000, endTime: NOW - 2 * HOUR, userId: 'me', params: {}, tags: {}, metrics: {}, ...over };
}

test('a run\'s row: its metric first, then how long ago, then how long it took', () => {
  const finished = run({ metrics: { accuracy: 0.91234, loss: 0.3 } });
  assert.equal(runDescription(finished, NOW), 'accuracy 0.9123 · 2h ago · took 3m 05s');
  shown('train', runDescription(finished, NOW), 'accuracy 0.9123 · 2h ago');
});

test('a pipeline\'s run shows its gate\'s metric by its own name (the step is in the tooltip)', () => {
  const pipelineRun = run({ runName: 'churn', tags: { 'mlops.pipeline.gateMetrics': 'evaluate/auc' }, metrics: { 'evaluate/auc': 0.8213, 'train/loss': 0.2 } });
  assert.equal(runDescription(pipelineRun, NOW), 'auc 0.8213 · 2h ago · took 3m 05s');
  shown('churn', runDescription(pipelineRun, NOW), 'auc 0.8213 · 2h ago');
});

test('a failed or killed run says so first; a running one counts its time; a deleted one says it first', () => {
  assert.equal(runDescription(run({ status: 'FAILED', metrics: {} }), NOW), 'failed · 2h ago · took 3m 05s');
  assert.equal(runDescription(run({ status: 'KILLED', metrics: { loss: 0.5 } }), NOW), 'killed · loss 0.5 · 2h ago · took 3m 05s');
  assert.equal(runDescription(run({ status: 'RUNNING', startTime: NOW - 42_000, endTime: null, metrics: { loss: 0.5 } }), NOW), 'loss 0.5 · running 42s');
  assert.equal(runDescription(run({ lifecycleStage: 'deleted', metrics: { loss: 0.5 } }), NOW), 'deleted · loss 0.5 · 2h ago · took 3m 05s');
  shown('a-long-run-name', runDescription(run({ status: 'FAILED' }), NOW), 'failed');
});

function version(over: Partial<ModelVersionSummary>): ModelVersionSummary {
  return {
    version: '1',
    uri: 'models:/churn/1',
    creationTimestamp: NOW - 3 * HOUR,
    lastUpdatedTimestamp: NOW - 3 * HOUR,
    stage: 'None',
    status: 'READY',
    statusMessage: null,
    description: '',
    source: 'runs:/r1/model/model.onnx',
    runId: 'r1',
    aliases: [],
    tags: {},
    format: 'onnx',
    servable: true,
    primaryPath: 'model.onnx',
    sha256: null,
    size: null,
    fileCount: 1,
    signature: null,
    features: null,
    run: { runId: 'r1', runName: 'train', experimentId: '1', status: 'FINISHED', lifecycleStage: 'active', startTime: null, endTime: null, metrics: { accuracy: 0.8, loss: 0.4 } },
    ...over,
  };
}

test('a model version\'s row: its alias, the metric that let it in, how long ago, then format and source run', () => {
  const gated = version({ aliases: ['challenger'], gate: { when: 'evaluate.metrics.auc >= 0.8', result: 'auc 0.91', metrics: { 'evaluate/auc': 0.9134 }, pipelineRunId: 'p1' } });
  assert.equal(versionDescription(gated, NOW), '@challenger · auc 0.9134 · 3h ago · onnx · train');
  shown('v1', versionDescription(gated, NOW), '@challenger · auc 0.9134');
});

test('without a gate the source run\'s main metric shows; a moved alias says from where; a stage and a failed registration come early', () => {
  assert.equal(versionDescription(version({ aliases: ['champion'] }), NOW), '@champion · accuracy 0.8 · 3h ago · onnx · train');
  const moved = version({ aliases: ['challenger'], aliasMoves: { challenger: { from: '2', at: NOW - HOUR, by: 'pipeline gated' } }, run: null, runId: 'gone', format: 'other', servable: false });
  assert.equal(versionDescription(moved, NOW), '@challenger (from v2) · 3h ago · other format · run gone');
  assert.equal(versionDescription(version({ stage: 'Production', run: null, runId: null }), NOW), 'Production · 3h ago · onnx');
  assert.equal(versionDescription(version({ status: 'FAILED_REGISTRATION', run: null, runId: null }), NOW), 'registration failed · 3h ago · onnx');
});

function step(over: Partial<PipelineStepStatus>): PipelineStepStatus {
  return { name: 'train', kind: 'run', needs: [], line: 1, column: 1, state: 'up to date', why: '', deps: [], outs: [], last: null, ...over };
}

function pipeline(over: Partial<PipelineStatusResponse>): PipelineStatusResponse {
  return { file: 'pipes/churn.pipeline.yaml', name: 'churn', lastRun: null, steps: [], diagnostics: [], ...over };
}

const LAST = { runId: 'p1', status: 'FINISHED', startTime: NOW - 2 * HOUR - 185_000, endTime: NOW - 2 * HOUR };

test('a pipeline\'s row: its last outcome (unless finished) and how long ago, the gate\'s metric, then what is stale or set, the time it took and the file', () => {
  const done = pipeline({ lastRun: { ...LAST, metrics: [{ key: 'evaluate/auc', value: 0.8213, gate: true }, { key: 'train/loss', value: 0.2, gate: false }] } });
  // Finished is its icon: the row says when.
  assert.equal(pipelineDescription(done, 'pipes/churn.pipeline.yaml', NOW), '2h ago · auc 0.8213 · took 3m 05s · pipes/churn.pipeline.yaml');
  shown('churn', pipelineDescription(done, 'churn.pipeline.yaml', NOW), '2h ago · auc 0.8213');

  const staleStep = step({ state: 'stale', last: { status: 'FINISHED', cached: false, durationMs: 420, runId: 's1', startTime: LAST.startTime, reason: null } });
  const setAndStale = pipeline({ lastRun: { ...LAST, status: 'FAILED', overrides: { n: '7' } }, steps: [staleStep] });
  assert.equal(pipelineDescription(setAndStale, 'churn.pipeline.yaml', NOW), 'failed 2h ago · 1 stale · set n=7 · took 3m 05s · churn.pipeline.yaml');
  assert.equal(pipelineDescription(pipeline({}), 'churn.pipeline.yaml', NOW), 'never run · churn.pipeline.yaml');
  assert.equal(pipelineDescription(pipeline({ lastRun: { ...LAST, status: 'RUNNING', startTime: NOW - 12_000, endTime: null } }), 'churn.pipeline.yaml', NOW), 'running 12s · churn.pipeline.yaml');
  const broken = pipeline({ diagnostics: [{ line: 1, column: 1, endLine: 1, endColumn: 2, message: 'x', severity: 'error', code: 'schema' }] });
  assert.equal(pipelineDescription(broken, 'churn.pipeline.yaml', NOW), '1 problem · churn.pipeline.yaml');
});

test('a step\'s row: what needs a look (failed, stale) before how long it took', () => {
  const last: NonNullable<PipelineStepStatus['last']> = { status: 'FINISHED', cached: false, durationMs: 420, runId: 's1', startTime: LAST.startTime, reason: null };
  assert.equal(stepDescription(step({ last })), '420 ms');
  assert.equal(stepDescription(step({ last, state: 'stale' })), '● stale · 420 ms');
  assert.equal(stepDescription(step({ last, state: 'stale', differsFromLastRun: [{ param: 'n', lastRun: '7', fileDefault: '2' }] })), 'ran with n=7 · 420 ms');
  assert.equal(stepDescription(step({ last: { ...last, status: 'FAILED', durationMs: 2100 } })), 'failed · 2s');
  assert.equal(stepDescription(step({ last: { ...last, cached: true } })), 'cached');
  assert.equal(stepDescription(step({})), 'never run');
});
