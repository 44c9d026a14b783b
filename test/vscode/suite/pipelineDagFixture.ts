// A pipeline status as GET /api/v1/pipelines/status answers it, mid-run: the
// DAG panel's test shows it (and the screenshot is of it). A diamond
// (featurize → train_a, train_b → evaluate) after a cached prepare, then a
// register step: one step stale, one running, one failed, one not run because
// of it, one never run.
import type { PipelineStatusResponse, PipelineStepStatus } from '../../../src/protocol/pipelineApi';

const T0 = Date.parse('2026-11-27T14:00:00Z');

function step(name: string, line: number, needs: string[], rest: Partial<PipelineStepStatus>): PipelineStepStatus {
  return { name, kind: 'run', needs, line, column: 3, state: 'up to date', why: 'command, params, deps and outs unchanged', deps: [], outs: [], last: null, ...rest };
}

const last = (runId: string, status: string, durationMs: number | null, extra: { cached?: boolean; reason?: string | null; startTime?: number | null } = {}) => ({
  runId,
  status,
  startTime: extra.startTime === undefined ? T0 : extra.startTime,
  durationMs,
  cached: extra.cached ?? false,
  reason: extra.reason ?? null,
});

export function dagStatus(file: string, now = Date.now()): PipelineStatusResponse {
  return {
    file,
    name: 'churn',
    lastRun: { runId: 'a1f0c9d2e3b4a5968778695a4b3c2d1e', status: 'RUNNING', startTime: now - 95_000, endTime: null },
    steps: [
      step('prepare', 6, [], {
        deps: ['prepare.py', 'data/raw.csv'],
        outs: ['data/clean.csv'],
        last: last('0b8c4d2e9f1a4b3c8d7e6f5a4b3c2d1e', 'FINISHED', 1_200, { cached: true, startTime: now - 95_000 }),
      }),
      step('featurize', 10, ['prepare'], {
        state: 'stale',
        why: 'dep changed: features.py',
        deps: ['features.py', 'data/clean.csv'],
        outs: ['data/features.parquet'],
        last: last('1c9d5e3f0a2b4c5d9e8f7a6b5c4d3e2f', 'FINISHED', 72_000, { startTime: now - 94_000 }),
      }),
      step('train_a', 15, ['featurize'], {
        state: 'always runs',
        why: 'no outs declared',
        deps: ['train.py', 'data/features.parquet'],
        last: last('2d0e6f4a1b3c5d6e0f9a8b7c6d5e4f3a', 'RUNNING', null, { startTime: now - 21_000 }),
      }),
      step('train_b', 21, ['featurize'], {
        state: 'stale',
        why: 'its last run failed: nothing to reuse',
        deps: ['train_gbm.py', 'data/features.parquet'],
        outs: ['models/gbm.onnx'],
        last: last('3e1f7a5b2c4d6e7f1a0b9c8d7e6f5a4b', 'FAILED', 8_400, { reason: 'exit code 1: ValueError: Input contains NaN', startTime: now - 21_000 }),
      }),
      step('evaluate', 27, ['train_a', 'train_b'], {
        state: 'unknown',
        why: 'an upstream step has not finished',
        deps: ['evaluate.py', 'model.onnx'],
        outs: ['metrics.json'],
        last: last('4f2a8b6c3d5e7f8a2b1c0d9e8f7a6b5c', 'NOT_RUN', null, { reason: 'not run: train_b failed', startTime: null }),
      }),
      { ...step('register', 32, ['evaluate'], { state: 'unknown', why: 'never run', deps: ['model.onnx'] }), kind: 'register' },
    ],
    diagnostics: [],
  };
}
