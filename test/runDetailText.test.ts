import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collapseCarriageReturns, fromLineStart, readableLog, stripAnsi } from '../src/extension/panels/runLogText';
import { previewKind, imageMimeType } from '../src/protocol/artifactPreview';
import { parseDelimited } from '../webview/runDetail/csv';

// Pure helpers of the run detail panel: how output, artifact names and tables are read.

test('stripAnsi removes colours, cursor moves and window titles, and keeps the text', () => {
  const coloured = '\u001b[1m\u001b[32mepoch 1\u001b[0m loss=\u001b[31m0.5\u001b[39m';
  assert.equal(stripAnsi(coloured), 'epoch 1 loss=0.5');
  assert.equal(stripAnsi('\u001b[2K\u001b[1Gdone'), 'done');
  assert.equal(stripAnsi('\u001b]0;my title\u0007after'), 'after');
  assert.equal(stripAnsi('\u001b]8;;https://x\u001b\\link\u001b]8;;\u001b\\'), 'link');
  assert.equal(stripAnsi('plain [not an escape] 100%'), 'plain [not an escape] 100%');
});

test('carriage-return progress bars collapse to their final state; CRLF line ends stay lines', () => {
  assert.equal(collapseCarriageReturns('10%\r50%\r100%\nnext'), '100%\nnext');
  assert.equal(collapseCarriageReturns('a\r\nb\r\n'), 'a\nb\n');
  assert.equal(readableLog('\u001b[32m 1/3\u001b[0m\r 3/3\n'), ' 3/3\n');
});

test('a tail read from the middle of a log starts at the next line', () => {
  assert.equal(fromLineStart('ial line\nwhole line\n', true), 'whole line\n');
  assert.equal(fromLineStart('first line\n', false), 'first line\n');
  assert.equal(fromLineStart('no newline at all', true), 'no newline at all');
});

test('previewKind picks the preview from the file name', () => {
  for (const f of ['plots/loss.png', 'a.JPG', 'b.jpeg', 'c.gif', 'd.svg', 'e.webp']) assert.equal(previewKind(f), 'image', f);
  assert.equal(previewKind('metrics.json'), 'json');
  assert.equal(previewKind('data/preds.csv'), 'csv');
  assert.equal(previewKind('data/preds.tsv'), 'tsv');
  for (const f of ['logs/output.log', 'train.py', 'conf.yaml', 'README.md', 'code/git.diff', 'model/MLmodel', 'environment/requirements.txt']) assert.equal(previewKind(f), 'text', f);
  for (const f of ['model.onnx', 'weights.pt', 'archive.tar.gz', 'noextension']) assert.equal(previewKind(f), 'binary', f);
  assert.equal(imageMimeType('x/y.SVG'), 'image/svg+xml');
  assert.equal(imageMimeType('x/y.webp'), 'image/webp');
});

test('parseDelimited reads quoted fields with delimiters, quotes and line breaks', () => {
  const t = parseDelimited('name,comment\r\n"a, b","said ""hi"""\n"multi\nline",x\n', ',', 500);
  assert.deepEqual(t.rows, [['name', 'comment'], ['a, b', 'said "hi"'], ['multi\nline', 'x']]);
  assert.equal(t.truncated, false);
  assert.deepEqual(parseDelimited('\ufeffa\tb\n1\t2', '\t', 500).rows, [['a', 'b'], ['1', '2']], 'BOM dropped, last line without newline kept');
  assert.deepEqual(parseDelimited('a,b\n\n1,2\n', ',', 500).rows, [['a', 'b'], ['1', '2']], 'blank lines are not rows');
});

test('parseDelimited stops at maxRows and drops the partial last line of a cut file', () => {
  const csv = ['i,sq', ...Array.from({ length: 1000 }, (_, i) => `${i},${i * i}`)].join('\n') + '\n';
  const t = parseDelimited(csv, ',', 500);
  assert.equal(t.rows.length, 500);
  assert.deepEqual(t.rows[499], ['498', String(498 * 498)]);
  assert.equal(t.truncated, true);
  const cut = parseDelimited('a,b\n1,2\n3,4', ',', 500, true);
  assert.deepEqual(cut.rows, [['a', 'b'], ['1', '2']], 'the incomplete "3,4" may continue in the part not read');
  assert.equal(cut.truncated, true);
});
