import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCycles } from '../src/core/pipeline/dagCycles';
import { planPipeline } from '../src/core/pipeline/plan';
import { PipelineError, type PipelineStepSpec } from '../src/core/pipeline/pipelineTypes';

const steps = (spec: Record<string, string[]>) => ({
  steps: Object.fromEntries(Object.entries(spec).map(([name, needs]): [string, PipelineStepSpec] => [name, { run: `echo ${name}`, needs }])),
});

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof PipelineError && message.test(e.message), `expected ${message}`);
}

// prepare ─┬─ train_a ─┬─ evaluate ── register
//          └─ train_b ─┘
//  lint (independent)
const diamond = steps({ prepare: [], train_a: ['prepare'], train_b: ['prepare'], lint: [], evaluate: ['train_b', 'train_a'], register: ['evaluate'] });

test('order puts each step after its needs, file order among ready steps; levels run side by side', () => {
  assert.deepEqual(planPipeline(diamond), {
    order: ['prepare', 'train_a', 'train_b', 'lint', 'evaluate', 'register'],
    levels: [['prepare', 'lint'], ['train_a', 'train_b'], ['evaluate'], ['register']],
  });
});

test('the order is stable: file order decides, not names or needs order', () => {
  const a = planPipeline(steps({ z: [], y: [], x: ['z', 'y'], w: [] }));
  assert.deepEqual(a.order, ['z', 'y', 'x', 'w']);
  assert.deepEqual(a.levels, [['z', 'y', 'w'], ['x']]);
  // A step listed before what it needs still comes after it; the others keep their places.
  assert.deepEqual(planPipeline(steps({ report: ['train'], train: [], other: [] })).order, ['train', 'report', 'other']);
  for (let i = 0; i < 5; i++) assert.deepEqual(planPipeline(diamond), planPipeline(diamond));
});

test('--step runs only the named steps, their needs taken as done', () => {
  assert.deepEqual(planPipeline(diamond, { steps: ['evaluate'] }), { order: ['evaluate'], levels: [['evaluate']] });
  assert.deepEqual(planPipeline(diamond, { steps: ['register', 'train_a'] }), { order: ['train_a', 'register'], levels: [['train_a', 'register']] });
  assert.deepEqual(planPipeline(diamond, { steps: ['evaluate', 'register'] }).levels, [['evaluate'], ['register']]);
});

test('fromStep runs the step and everything downstream of it', () => {
  assert.deepEqual(planPipeline(diamond, { fromStep: 'train_b' }), { order: ['train_b', 'evaluate', 'register'], levels: [['train_b'], ['evaluate'], ['register']] });
  assert.deepEqual(planPipeline(diamond, { fromStep: 'prepare' }).order, ['prepare', 'train_a', 'train_b', 'evaluate', 'register']);
  assert.deepEqual(planPipeline(diamond, { fromStep: 'lint' }).order, ['lint']);
});

test('unknown steps are refused, naming them, the closest match and the steps there are', () => {
  refused(() => planPipeline(diamond, { steps: ['evalute'] }), /--step evalute: no such step; did you mean "evaluate"\? \(steps: prepare, train_a, train_b, lint, evaluate, register\)/);
  refused(() => planPipeline(diamond, { fromStep: 'deploy' }), /--from-step deploy: no such step \(steps:/);
  refused(() => planPipeline(diamond, { steps: ['lint'], fromStep: 'lint' }), /not both/);
  refused(() => planPipeline(steps({ a: ['prepar'], prepare: [] })), /step "a" needs "prepar", which is not a step; did you mean "prepare"\?/);
});

test('cycles of length 1, 2 and 3 are refused, naming the steps in order', () => {
  refused(() => planPipeline(steps({ a: ['a'] })), /cycle: a → a$/);
  refused(() => planPipeline(steps({ a: ['b'], b: ['a'] })), /cycle: a → b → a$/);
  refused(() => planPipeline(steps({ start: [], a: ['start', 'c'], b: ['a'], c: ['b'] })), /cycle: a → c → b → a$/);
});

test('findCycles reports the needs entry that closes each cycle', () => {
  const needs = new Map<string, string[]>([['a', ['b']], ['b', ['x', 'a']], ['c', ['c']]]);
  assert.deepEqual(findCycles(needs), [
    { path: ['a', 'b', 'a'], step: 'b', needIndex: 1 },
    { path: ['c', 'c'], step: 'c', needIndex: 0 },
  ]);
});
