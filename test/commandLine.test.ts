import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCommandLine } from '../src/extension/runs/commandLine';

test('splitCommandLine splits like a shell for plain command lines, without expanding anything', () => {
  assert.deepEqual(splitCommandLine('python3 train.py --lr 0.1'), ['python3', 'train.py', '--lr', '0.1']);
  assert.deepEqual(splitCommandLine(`  python3   "my script.py" 'a b' c\\ d  `), ['python3', 'my script.py', 'a b', 'c d']);
  assert.deepEqual(splitCommandLine(`echo "say \\"hi\\"" '$HOME' ""`), ['echo', 'say "hi"', '$HOME', '']);
  assert.deepEqual(splitCommandLine('make train'), ['make', 'train']);
  assert.deepEqual(splitCommandLine(''), []);
});

test('splitCommandLine reports an unterminated quote', () => {
  assert.equal(splitCommandLine('python3 "train.py'), 'unterminated " quote');
  assert.equal(splitCommandLine("echo 'x"), "unterminated ' quote");
});
