// The deployment's pure parts: weighted and sticky choice, reading predictions
// back from each protocol's body, judging labels, and the bounded ledger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickByWeight, stickyPoint } from '../src/server/deployment/trafficSplit';
import { predictionRows } from '../src/server/deployment/predictionRows';
import { FeedbackLedger, judge } from '../src/server/deployment/feedbackLedger';
import { Histogram, LabelledValues } from '../src/server/deployment/promText';

test('pickByWeight follows cumulative weights and never picks a zero weight', () => {
  const variants = [
    { name: 'champion' as const, weight: 90 },
    { name: 'challenger' as const, weight: 10 },
  ];
  assert.equal(pickByWeight(variants, 0).name, 'champion');
  assert.equal(pickByWeight(variants, 0.8999).name, 'champion');
  assert.equal(pickByWeight(variants, 0.9).name, 'challenger');
  assert.equal(pickByWeight(variants, 0.999999).name, 'challenger');
  assert.equal(pickByWeight([{ name: 'champion', weight: 100 }, { name: 'challenger', weight: 0 }], 0.999999).name, 'champion');
  assert.equal(stickyPoint('user-1'), stickyPoint('user-1'));
  assert.ok(stickyPoint('user-1') >= 0 && stickyPoint('user-1') < 1);
  assert.notEqual(stickyPoint('user-1'), stickyPoint('user-2'));
});

test('predictionRows reads one value per row from each protocol, and only for single-output answers', () => {
  assert.deepEqual(predictionRows('oip', { outputs: [{ name: 'p', shape: [2, 1], datatype: 'FP32', data: [0.2, 0.7] }] }), [0.2, 0.7]);
  assert.deepEqual(predictionRows('oip', { outputs: [{ name: 's', shape: [1, 3], datatype: 'FP32', data: [0.1, 0.8, 0.1] }] }), [[0.1, 0.8, 0.1]]);
  assert.equal(predictionRows('oip', { outputs: [{}, {}] }), undefined);
  assert.deepEqual(predictionRows('mlflow', { predictions: [{ p: 0.3 }, { p: 0.9 }] }), [0.3, 0.9]);
  assert.deepEqual(predictionRows('mlflow', { predictions: { p: [[0.3], [0.9]] } }), [0.3, 0.9]);
  assert.equal(predictionRows('mlflow', { predictions: [{ label: 1, probabilities: [0.1, 0.9] }] }), undefined);
  assert.deepEqual(predictionRows('kserve_v1', { predictions: [[0.4], [0.6]] }), [0.4, 0.6]);
  assert.deepEqual(predictionRows('kserve_v1', { predictions: [2, 0] }), [2, 0]);
});

test('judge: probability vs binary label, argmax vs class, equality for labels, error for regressions', () => {
  assert.deepEqual(judge(0.7, 1), { kind: 'class', correct: true });
  assert.deepEqual(judge(0.7, false), { kind: 'class', correct: false });
  assert.deepEqual(judge(0.2, '0'), { kind: 'class', correct: true });
  assert.deepEqual(judge([0.1, 0.8, 0.1], 1), { kind: 'class', correct: true });
  assert.deepEqual(judge(2, 2), { kind: 'class', correct: true });
  assert.deepEqual(judge('yes', 'no'), { kind: 'class', correct: false });
  assert.deepEqual(judge(12.5, 10), { kind: 'regression', error: 2.5 });
});

test('the ledger forgets the oldest request ids first and labels each once', () => {
  const ledger = new FeedbackLedger(3);
  for (let i = 0; i < 5; i++) ledger.remember(`r${i}`, 'champion', [0.9], true);
  assert.equal(ledger.label('r0', 1).ok, false);
  assert.equal(ledger.label('r1', 1).ok, false);
  assert.equal(ledger.label('r4', 1).ok, true);
  assert.equal(ledger.label('r4', 1).ok, false);
  const rows = ledger.label('r3', [1, 0]);
  assert.ok(!rows.ok && rows.status === 400);
  assert.deepEqual(ledger.scores.champion, { labelled: 1, judged: 1, correct: 1, regressions: 0, absoluteError: 0 });
});

test('the exposition escapes labels and writes cumulative buckets', () => {
  const v = new LabelledValues();
  v.add({ model: 'a"b\\c' });
  assert.match(v.render('x_total', 'help', 'counter'), /^x_total\{model="a\\"b\\\\c"\} 1$/m);
  const h = new Histogram([1, 2]);
  h.observe({}, 0.5);
  h.observe({}, 1.5);
  h.observe({}, 5);
  const text = h.render('h', 'help');
  assert.match(text, /^h_bucket\{le="1"\} 1$/m);
  assert.match(text, /^h_bucket\{le="2"\} 2$/m);
  assert.match(text, /^h_bucket\{le="\+Inf"\} 3$/m);
  assert.match(text, /^h_sum 7$/m);
});
