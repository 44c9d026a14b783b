// The choices "Run Current File with Tracking" makes before anything runs:
// whether the file is a Python script at all, which interpreter runs it and
// which experiment the run goes to. Pure functions, so every rule is checked
// here; the host suite checks that the command follows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileRunKind, fileRunRefusal } from '../src/extension/runs/fileRunKind';
import { chooseInterpreter, describeInterpreter, parseShebang, venvInterpreterCandidates, type InterpreterFacts } from '../src/extension/runs/interpreterChoice';
import { decideExperiment, filesNamedBy, suggestExperiment, type ExperimentRef, type RecentRun } from '../src/extension/runs/experimentChoice';

const WS = '/home/u/project';

test('fileRunKind: Python scripts run; pipeline files, notebooks, stubs and other files do not', () => {
  assert.equal(fileRunKind(`${WS}/train.py`), 'python');
  assert.equal(fileRunKind(`${WS}/gui.pyw`), 'python');
  assert.equal(fileRunKind(`${WS}/exported_notebook.py`, 'python'), 'python');
  assert.equal(fileRunKind(`${WS}/churn.pipeline.yaml`, 'yaml'), 'pipeline');
  assert.equal(fileRunKind(`${WS}/churn.pipeline.yml`), 'pipeline');
  assert.equal(fileRunKind(`${WS}/explore.ipynb`), 'notebook');
  assert.equal(fileRunKind(`${WS}/types.pyi`, 'python'), 'other');
  assert.equal(fileRunKind(`${WS}/params.yaml`, 'yaml'), 'other');
  assert.equal(fileRunKind(`${WS}/train.sh`, 'shellscript', '#!/bin/bash'), 'other');
  // An extensionless script is Python by its language mode or its shebang.
  assert.equal(fileRunKind(`${WS}/bin/train`, 'python'), 'python');
  assert.equal(fileRunKind(`${WS}/bin/train`, undefined, '#!/usr/bin/env python3'), 'python');
  assert.equal(fileRunKind(`${WS}/bin/train`, 'plaintext', 'hello'), 'other');
});

test('fileRunRefusal says what runs the file instead', () => {
  const pipeline = fileRunRefusal('pipeline', `${WS}/churn.pipeline.yaml`, 'Run');
  assert.match(pipeline.message, /churn\.pipeline\.yaml is a pipeline file/);
  assert.deepEqual(pipeline.action, { label: 'Run Pipeline', command: 'mlops.pipelines.runPipeline', withFile: true });
  const other = fileRunRefusal('other', `${WS}/train.sh`, 'Run');
  assert.match(other.message, /runs Python files \(\.py\), and train\.sh is not one/);
  assert.equal(other.action?.command, 'mlops.runCommandWithTracking');
  const notebook = fileRunRefusal('notebook', `${WS}/explore.ipynb`, 'Debug');
  assert.match(notebook.message, /Debug Current File with Tracking runs Python scripts, and explore\.ipynb is a notebook\. Export it as a Python script/);
});

test('parseShebang finds the Python interpreter a #! line names, and nothing else', () => {
  assert.deepEqual(parseShebang('#!/usr/bin/env python3.11'), { command: 'python3.11', args: [], line: '#!/usr/bin/env python3.11' });
  assert.deepEqual(parseShebang('#!/opt/venv/bin/python -u'), { command: '/opt/venv/bin/python', args: ['-u'], line: '#!/opt/venv/bin/python -u' });
  assert.deepEqual(parseShebang('#! /usr/bin/env -S PYTHONUTF8=1 python3 -X dev\r'), { command: 'python3', args: ['-X', 'dev'], line: '#! /usr/bin/env -S PYTHONUTF8=1 python3 -X dev' });
  assert.equal(parseShebang('#!/usr/bin/python3')?.command, '/usr/bin/python3');
  assert.equal(parseShebang('#!/usr/bin/env pypy3')?.command, 'pypy3');
  assert.equal(parseShebang('#!/bin/sh'), undefined);
  assert.equal(parseShebang('#!/usr/bin/env node'), undefined);
  assert.equal(parseShebang('import sys'), undefined);
  assert.equal(parseShebang(''), undefined);
});

test('venvInterpreterCandidates looks from the file up to the workspace folder, never above it', () => {
  assert.deepEqual(venvInterpreterCandidates(join(WS, 'src', 'models'), WS, 'linux'), [
    join(WS, 'src', 'models', '.venv', 'bin', 'python'),
    join(WS, 'src', 'models', 'venv', 'bin', 'python'),
    join(WS, 'src', '.venv', 'bin', 'python'),
    join(WS, 'src', 'venv', 'bin', 'python'),
    join(WS, '.venv', 'bin', 'python'),
    join(WS, 'venv', 'bin', 'python'),
  ]);
  assert.deepEqual(venvInterpreterCandidates(WS, WS, 'win32'), [join(WS, '.venv', 'Scripts', 'python.exe'), join(WS, 'venv', 'Scripts', 'python.exe')]);
  // A folder that merely starts with the workspace's name is not inside it.
  assert.deepEqual(venvInterpreterCandidates(`${WS}-other`, WS, 'linux'), []);
});

function facts(overrides: Partial<InterpreterFacts>, present: string[] = []): InterpreterFacts {
  return { workspaceRoot: WS, venvCandidates: venvInterpreterCandidates(WS, WS, 'linux'), platform: 'linux', runnable: (c) => present.includes(c), ...overrides };
}

test('chooseInterpreter: the Python extension, else the shebang, else the workspace venv, else the setting, else python3', () => {
  const venv = join(WS, '.venv', 'bin', 'python');
  const all = { pythonExtension: '/envs/conda/bin/python', firstLine: '#!/usr/bin/env python3.11', setting: '/usr/local/bin/python3.12' };
  const present = ['python3.11', venv, '/usr/local/bin/python3.12'];
  assert.deepEqual(chooseInterpreter(facts(all, present)), { command: '/envs/conda/bin/python', args: [], source: 'python-extension', reason: "the Python extension's interpreter for this folder" });
  assert.equal(chooseInterpreter(facts({ ...all, pythonExtension: undefined }, present)).source, 'shebang');
  assert.equal(chooseInterpreter(facts({ ...all, pythonExtension: undefined }, present)).command, 'python3.11');
  const fromVenv = chooseInterpreter(facts({ ...all, pythonExtension: undefined, firstLine: 'import sys' }, present));
  assert.deepEqual(fromVenv, { command: venv, args: [], source: 'venv', reason: "the workspace's virtual environment .venv" });
  const fromSetting = chooseInterpreter(facts({ ...all, pythonExtension: undefined, firstLine: 'import sys' }, ['/usr/local/bin/python3.12']));
  assert.equal(fromSetting.source, 'setting');
  assert.equal(fromSetting.command, '/usr/local/bin/python3.12');
  const fallback = chooseInterpreter(facts({}, []));
  assert.equal(fallback.command, 'python3');
  assert.equal(fallback.source, 'default');
  assert.equal(chooseInterpreter(facts({ platform: 'win32' }, [])).command, 'python');
});

test('chooseInterpreter: the Python extension\'s bare default is no selection; a shebang interpreter that is missing is skipped, and said so', () => {
  assert.equal(chooseInterpreter(facts({ pythonExtension: 'python' }, [])).source, 'default');
  const choice = chooseInterpreter(facts({ firstLine: '#!/opt/gone/bin/python' }, []));
  assert.equal(choice.command, 'python3');
  assert.match(choice.reason, /its shebang's \/opt\/gone\/bin\/python was not found/);
  const shebang = chooseInterpreter(facts({ firstLine: '#!/opt/venv/bin/python -u' }, ['/opt/venv/bin/python']));
  assert.deepEqual([shebang.command, shebang.args], ['/opt/venv/bin/python', ['-u']]);
  assert.equal(describeInterpreter(shebang), "Python: /opt/venv/bin/python -u (the file's shebang, #!/opt/venv/bin/python -u)");
});

const experiments: ExperimentRef[] = [
  { id: '3', name: 'churn' },
  { id: '5', name: 'vision' },
  { id: '0', name: 'Default' },
];
const run = (experimentId: string, tags: Record<string, string>): RecentRun => ({ experimentId, tags });

test('filesNamedBy reads the files of mlops run commands, pipeline step commands and MLflow source names', () => {
  assert.deepEqual(filesNamedBy(run('3', { 'mlops.command': JSON.stringify(['python3', 'train.py', '--data', 'data/x.csv']), 'mlops.cwd': WS }), WS), [
    `${WS}/train.py`,
    `${WS}/data/x.csv`,
  ]);
  assert.deepEqual(filesNamedBy(run('3', { 'mlops.command': 'python3 prep.py --out "features.parquet"', 'mlops.cwd': `${WS}/churn` }), WS), [
    `${WS}/churn/prep.py`,
    `${WS}/churn/features.parquet`,
  ]);
  assert.deepEqual(filesNamedBy(run('3', { 'mlflow.source.name': '/elsewhere/nb_export.py' }), WS), ['/elsewhere/nb_export.py']);
  assert.deepEqual(filesNamedBy(run('3', { 'mlflow.source.name': 'churn.pipeline.yaml' }), WS), [`${WS}/churn.pipeline.yaml`]);
});

test('suggestExperiment: the file\'s last run, else the latest run in its folder, else the only experiment besides Default', () => {
  const recent = [
    run('5', { 'mlops.command': JSON.stringify(['python3', `${WS}/vision/train.py`]) }),
    run('0', { 'mlops.command': JSON.stringify(['python3', `${WS}/train.py`]) }),
    run('3', { 'mlops.command': 'python3 prep.py', 'mlops.cwd': WS }),
    run('3', { 'mlops.command': 'python3 evaluate.py', 'mlops.cwd': WS }),
  ];
  assert.deepEqual(suggestExperiment(`${WS}/evaluate.py`, WS, recent, experiments), { name: 'churn', reason: 'where evaluate.py last ran' });
  assert.deepEqual(suggestExperiment(`${WS}/vision/augment.py`, WS, recent, experiments), { name: 'vision', reason: 'where the latest run of a file in vision went' });
  assert.deepEqual(suggestExperiment(`${WS}/report.py`, WS, recent, experiments), { name: 'Default', reason: 'where the latest run of a file in the workspace folder went' });
  // Nothing from this folder: the only experiment besides Default with runs, when there is one.
  const onlyChurn = [run('3', { 'mlops.command': 'python3 x.py', 'mlops.cwd': '/elsewhere' }), run('0', {})];
  assert.deepEqual(suggestExperiment(`${WS}/new/train.py`, WS, onlyChurn, experiments), { name: 'churn', reason: 'the only experiment besides Default with runs' });
  assert.equal(suggestExperiment(`${WS}/new/train.py`, WS, [...onlyChurn, run('5', {})], experiments), undefined);
  // Runs of a deleted (inactive) experiment suggest nothing.
  assert.equal(suggestExperiment(`${WS}/x.py`, WS, [run('9', { 'mlops.command': 'python3 x.py', 'mlops.cwd': WS })], experiments), undefined);
});

test('decideExperiment: a setting or the environment wins, then the remembered answer, else one question with the suggestion first', () => {
  const suggestion = { name: 'churn', reason: 'where train.py last ran' };
  assert.deepEqual(decideExperiment({ setting: 'nightly', envName: 'other', remembered: 'churn', experiments, suggestion }), {
    kind: 'use',
    name: 'nightly',
    reason: 'the mlops.run.experiment setting',
    explicit: true,
  });
  assert.deepEqual(decideExperiment({ envName: 'other', remembered: 'churn', experiments }), { kind: 'use', name: 'other', reason: 'MLFLOW_EXPERIMENT_NAME in the environment', explicit: true });
  assert.deepEqual(decideExperiment({ envId: '5', experiments }), { kind: 'use', name: 'vision', reason: 'MLFLOW_EXPERIMENT_ID in the environment', explicit: true });
  const badId = decideExperiment({ envId: '42', experiments });
  assert.equal(badId.kind, 'invalid');
  assert.match(badId.kind === 'invalid' ? badId.message : '', /MLFLOW_EXPERIMENT_ID=42 is set, and this workspace has no active experiment with that id.*3 \(churn\)/);

  assert.deepEqual(decideExperiment({ remembered: 'vision', experiments, suggestion }), { kind: 'use', name: 'vision', reason: 'chosen for this file before; the beaker button of the params box changes it', explicit: false });
  assert.deepEqual(decideExperiment({ experiments, suggestion }), {
    kind: 'ask',
    choices: [{ name: 'churn', detail: 'where train.py last ran' }, { name: 'vision' }, { name: 'Default' }],
  });
  // A remembered experiment deleted since: ask again.
  assert.equal(decideExperiment({ remembered: 'gone', experiments, suggestion }).kind, 'ask');
  // Other experiments but no suggestion: still a question (Default is not assumed).
  assert.deepEqual(decideExperiment({ experiments }), { kind: 'ask', choices: [{ name: 'churn' }, { name: 'vision' }, { name: 'Default' }] });
});

test('decideExperiment: nothing to choose from (Default only, or the backend cannot say) asks nothing', () => {
  assert.deepEqual(decideExperiment({ experiments: [{ id: '0', name: 'Default' }] }), { kind: 'use', name: 'Default', reason: 'the only experiment so far', explicit: false });
  const defaultSuggested = { name: 'Default', reason: 'where train.py last ran' };
  assert.deepEqual(decideExperiment({ experiments: [{ id: '0', name: 'Default' }], suggestion: defaultSuggested }), {
    kind: 'use',
    name: 'Default',
    reason: 'the only experiment so far',
    explicit: false,
  });
  assert.deepEqual(decideExperiment({}), { kind: 'use', name: 'Default', reason: "the workspace's experiments could not be read", explicit: false });
  assert.deepEqual(decideExperiment({ remembered: 'churn' }), { kind: 'use', name: 'churn', reason: 'chosen for this file before; the beaker button of the params box changes it', explicit: false });
});
