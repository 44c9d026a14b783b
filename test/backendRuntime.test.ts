import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRuntime, describeTried } from '../src/extension/backend/backendRuntime';
import { REPO } from './helpers/testServer';

test('the backend runtime is the first Node whose ABI matches the build (dist/build-info.json)', async () => {
  const choice = await chooseRuntime(REPO, undefined);
  assert.equal(choice.ok, true);
  if (choice.ok) {
    assert.equal(choice.runtime.abi, process.versions.modules);
    assert.equal(choice.runtime.source, 'PATH');
  }
});

test('a runtime named in the setting is used or reported, never silently replaced', async () => {
  const good = await chooseRuntime(REPO, process.execPath);
  assert.equal(good.ok && good.runtime.source, 'setting');
  const bad = await chooseRuntime(REPO, '/nonexistent/node');
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.tried.length, 1);
    const message = describeTried(bad);
    assert.match(message, new RegExp(`needs a Node.js runtime with ABI ${process.versions.modules}`));
    assert.match(message, /setting \(\/nonexistent\/node\): could not run it/);
  }
});

test('params typed for "Run Current File with Tracking" parse as key=value pairs', async () => {
  // The parser has no VS Code dependency of its own; load it without the vscode module.
  const { parseParams } = await import('../src/extension/runs/runParams');
  assert.deepEqual(parseParams('lr=0.1 epochs=20,  model=cnn'), { lr: '0.1', epochs: '20', model: 'cnn' });
  assert.deepEqual(parseParams(''), {});
  assert.equal(parseParams('lr 0.1'), '"lr" is not key=value');
  assert.deepEqual(parseParams('expr=a=b'), { expr: 'a=b' });
});
