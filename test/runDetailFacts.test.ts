// What the run detail panel says about a run from what the run recorded: why it
// has no pip freeze (only when that is true), and which of its files a
// registered model version came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipFreezeNote } from '../src/extension/panels/pipFreezeNote';
import { registrationPaths } from '../src/extension/panels/runDetailData';
import { pythonInterpreterOf } from '../src/protocol/pythonCommand';

const run = (status: string, tags: Record<string, string>) => ({ status, tags });

test('a run with a pip freeze needs no note; one not started by mlops run gets none', () => {
  assert.equal(pipFreezeNote(run('FINISHED', { 'mlops.command': '["bash","x.sh"]' }), true), null);
  assert.equal(pipFreezeNote(run('FINISHED', {}), false), null, 'an MLflow client run: nothing was meant to be recorded');
  assert.equal(pipFreezeNote(run('FINISHED', { 'mlops.command': 'not json' }), false), null);
});

test('a pipeline step or a pipeline run is not called "not a Python interpreter"', () => {
  const step = pipFreezeNote(run('FINISHED', { 'mlops.pipeline': 'churn', 'mlops.pipeline.step': 'train', 'mlops.command': 'python3 train.py', 'mlops.pid': '12' }), false);
  assert.equal(step, 'No pip freeze: pipeline steps do not record one (mlops run does).');
  const parent = pipFreezeNote(run('FINISHED', { 'mlops.pipeline': 'churn', 'mlops.host': 'h', 'mlops.pid': '12' }), false);
  assert.equal(parent, 'No pip freeze: a pipeline run; its steps ran the commands.');
});

test('mlops run with Python: recording while it runs, and a missing freeze after it says why', () => {
  const python = { 'mlops.command': '["python3","train.py"]', 'mlops.host': 'h', 'mlops.pid': '12' };
  assert.equal(pipFreezeNote(run('RUNNING', python), false), 'The pip freeze is being recorded…');
  assert.match(pipFreezeNote(run('FINISHED', { ...python, 'mlops.python.version': '3.11.7' }), false) ?? '', /requirements\.txt is missing/);
  assert.equal(pipFreezeNote(run('FINISHED', python), false), 'No pip freeze: python3 could not be run to read its environment.');
  const venv = { ...python, 'mlops.command': '[".venv/bin/python3.11","-m","train"]' };
  assert.equal(pipFreezeNote(run('RUNNING', venv), false), 'The pip freeze is being recorded…');
});

test('mlops run with another program names it', () => {
  const note = pipFreezeNote(run('FINISHED', { 'mlops.command': '["uv","run","train.py"]' }), false);
  assert.equal(note, 'No pip freeze: mlops run records one when the command starts with a Python interpreter (python3 train.py); this one starts with uv.');
});

test('pythonInterpreterOf: Python by the program name, on any platform', () => {
  for (const c of [['python'], ['python3', 'x.py'], ['/usr/bin/python3.11'], ['C:\\Python312\\python.exe', 'x.py'], ['.venv/bin/python']]) assert.equal(pythonInterpreterOf(c), c[0], c[0]);
  for (const c of [['bash', 'python3'], ['uv', 'run', 'python'], ['pythonista'], []]) assert.equal(pythonInterpreterOf(c), undefined, String(c[0]));
});

test('a registered version points at the run\'s file: runs:/ and proxied sources, and a pipeline out kept under outs/', () => {
  const id = 'abc123';
  assert.deepEqual(registrationPaths(`runs:/${id}/model/model.onnx`, id, '/ws'), ['model/model.onnx']);
  assert.deepEqual(registrationPaths(`runs:/${id}/model/`, id, '/ws'), ['model']);
  assert.deepEqual(registrationPaths(`mlflow-artifacts:/7/${id}/artifacts/model.onnx`, id, '/ws'), ['model.onnx']);
  assert.deepEqual(registrationPaths('/ws/models/churn.onnx', id, '/ws'), ['outs/models/churn.onnx', 'models/churn.onnx']);
  assert.deepEqual(registrationPaths('/elsewhere/churn.onnx', id, '/ws'), []);
  assert.deepEqual(registrationPaths(`runs:/other/model.onnx`, id, '/ws'), []);
});
