import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { processTable, psSeconds } from '../src/cli/tracked/processControl';
import { processTree } from '../src/cli/tracked/systemMetrics';

test('psSeconds reads ps cumulative CPU times in every format ps prints', () => {
  assert.equal(psSeconds('00:07'), 7);
  assert.equal(psSeconds('1:02.50'), 62.5);
  assert.equal(psSeconds('01:00:01'), 3601);
  assert.equal(psSeconds('2-00:00:10'), 2 * 86400 + 10);
});

test('the process table holds this process, and processTree finds a child and its grandchild', { skip: process.platform === 'win32' }, async () => {
  const table = await processTable();
  const me = table.find((p) => p.pid === process.pid);
  assert.ok(me, 'this process is listed');
  assert.ok(me.rssBytes > 1024 * 1024, 'with its resident memory');
  // sh starts a sleep as its child: the tree of sh's pid has both.
  const shell = spawn('sh', ['-c', 'sleep 5 & wait'], { stdio: 'ignore' });
  try {
    let tree: Awaited<ReturnType<typeof processTree>> = [];
    for (let i = 0; i < 50 && tree.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      tree = await processTree(shell.pid!);
    }
    assert.equal(tree.length, 2, 'sh and its sleep');
    assert.ok(tree.some((p) => p.ppid === shell.pid));
  } finally {
    shell.kill('SIGKILL');
  }
});
