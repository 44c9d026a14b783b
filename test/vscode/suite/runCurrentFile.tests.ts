// "Run Current File with Tracking" end to end in the real host: the task runs
// `mlops run` on the fixture's train.py, the run lands in the store with its
// params and metrics, and the Experiments view is brought up for the UI check.
// Then what the command decides before running: a pipeline file is not run
// (the user is told to use Run Pipeline), a shebang's interpreter runs the
// file, and a folder whose runs are in an experiment gets its next run there
// after one answered question, with no question the time after.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from './testApi';
import { extensionId } from './context';
import { api, experiment } from './trackingApi';
import { until } from './until';

interface TableRow {
  runId: string;
  status: string;
  params: Record<string, string>;
  metrics: Record<string, number | string>;
  tags: Record<string, string>;
}

interface Outcome {
  started: boolean;
  execution?: vscode.TaskExecution;
  reason?: string;
  message?: string;
  action?: string;
  interpreter?: { command: string; args: string[]; source: string; reason: string };
  experiment?: { name: string; reason: string };
}

async function runsIn(experimentIds: string[]): Promise<TableRow[]> {
  return (await api<{ runs: TableRow[] }>('/api/v1/runs/table', { experimentIds })).runs;
}

async function allExperimentIds(): Promise<string[]> {
  const found = await api<{ experiments?: { experiment_id: string }[] }>('/api/2.0/mlflow/experiments/search', { max_results: 1000, view_type: 'ALL' });
  return (found.experiments ?? []).map((e) => e.experiment_id);
}

function taskEnd(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.type !== 'mlops') return;
      sub.dispose();
      resolve(e.exitCode);
    });
  });
}

/** The `--note` lines the task passes to `mlops run`: what its terminal shows first. */
function notesOf(execution: vscode.TaskExecution): string[] {
  const args = (execution.task.execution as vscode.ProcessExecution).args;
  return args.flatMap((a, i) => (args[i - 1] === '--note' ? [a] : []));
}

const workspaceFolder = () => vscode.workspace.workspaceFolders![0].uri;

test('Run Current File with Tracking records a run with its params and metrics', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  const script = vscode.Uri.joinPath(workspaceFolder(), 'train.py');
  await vscode.window.showTextDocument(script);
  const ended = taskEnd();
  const outcome = await vscode.commands.executeCommand<Outcome>('mlops.runCurrentFile', script, { params: { lr: '0.1' } });
  assert.ok(outcome.started && outcome.execution, `the command started a task: ${JSON.stringify(outcome)}`);
  assert.equal(await ended, 0, 'the tracked task exited 0');
  // The fixture has no venv, shebang or Python extension: python3, and the terminal says why.
  assert.equal(outcome.interpreter?.source, 'default');
  assert.deepEqual(notesOf(outcome.execution), [
    'Python: python3 (the default: no Python extension selection, Python shebang or .venv; the mlops.python.interpreter setting changes it)',
    'Experiment: Default (the only experiment so far)',
  ]);

  const table = await runsIn(['0']);
  const run = table.find((r) => r.params.lr === '0.1');
  assert.ok(run, `a run with lr=0.1 among ${table.length} runs`);
  assert.equal(run.status, 'FINISHED');
  assert.equal(run.params.layers, '2');
  assert.equal(run.metrics.loss, 1 / 50);

  // Leave the Experiments view open for the browser-side check and the screenshot.
  await vscode.commands.executeCommand('mlops.experiments.focus');
  await vscode.commands.executeCommand('mlops.refreshExperiments');
}, { timeoutMs: 90_000 });

test('Run Current File with Tracking on a pipeline file runs nothing, records no run, and offers Run Pipeline', async () => {
  const file = join(workspaceFolder().fsPath, 'not-python.pipeline.yaml');
  writeFileSync(file, 'name: not-python\nsteps:\n  hello:\n    run: echo hello\n');
  try {
    const before = (await runsIn(await allExperimentIds())).length;
    // As from the palette: the pipeline file is the active editor and the command gets no argument.
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    let started = false;
    const sub = vscode.tasks.onDidStartTask(() => (started = true));
    const outcome = await vscode.commands.executeCommand<Outcome>('mlops.runCurrentFile');
    sub.dispose();
    assert.equal(outcome.started, false);
    assert.equal(outcome.reason, 'not-python');
    assert.match(outcome.message ?? '', /not-python\.pipeline\.yaml is a pipeline file.*Run it with Run Pipeline/);
    assert.equal(outcome.action, 'Run Pipeline');
    assert.equal(started, false, 'no task started');
    assert.equal((await runsIn(await allExperimentIds())).length, before, 'no run was recorded');
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    unlinkSync(file);
  }
}, { timeoutMs: 60_000 });

test('Run Current File with Tracking runs a file with the interpreter its shebang names, and says so', async () => {
  const envs = mkdtempSync(join(tmpdir(), 'mlops-shebang-'));
  try {
    execFileSync('python3', ['-m', 'venv', '--without-pip', join(envs, 'alt')]);
    const interpreter = join(envs, 'alt', 'bin', 'python');
    const script = vscode.Uri.joinPath(workspaceFolder(), 'which_python.py');
    writeFileSync(script.fsPath, `#!${interpreter}\nimport sys\nimport mlops_workbench as mw\nmw.log_param("executable", sys.executable)\n`);
    const ended = taskEnd();
    const outcome = await vscode.commands.executeCommand<Outcome>('mlops.runCurrentFile', script, { params: { probe: 'shebang' } });
    assert.ok(outcome.started && outcome.execution, JSON.stringify(outcome));
    assert.equal(await ended, 0);
    assert.deepEqual(outcome.interpreter, { command: interpreter, args: [], source: 'shebang', reason: `the file's shebang, #!${interpreter}` });
    assert.equal(notesOf(outcome.execution)[0], `Python: ${interpreter} (the file's shebang, #!${interpreter})`);
    const run = (await runsIn(await allExperimentIds())).find((r) => r.params.probe === 'shebang');
    assert.ok(run, 'the run was recorded');
    assert.equal(run.params.executable, interpreter, 'the script ran under the venv interpreter, not PATH python3');
    assert.deepEqual(JSON.parse(run.tags['mlops.command']), [interpreter, script.fsPath]);
    unlinkSync(script.fsPath);
  } finally {
    rmSync(envs, { recursive: true, force: true });
  }
}, { timeoutMs: 90_000 });

test('Run Current File with Tracking puts the run in the experiment its folder uses: asked once, then remembered', async () => {
  const folder = join(workspaceFolder().fsPath, 'churnwork');
  mkdirSync(folder, { recursive: true });
  const script = vscode.Uri.file(join(folder, 'train.py'));
  writeFileSync(script.fsPath, 'import mlops_workbench as mw\nmw.log_metric("auc", 0.8)\n');
  // The folder already has a run in "churn-host", as an MLflow client logging prep.py there would leave.
  const churnId = await experiment('churn-host');
  const seeded = await api<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', {
    experiment_id: churnId,
    start_time: Date.now(),
    tags: [{ key: 'mlflow.source.name', value: join(folder, 'prep.py') }],
  });
  await api('/api/2.0/mlflow/runs/update', { run_id: seeded.run.info.run_id, status: 'FINISHED', end_time: Date.now() });

  const question = () => vscode.commands.executeCommand<{ file: string; choices: string[] } | undefined>('_mlops.runCurrentFile.openQuestion');
  let ended = taskEnd();
  const first = vscode.commands.executeCommand<Outcome>('mlops.runCurrentFile', script, { params: { attempt: '1' } });
  const asked = await until('the experiment question', question, (q) => q.file === script.fsPath);
  assert.equal(asked.choices[0], 'churn-host', `the folder's experiment is suggested first: ${asked.choices.join(', ')}`);
  assert.ok(asked.choices.includes('Default'));
  assert.equal(asked.choices.at(-1), '$(add) New experiment…');
  // The user takes the suggestion (the first item is the active one).
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  const outcome = await first;
  assert.ok(outcome.started && outcome.execution, JSON.stringify(outcome));
  assert.equal(await ended, 0);
  assert.deepEqual(outcome.experiment, { name: 'churn-host', reason: 'chosen for train.py, remembered', explicit: false });
  assert.ok((await runsIn([churnId])).some((r) => r.params.attempt === '1'), 'the run went to churn-host');

  // The next run asks nothing: the answer is remembered for the file.
  ended = taskEnd();
  const second = vscode.commands.executeCommand<Outcome>('mlops.runCurrentFile', script, { params: { attempt: '2' } });
  const askedAgain = await Promise.race([
    second.then(() => false),
    until('a question', question, () => true, 30_000).then(
      () => true,
      () => false,
    ),
  ]);
  if (askedAgain) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  assert.equal(askedAgain, false, 'the second run asked no question');
  const again = await second;
  assert.ok(again.started, JSON.stringify(again));
  assert.equal(await ended, 0);
  assert.deepEqual(again.experiment, { name: 'churn-host', reason: 'chosen for this file before; the beaker button of the params box changes it', explicit: false });
  assert.ok((await runsIn([churnId])).some((r) => r.params.attempt === '2'), 'the second run went to churn-host too');
  // Another file of the folder, not run yet: the browser check runs it from the palette and sees the question.
  writeFileSync(join(folder, 'evaluate.py'), 'import mlops_workbench as mw\nmw.log_metric("auc", 0.8)\n');
}, { timeoutMs: 120_000 });
