import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { PipelineFile } from '../src/core/pipeline/pipelineTypes';
import { checkPipelineShape, pipelineJsonSchema, type PipelineFile as WirePipelineFile } from '../src/protocol/pipelineFile';

// Core's plain types and the protocol's zod type must stay the same shape (core does
// not import the protocol, so this is where the two meet). Fails to compile otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const pipelinesMatch: Same<PipelineFile, WirePipelineFile> = true;
void pipelinesMatch;

const SCHEMA_FILE = 'schemas/pipeline.schema.json';

test('schemas/pipeline.schema.json is the schema the zod one generates (MLOPS_WRITE_SCHEMA=1 rewrites it)', () => {
  const generated = JSON.stringify(pipelineJsonSchema(), null, 2) + '\n';
  if (process.env.MLOPS_WRITE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, generated);
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), generated, `${SCHEMA_FILE} is stale: run npm run schema`);
});

test('the JSON Schema says what an editor needs: required keys, step name pattern, run or register, no unknown keys', () => {
  const s = pipelineJsonSchema() as any;
  assert.match(s.$schema, /2020-12/);
  assert.deepEqual(s.required.sort(), ['name', 'steps']);
  assert.equal(s.additionalProperties, false);
  assert.equal(s.properties.steps.propertyNames.pattern, '^[A-Za-z_][\\w-]*$');
  const step = s.properties.steps.additionalProperties;
  assert.deepEqual(step.oneOf, [{ required: ['run'] }, { required: ['register'] }, { required: ['deploy'] }]);
  assert.equal(step.additionalProperties, false);
  assert.equal(step.properties.retries.type, 'integer');
  assert.equal(step.properties.retries.minimum, 0);
  assert.ok(step.properties.timeout.pattern);
  assert.deepEqual(Object.keys(step.properties.register.properties).sort(), ['alias', 'features', 'model', 'path', 'when']);
  assert.ok(step.properties.run.description);
});

test('the example pipeline from the issue is valid', () => {
  const r = checkPipelineShape({
    name: 'churn',
    experiment: 'churn',
    params: { lr: 0.1, epochs: 20, tag: 'x', fast: false },
    steps: {
      prepare: { run: 'python3 prepare.py', deps: ['prepare.py'], outs: ['data/clean.csv'] },
      train: { needs: ['prepare'], run: 'python3 train.py --lr ${params.lr}', retries: 1, timeout: '30m', retry_backoff: '10s', params: ['lr'], env: ['CUDA_VISIBLE_DEVICES'] },
      evaluate: { needs: ['train'], run: 'python3 evaluate.py', metrics: 'metrics.json' },
      register: { needs: ['evaluate'], register: { model: 'churn', path: 'model.onnx', alias: 'challenger', when: 'evaluate.metrics.auc >= 0.8' } },
    },
  });
  assert.equal(r.ok, true);
});

test('schema issues come back as paths with messages a person can act on', () => {
  const r = checkPipelineShape({ name: 'p', steps: { '1bad': { run: 'x' }, both: { run: 'x', register: { model: 'm', path: 'p' } }, none: {}, t: { run: 'x', timeout: 'soon', retries: -1, colour: 'red' } } });
  assert.equal(r.ok, false);
  if (r.ok) return;
  const byPath = new Map(r.issues.map((i) => [i.path.join('.'), i]));
  assert.match(byPath.get('steps.1bad')!.message, /starts with a letter/);
  assert.equal(byPath.get('steps.1bad')!.atKey, true);
  assert.match(byPath.get('steps.both')!.message, /not several/);
  assert.match(byPath.get('steps.none')!.message, /needs "run", "register" or "deploy"/);
  assert.match(byPath.get('steps.t.timeout')!.message, /"30m"/);
  assert.ok(byPath.get('steps.t.retries'));
  assert.match(byPath.get('steps.t.colour')!.message, /unknown key "colour" \(expected one of run, register, deploy, needs/);
  const missing = checkPipelineShape({ steps: {} });
  assert.ok(!missing.ok && missing.issues.some((i) => i.message === 'missing "name" (string)' && i.atKey));
});
