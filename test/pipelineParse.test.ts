import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDeps, parsePipelineFile, type PipelineDiagnostic } from '../src/core/pipeline';
import { checkPipelineShape } from '../src/protocol/pipelineFile';

const parse = (text: string) => parsePipelineFile(text, 'test.pipeline.yaml', checkPipelineShape);
const lines = (...l: string[]) => l.join('\n') + '\n';
/** "line:column-endLine:endColumn code: message", the shape a person checks positions by. */
const show = (d: PipelineDiagnostic) => `${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.code}: ${d.message}`;
const diags = (text: string) => parse(text).diagnostics.map(show);

const issueExample = lines(
  'name: churn',
  'experiment: churn',
  'params: { lr: 0.1, epochs: 20 }',
  'steps:',
  '  prepare:',
  '    run: python3 prepare.py --out data/clean.csv',
  '    deps: [prepare.py, data/raw.csv]',
  '    outs: [data/clean.csv]',
  '  train:',
  '    needs: [prepare]',
  '    run: python3 train.py --lr ${params.lr} --epochs ${params.epochs}',
  '    deps: [train.py, data/clean.csv]',
  '    outs: [model.onnx]',
  '    retries: 1',
  '    timeout: 30m',
  '  evaluate:',
  '    needs: [train]',
  '    run: python3 evaluate.py model.onnx',
  '    metrics: metrics.json',
  '  register:',
  '    needs: [evaluate]',
  '    register: { model: churn, path: model.onnx, alias: challenger,',
  '                when: "evaluate.metrics.auc >= 0.8" }',
);

test('the issue\'s example parses with no diagnostics, steps in file order', () => {
  const r = parse(issueExample);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.pipeline?.name, 'churn');
  assert.deepEqual(Object.keys(r.pipeline!.steps), ['prepare', 'train', 'evaluate', 'register']);
  assert.equal(r.pipeline!.steps.train.timeout, '30m');
  assert.equal(r.pipeline!.steps.register.register?.when, 'evaluate.metrics.auc >= 0.8');
});

test('YAML syntax errors come with their position and no pipeline', () => {
  const r = parse(lines('name: p', 'steps:', '  a:', '    run: [echo', '  b: {'));
  assert.equal(r.pipeline, undefined);
  assert.ok(r.diagnostics.length > 0);
  assert.ok(r.diagnostics.every((d) => d.code === 'yaml-syntax' && d.severity === 'error' && !/at line/.test(d.message)));
  assert.equal(r.diagnostics[0].line >= 4, true);
  assert.deepEqual(diags(lines('name: p', 'steps:', '\ta: x')).map((d) => d.split(' ')[0]), ['3:1-3:2']);
});

test('a duplicate key is pointed at, naming it', () => {
  assert.deepEqual(diags(lines('name: p', 'steps:', '  a:', '    run: x', '  a:', '    run: y')), ['5:3-5:4 duplicate-key: duplicate key "a"']);
});

test('an empty file says what a pipeline needs', () => {
  assert.deepEqual(diags(''), ['1:1-1:1 schema: test.pipeline.yaml is empty: a pipeline file needs "name" and "steps"']);
});

test('schema errors point at the key or value they are about', () => {
  const text = lines(
    'name: p',
    'colour: red', // 2: unknown top-level key
    'steps:',
    '  1prep:', // 4: bad step name
    '    run: x',
    '  train:',
    '    run: x',
    '    retries: -1', // 8: bad value
    '    timeout: soon', // 9: bad duration
    '    needs: prepare', // 10: not a list
    '  both:', // 11: run and register
    '    run: x',
    '    register: { model: m, path: p }',
    '  neither:', // 14: no run or register
    '    outs: [a]',
    '  reg:',
    '    register: { model: m }', // 17: register without path
  );
  assert.deepEqual(diags(text), [
    '2:1-2:7 schema: unknown key "colour" (expected one of name, experiment, params, env, steps)',
    '4:3-4:8 schema: "1prep": a step name starts with a letter or _ and has only letters, digits, _ and -',
    '8:14-8:16 schema: Too small: expected number to be >=0',
    '9:14-9:18 schema: a duration is a number with a unit: "90s", "30m", "1h", "1h30m"',
    '10:12-10:19 schema: Invalid input: expected array, received string',
    '11:3-11:7 schema: a step has one of "run", "register" and "deploy", not several',
    '14:3-14:10 schema: a step needs "run", "register" or "deploy"',
    '17:5-17:13 schema: missing "path" (string)',
  ]);
  assert.deepEqual(diags(lines('steps: {}')), ['1:1-1:6 schema: missing "name" (string)']);
  assert.equal(parse(text).pipeline, undefined);
});

test('an unknown need points at its list item, names the step and suggests the closest', () => {
  const text = lines('name: p', 'steps:', '  prepare:', '    run: x', '  train:', '    needs: [prepare, prepair]', '    run: y', '  eval:', '    needs:', '      - trian', '      - zzz', '    run: z');
  assert.deepEqual(diags(text), [
    '6:22-6:29 unknown-need: step "train" needs "prepair", which is not a step of this pipeline; did you mean "prepare"?',
    '10:9-10:14 unknown-need: step "eval" needs "trian", which is not a step of this pipeline; did you mean "train"?',
    '11:9-11:12 unknown-need: step "eval" needs "zzz", which is not a step of this pipeline',
  ]);
  assert.equal(parse(text).pipeline, undefined);
});

test('cycles of length 1, 2 and 3 are named, at the needs entry that closes them', () => {
  assert.deepEqual(diags(lines('name: p', 'steps:', '  a:', '    needs: [a]', '    run: x')), ['4:13-4:14 cycle: the needs form a cycle: a → a']);
  assert.deepEqual(diags(lines('name: p', 'steps:', '  a:', '    needs: [b]', '    run: x', '  b:', '    needs: [a]', '    run: x')), [
    '7:13-7:14 cycle: the needs form a cycle: a → b → a',
  ]);
  assert.deepEqual(
    diags(lines('name: p', 'steps:', '  a:', '    needs: [c]', '    run: x', '  b:', '    needs: [a]', '    run: x', '  c:', '    needs: [x, b]', '    run: x', '  x:', '    run: x')),
    ['7:13-7:14 cycle: the needs form a cycle: a → c → b → a'],
  );
});

const gateFile = (when: string, needs = '[evaluate]') =>
  lines('name: p', 'params: { t: 0.8 }', 'steps:', '  train:', '    run: x', '  evaluate:', '    needs: [train]', '    run: y', '  reg:', `    needs: ${needs}`, '    register:', '      model: m', '      path: model.onnx', `      when: ${when}`);

test('a gate that does not parse is reported inside the when value, at the error\'s column', () => {
  // plain scalar: the gate starts at column 13
  assert.deepEqual(diags(gateFile('evaluate.metrics.auc = 0.8')), ['14:34-14:35 gate-syntax: gate of step "reg" (column 22 of the gate): use "==" to compare']);
  // quoted: one column further for the quote
  assert.deepEqual(diags(gateFile('"evaluate.metrics.auc >= "')), ['14:38-14:39 gate-syntax: gate of step "reg" (column 25 of the gate): expected a value (a number, a string, true/false, step.metrics.key or params.key) but found the end']);
  assert.deepEqual(diags(gateFile("'(evaluate.metrics.auc >= 0.8'")), ['14:42-14:43 gate-syntax: gate of step "reg" (column 29 of the gate): expected ")" but found the end']);
  assert.ok(parse(gateFile('"evaluate.metrics.auc >= params.t"')).pipeline);
});

test('a gate reading a step that does not run before it, or an unknown step or param, is pointed at', () => {
  assert.deepEqual(diags(gateFile('train.metrics.loss < 1', '[]')), [
    '14:13-14:31 gate-reference: gate of step "reg" reads metrics of "train", which does not run before it: add "train" to its needs (directly or through another step)',
  ]);
  // upstream through another step is fine
  assert.deepEqual(diags(gateFile('train.metrics.loss < 1')), []);
  assert.deepEqual(diags(gateFile('evalute.metrics.auc > 0.8 and params.x == 1')), [
    '14:13-14:32 gate-reference: gate of step "reg" reads metrics of "evalute", which is not a step; did you mean "evaluate"?',
    '14:43-14:51 gate-reference: gate of step "reg" reads params.x, which is not declared (params: t)',
  ]);
});

test('checkDeps reports deps that neither exist nor are made by a step, at their list items', () => {
  const folder = mkdtempSync(join(tmpdir(), 'pipeline-deps-'));
  writeFileSync(join(folder, 'prepare.py'), '');
  mkdirSync(join(folder, 'data'));
  const text = lines('name: p', 'steps:', '  prepare:', '    run: x', '    deps: [prepare.py, data/, data/raw.csv]', '    outs: [data/clean.csv]', '  train:', '    needs: [prepare]', '    run: y', '    deps:', '      - ./data/clean.csv', '      - train.py');
  const r = parse(text);
  assert.ok(r.pipeline);
  assert.deepEqual(checkDeps(r.pipeline!, folder).map(show), [
    '5:31-5:43 missing-dep: step "prepare" depends on "data/raw.csv", which does not exist and is no step\'s out',
    '12:9-12:17 missing-dep: step "train" depends on "train.py", which does not exist and is no step\'s out',
  ]);
});

test('a file that is not a map, or a step left empty, is reported where it is', () => {
  assert.deepEqual(diags(lines('- a', '- b')), ['1:1-3:1 schema: Invalid input: expected object, received array']);
  assert.deepEqual(diags(lines('name: p', 'steps:')), ['2:1-2:6 schema: Invalid input: expected record, received null']);
  assert.deepEqual(diags(lines('name: p', 'steps:', '  a:')), ['3:3-3:4 schema: Invalid input: expected object, received null']);
});

test('the README\'s example pipeline file is valid', () => {
  const readme = readFileSync('README.md', 'utf8');
  const yaml = /## Pipeline files[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(yaml, 'README has a yaml example under "Pipeline files"');
  const r = parse(yaml);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(Object.keys(r.pipeline!.steps), ['prepare', 'train', 'evaluate', 'register']);
});

test('params a step uses must be declared: in its params list and in ${params.x} of its command', () => {
  const text = lines(
    'name: p',
    'params: { lr: 0.1 }',
    'steps:',
    '  train:',
    '    params: [lr, epochs]',
    '    run: python3 train.py --lr ${params.lr} --epochs ${params.epochs} $${params.literal}',
    '  quoted:',
    '    run: "echo ${params.rate}"',
    '  block:',
    '    run: |',
    '      echo ${params.x}',
  );
  assert.deepEqual(diags(text), [
    '5:18-5:24 unknown-param: step "train" uses param "epochs", which is not declared (params: lr)',
    '6:54-6:70 unknown-param: step "train" uses ${params.epochs}, which is not declared (params: lr)',
    '8:16-8:30 unknown-param: step "quoted" uses ${params.rate}, which is not declared (params: lr)',
    // a block scalar: the whole value, from its "|"
    '10:10-12:1 unknown-param: step "block" uses ${params.x}, which is not declared (params: lr)',
  ]);
  assert.deepEqual(diags(lines('name: p', 'steps:', '  a:', '    run: echo ${params.x}')), ['4:15-4:26 unknown-param: step "a" uses ${params.x}, which is not declared (the file declares no params)']);
});

test('a key YAML reads as a number or boolean is still found in the file', () => {
  assert.deepEqual(diags(lines('name: p', 'steps:', '  1:', '    run: x', '  true:', '    run: y')), [
    '3:3-3:4 schema: "1": a step name starts with a letter or _ and has only letters, digits, _ and -',
  ]);
});

test('a dep another step makes, without needing that step, is a warning at the dep (the file still runs)', () => {
  const text = lines(
    'name: p',
    'steps:',
    '  train:',
    '    run: make model',
    '    outs: [model.onnx]',
    '  evaluate:',
    '    run: make eval',
    '    deps: [eval.py, ./model.onnx]',
    '  report:',
    '    needs: [evaluate]',
    '    run: make report',
    '    deps: [model.onnx]',
  );
  const r = parse(text);
  assert.ok(r.pipeline, 'warnings do not stop the file');
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, show(d)]), [
    ['warning', '8:21-8:33 implicit-need: step "evaluate" reads ./model.onnx, which step "train" makes, but does not need "train": it may run before "train" and read an old or missing file; add "train" to its needs'],
    ['warning', '12:12-12:22 implicit-need: step "report" reads model.onnx, which step "train" makes, but does not need "train": it may run before "train" and read an old or missing file; add "train" to its needs'],
  ]);
  // Needing it, directly or through another step, is enough.
  assert.deepEqual(diags(text.replace('    run: make eval', '    needs: [train]\n    run: make eval')), []);
});
