import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace } from './helpers/testServer';
import { FileHashMemo, hashPath } from '../src/core/pipeline';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('the server\'s hash memo answers from memory while a file is untouched, and rehashes any change, even one that keeps size and mtime', async () => {
  const dir = makeWorkspace('mlops-hash-memo-');
  const file = join(dir, 'data.csv');
  writeFileSync(file, 'a,b\n1,2\n');
  const memo = new FileHashMemo();
  assert.equal(await hashPath(dir, 'data.csv', memo), sha('a,b\n1,2\n'));
  assert.equal(await hashPath(dir, 'data.csv', memo), sha('a,b\n1,2\n'));

  // Same size, mtime put back: the inode's change time still moves, so the memo notices.
  const before = statSync(file);
  await new Promise((r) => setTimeout(r, 20));
  writeFileSync(file, 'a,b\n3,4\n');
  utimesSync(file, before.atime, before.mtime);
  assert.equal(await hashPath(dir, 'data.csv', memo), sha('a,b\n3,4\n'));

  // A folder dep through the memo is the same digest as without it.
  writeFileSync(join(dir, 'other.txt'), 'x');
  assert.equal(await hashPath(dir, '.', memo), await hashPath(dir, '.'));

  // Bounded: the oldest entries go first.
  const small = new FileHashMemo(1);
  await small.sha256(file, statSync(file));
  await small.sha256(join(dir, 'other.txt'), statSync(join(dir, 'other.txt')));
  assert.equal((small as unknown as { entries: Map<string, unknown> }).entries.size, 1);
});
