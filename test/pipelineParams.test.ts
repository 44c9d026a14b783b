import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseDuration } from '../src/core/pipeline/duration';
import { interpolate, resolveParams, shellQuote } from '../src/core/pipeline/params';
import { PipelineError } from '../src/core/pipeline/pipelineTypes';

const pipeline = { params: { lr: 0.1, epochs: 20, model: 'mlp', fast: false } };

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof PipelineError && message.test(e.message), `expected ${message}`);
}

test('overrides take the type of their default', () => {
  assert.deepEqual(resolveParams(pipeline, ['lr=0.01', 'epochs=5', 'model=a b', 'fast=true']), { lr: 0.01, epochs: 5, model: 'a b', fast: true });
  assert.deepEqual(resolveParams(pipeline, []), pipeline.params);
  assert.deepEqual(resolveParams(pipeline, ['lr=1e-3', 'fast=FALSE', 'model=x=y']), { lr: 0.001, epochs: 20, model: 'x=y', fast: false });
  assert.deepEqual(resolveParams(pipeline, { lr: '0.5', epochs: 3, fast: true }), { lr: 0.5, epochs: 3, model: 'mlp', fast: true });
  assert.deepEqual(resolveParams(pipeline, ['model=']), { ...pipeline.params, model: '' });
});

test('a value that does not fit its default\'s type is refused, saying the type', () => {
  refused(() => resolveParams(pipeline, ['lr=abc']), /param "lr" is a number \(default 0\.1\), got "abc"/);
  refused(() => resolveParams(pipeline, ['lr=']), /param "lr" is a number/);
  refused(() => resolveParams(pipeline, ['epochs=Infinity']), /is a number/);
  refused(() => resolveParams(pipeline, ['fast=yes']), /param "fast" is true or false \(default false\), got "yes"/);
});

test('unknown names and malformed --set are refused, listing the known params', () => {
  refused(() => resolveParams(pipeline, ['rate=0.1']), /unknown param "rate": this pipeline's params are lr, epochs, model, fast/);
  refused(() => resolveParams({}, ['x=1']), /declares no params/);
  refused(() => resolveParams(pipeline, ['lr']), /--set takes NAME=VALUE, got "lr"/);
  refused(() => resolveParams(pipeline, ['=1']), /--set takes NAME=VALUE/);
  refused(() => resolveParams(pipeline, ['__proto__=1']), /unknown param "__proto__"/);
});

test('interpolation replaces params and env, quoting only what needs it', () => {
  const params = { lr: 0.1, epochs: 20, name: 'run one', fast: true };
  assert.equal(interpolate('python3 train.py --lr ${params.lr} --epochs ${params.epochs}', params, {}), 'python3 train.py --lr 0.1 --epochs 20');
  assert.equal(interpolate('x --name ${params.name} --fast=${params.fast}', params, {}), "x --name 'run one' --fast=true");
  assert.equal(interpolate('x ${env.DATA} ${ params.lr }', params, { DATA: '/d/x.csv' }), 'x /d/x.csv 0.1');
  assert.equal(interpolate('echo ${HOME} $${params.lr} $$', params, {}), 'echo ${HOME} ${params.lr} $$');
});

test('unknown params and unset env are errors naming them', () => {
  refused(() => interpolate('x ${params.y}', { lr: 1 }, {}), /\$\{params\.y\} names no param \(params: lr\)/);
  refused(() => interpolate('x ${env.TOKEN}', {}, {}), /environment variable TOKEN is not set/);
  refused(() => interpolate('x ${params}', {}, {}), /needs a name/);
});

const hostile = ['a b', "it's", '$(rm -rf /)', '`id`', '"; echo pwned; "', "'", '', 'a\nb', '*', '-rf', "x'y'z", '\\', '$HOME', 'a;b|c&d>e'];

test('shell quoting: hostile values stay one literal word (checked by a real shell)', () => {
  for (const value of hostile) {
    const command = interpolate('printf "%s\\0" ${params.v}', { v: value }, {});
    const out = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), [value], `value ${JSON.stringify(value)} became ${JSON.stringify(command)}`);
  }
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('$(rm -rf /)'), "'$(rm -rf /)'");
  assert.equal(shellQuote('`id`'), "'`id`'");
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote('data/clean.csv'), 'data/clean.csv');
});

test('durations', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseDuration('30'), undefined);
});
