import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debugpyCommand } from '../src/cli/tracked/debugpyCommand';
import { makeWorkspace, runCli } from './helpers/testServer';

test('debugpyCommand puts debugpy between the interpreter (and its options) and the script or module', () => {
  const at = '127.0.0.1:5678';
  const tail = ['-m', 'debugpy', '--connect', at, '--wait-for-client'];
  assert.deepEqual(debugpyCommand(['python3', 'train.py', '--lr', '1'], at), ['python3', ...tail, 'train.py', '--lr', '1']);
  assert.deepEqual(debugpyCommand(['/venv/bin/python', '-u', '-X', 'dev', 'train.py'], at), ['/venv/bin/python', '-u', '-X', 'dev', ...tail, 'train.py']);
  assert.deepEqual(debugpyCommand(['python', '-m', 'pkg.train', '--epochs', '2'], at), ['python', ...tail, '-m', 'pkg.train', '--epochs', '2']);
});

test('debugpyCommand refuses what it cannot debug, saying why', () => {
  assert.match(String(debugpyCommand(['bash', 'x.sh'], '127.0.0.1:1')), /"bash" is not a Python interpreter/);
  assert.match(String(debugpyCommand(['python3'], '127.0.0.1:1')), /needs a script or -m module/);
  assert.match(String(debugpyCommand(['python3', 'x.py'], 'nowhere')), /HOST:PORT/);
});

test('mlops run --debug-connect without debugpy importable fails before recording a run, with the fix', async (t) => {
  if (spawnSync('python3', ['-c', 'import debugpy']).status === 0) return t.skip('debugpy is installed for python3 here');
  const ws = makeWorkspace('mlops-debug-');
  writeFileSync(join(ws, 'train.py'), 'print("hi")\n');
  const probe = await runCli(['run', '--debug-connect', '127.0.0.1:9', '--', 'python3', 'train.py'], { cwd: ws });
  assert.equal(probe.code, 2);
  assert.match(probe.stderr, /cannot import debugpy/);
  assert.match(probe.stderr, /Python Debugger extension|pip install debugpy/);
  assert.equal(existsSync(join(ws, '.mlops')), false, 'no store, no run created');
});
