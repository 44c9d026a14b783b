import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idleStatus } from '../src/extension/idleStatus';

test('the status bar says "open a folder" only without one; an untrusted folder is in Restricted Mode, and a click trusts it', () => {
  assert.deepEqual(idleStatus(0, true), { tooltip: 'MLOps Workbench: open a folder to track runs.' });
  const restricted = idleStatus(1, false);
  assert.match(restricted.tooltip, /Restricted Mode/);
  assert.doesNotMatch(restricted.tooltip, /open a folder/);
  assert.match(restricted.tooltip, /trust/i);
  assert.equal(restricted.command, 'workbench.trust.manage');
});
