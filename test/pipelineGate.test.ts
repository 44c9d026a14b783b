import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGate, type GateContext } from '../src/core/pipeline/gateEvaluate';
import { gateReferences, GateSyntaxError, parseGate } from '../src/core/pipeline/gateParser';

const ctx: GateContext = {
  metrics: { evaluate: { auc: 0.83, acc: 0.9, 'val/loss': 0.2 }, train: { loss: 0.1 } },
  params: { lr: 0.1, model: 'mlp', register: true, threshold: 0.8 },
};
const gate = (text: string) => evaluateGate(parseGate(text), ctx);

function syntaxError(text: string, message: RegExp, offset: number): void {
  assert.throws(
    () => parseGate(text),
    (e: unknown) => e instanceof GateSyntaxError && message.test(e.message) && e.offset === offset,
    `expected ${message} at ${offset} for ${text}`,
  );
}

test('the issue\'s gate: true, and the explanation shows the value and the threshold', () => {
  assert.deepEqual(gate('evaluate.metrics.auc >= 0.8'), { value: true, explanation: 'evaluate.metrics.auc = 0.83, needs ≥ 0.8: yes' });
  assert.deepEqual(gate('evaluate.metrics.auc >= 0.9'), { value: false, explanation: 'evaluate.metrics.auc = 0.83, needs ≥ 0.9: no' });
});

test('every comparison operator, on numbers', () => {
  const cases: Array<[string, boolean]> = [
    ['evaluate.metrics.auc > 0.8', true],
    ['evaluate.metrics.auc > 0.83', false],
    ['evaluate.metrics.auc < 0.9', true],
    ['evaluate.metrics.auc < 0.83', false],
    ['evaluate.metrics.auc >= 0.83', true],
    ['evaluate.metrics.auc <= 0.83', true],
    ['evaluate.metrics.auc <= 0.82', false],
    ['evaluate.metrics.auc == 0.83', true],
    ['evaluate.metrics.auc != 0.83', false],
    ['train.metrics.loss < evaluate.metrics.val/loss', true],
    ['-1 < train.metrics.loss', true],
    ['evaluate.metrics.auc > .5', true],
    ['evaluate.metrics.auc < 1e3', true],
  ];
  for (const [text, expected] of cases) assert.equal(gate(text).value, expected, text);
});

test('strings, booleans and params compare by equality', () => {
  assert.equal(gate('params.model == "mlp"').value, true);
  assert.equal(gate("params.model != 'mlp'").value, false);
  assert.equal(gate('params.register == true').value, true);
  assert.equal(gate('params.register').value, true);
  assert.equal(gate('evaluate.metrics.auc >= params.threshold').value, true);
  assert.equal(gate('evaluate.metrics.auc >= params.threshold').explanation, 'evaluate.metrics.auc = 0.83, needs ≥ params.threshold (0.8): yes');
  assert.equal(gate('params.model == "mlp"').explanation, 'params.model = "mlp", needs == "mlp": yes');
});

test('and, or, not and parentheses, with every condition in the explanation', () => {
  assert.equal(gate('evaluate.metrics.auc >= 0.8 and evaluate.metrics.acc > 0.95').value, false);
  assert.equal(gate('evaluate.metrics.auc >= 0.8 or evaluate.metrics.acc > 0.95').value, true);
  assert.equal(gate('not evaluate.metrics.auc < 0.8').value, true);
  assert.equal(gate('not not params.register').value, true);
  // "and" binds tighter than "or": false or (true and true)
  assert.equal(gate('params.lr > 1 or params.lr < 1 and params.register').value, true);
  assert.equal(gate('(params.lr > 1 or params.lr < 1) and not params.register').value, false);
  const r = gate('evaluate.metrics.auc >= 0.8 and evaluate.metrics.acc > 0.95');
  assert.equal(r.explanation, 'evaluate.metrics.auc = 0.83, needs ≥ 0.8: yes; evaluate.metrics.acc = 0.9, needs > 0.95: no → false');
});

test('a missing metric makes the gate false and says which, even under "not" or "or"', () => {
  const r = gate('evaluate.metrics.f1 > 0.5');
  assert.equal(r.value, false);
  assert.match(r.explanation, /evaluate\.metrics\.f1 is missing \(step "evaluate" logged only auc, acc, val\/loss\)/);
  assert.equal(gate('not evaluate.metrics.f1 > 0.5').value, false);
  assert.equal(gate('params.register or evaluate.metrics.f1 > 0.5').value, false);
  assert.match(gate('deploy.metrics.x > 1').explanation, /step "deploy" logged no metrics/);
  assert.match(gate('params.nope == 1').explanation, /params\.nope is missing/);
});

test('ordering strings or using a number as a condition is false, with the reason', () => {
  assert.match(gate('params.model > 1').explanation, /: no \(string and number have no order\)/);
  assert.equal(gate('params.model > 1').value, false);
  assert.equal(gate('params.lr').value, false);
  assert.match(gate('params.lr').explanation, /not true\/false/);
});

test('syntax errors say what is wrong and where (offset into the gate)', () => {
  syntaxError('evaluate.metrics.auc = 0.8', /use "==" to compare/, 21);
  syntaxError('evaluate.metrics.auc => 0.8', /write ">=", not "=>"/, 21);
  syntaxError('evaluate.metrics.auc >= ', /expected a value .* found the end/, 24);
  syntaxError('a.metrics.x > 1 && b.metrics.y > 2', /use "and" instead of "&"/, 16);
  syntaxError('a.metrics.x > 1 || b.metrics.y > 2', /use "or"/, 16);
  syntaxError('!a.metrics.x', /use "not"/, 0);
  syntaxError('(a.metrics.x > 1', /expected "\)" but found the end/, 16);
  syntaxError('a.metrics.x > 1)', /unexpected "\)"/, 15);
  syntaxError('params.x == "abc', /unterminated string/, 12);
  syntaxError('0 < a.metrics.x < 1', /do not chain/, 16);
  syntaxError('evaluate.auc > 1', /"evaluate\.auc" is not a value/, 0);
  syntaxError('params > 1', /expected params\.NAME/, 6);
  syntaxError('a.metrics. > 1', /expected a name after "\."/, 10);
  syntaxError('a.metrics.x > 1 b.metrics.y > 1', /unexpected "b": join conditions/, 16);
  syntaxError('and a.metrics.x', /expected a value before "and"/, 0);
  syntaxError('a.metrics.x > 1 ; rm', /unexpected character ";"/, 16);
  syntaxError('', /found the end/, 0);
});

test('a gate that looks like code is only ever parsed, never run', () => {
  syntaxError('process.exit(1)', /not a value/, 0);
  syntaxError('require("fs")', /not a value/, 0);
  syntaxError('`id`', /unexpected character "`"/, 0);
});

test('references list the steps and params a gate reads, with offsets', () => {
  const refs = gateReferences(parseGate('evaluate.metrics.auc >= params.t or not train.metrics.val.loss < 1'));
  assert.deepEqual(
    refs.map((r) => (r.kind === 'metric' ? `${r.step}:${r.key}@${r.start}-${r.end}` : `params:${r.key}@${r.start}-${r.end}`)),
    ['evaluate:auc@0-20', 'params:t@24-32', 'train:val.loss@40-62'],
  );
});
