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
