// Tests of the DAG panel of a pipeline file, in the real host: it opens over a
// status (through the temporary `_mlops.pipelineDag.showStatic` until the
// Pipelines view supplies the real source), draws every step with the status
// its last run left, follows changes of the source, shows the problems or the
// error instead of a graph, and comes back after a reload. The panel is left
// open for the browser check (uiChecks/60-pipelineDag.mjs), which screenshots it.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineDagReport } from '../../../src/protocol/pipelineDagMessages';
import { test } from './testApi';
import { extensionId } from './context';
import { dagStatus } from './pipelineDagFixture';
import { until } from './until';

const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const pipelineFile = () => join(folder(), 'churn.pipeline.yaml');
const tabsLabelled = (label: string) => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === label);

const show = (file: string, arg: { status?: unknown; error?: string }) => vscode.commands.executeCommand<PipelineDagReport | undefined>('_mlops.pipelineDag.showStatic', { file, ...arg });
const statusOf = (report: PipelineDagReport) => Object.fromEntries(report.nodes.map((n) => [n.name, n.status]));

test('The pipeline DAG panel draws each step with its last run\'s status, badges, and the needs as edges', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  writeFileSync(pipelineFile(), 'name: churn\nsteps:\n  prepare:\n    run: python3 prepare.py\n');
  const report = await show(pipelineFile(), { status: dagStatus(pipelineFile()) });
  assert.ok(report, 'the panel reported what it drew');
  assert.equal(report.view, 'graph');
  assert.equal(report.file, pipelineFile());
  assert.equal(report.nodes.length, 6);
  assert.equal(report.edges, 6, 'prepare→featurize, featurize→train_a/train_b, both→evaluate, evaluate→register');
  assert.deepEqual(statusOf(report), { prepare: 'cached', featurize: 'finished', train_a: 'running', train_b: 'failed', evaluate: 'not-run', register: 'never' });
  const badges = Object.fromEntries(report.nodes.map((n) => [n.name, n.badges]));
  assert.deepEqual(badges.prepare, ['cached']);
  assert.deepEqual(badges.featurize, ['stale']);
  assert.equal(report.nodes.find((n) => n.name === 'register')?.kind, 'register');
  assert.equal(report.neverRun, false);
  assert.equal(tabsLabelled('churn (DAG)').length, 1);
  const pkg = JSON.parse(readFileSync(join(vscode.extensions.getExtension(extensionId())!.extensionPath, 'package.json'), 'utf8')) as { activationEvents: string[] };
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:mlops.pipelineDag'), 'restored after a reload before anything else activates the extension');
}, { timeoutMs: 60_000 });

test('The pipeline DAG panel follows its source: a change redraws the open panel (one panel per file)', async () => {
  const finished = dagStatus(pipelineFile());
  for (const s of finished.steps) if (s.last && s.last.status !== 'FINISHED') s.last = { ...s.last, status: 'FINISHED', durationMs: 5_000, reason: null };
  const report = await show(pipelineFile(), { status: finished });
  assert.deepEqual(statusOf(report!), { prepare: 'cached', featurize: 'finished', train_a: 'finished', train_b: 'finished', evaluate: 'finished', register: 'never' });
  assert.equal(tabsLabelled('churn (DAG)').length, 1, 'the open panel was reused');
  // Never run at all: the call to action instead of a graph with no colour.
  const never = dagStatus(pipelineFile());
  never.lastRun = null;
  for (const s of never.steps) s.last = null;
  const fresh = await show(pipelineFile(), { status: never });
  assert.equal(fresh?.neverRun, true);
  assert.ok(fresh?.nodes.every((n) => n.status === 'never'));
}, { timeoutMs: 60_000 });

test('The pipeline DAG panel lists a broken file\'s problems, says why there is no status, and says when there are no steps', async () => {
  const broken = join(folder(), 'broken.pipeline.yaml');
  const problems = await show(broken, {
    status: {
      file: 'broken.pipeline.yaml',
      name: 'broken',
      lastRun: null,
      steps: [],
      diagnostics: [{ message: 'unknown step "trian" in needs (did you mean "train"?)', severity: 'error', line: 7, column: 13, endLine: 7, endColumn: 18, code: 'unknown-need', replacement: 'train' }],
    },
  });
  assert.equal(problems?.view, 'problems');
  assert.equal(problems?.problems, 1);
  assert.equal(problems?.nodes.length, 0);
  const failed = await show(broken, { error: 'The MLOps backend is not connected.' });
  assert.equal(failed?.view, 'error');
  const empty = await show(broken, { status: { file: 'broken.pipeline.yaml', name: 'broken', lastRun: null, steps: [], diagnostics: [] } });
  assert.equal(empty?.view, 'empty');
  assert.equal(tabsLabelled('broken (DAG)').length, 1);
  await closeTabs('broken (DAG)');
}, { timeoutMs: 60_000 });

test('The pipeline DAG panel comes back after a reload from its saved state, for the same file', async () => {
  await show(pipelineFile(), { status: dagStatus(pipelineFile()) });
  await closeTabs('churn (DAG)');
  assert.equal(await vscode.commands.executeCommand('_mlops.pipelineDag.report', pipelineFile()), undefined, 'closed');
  // What a window reload does (VS Code does not revive webviews on "Reopen Closed Editor").
  await vscode.commands.executeCommand('_mlops.pipelineDag.revive', { file: pipelineFile() });
  const report = await until(
    'the revived panel to draw',
    () => vscode.commands.executeCommand<PipelineDagReport | undefined>('_mlops.pipelineDag.report', pipelineFile()),
    (r) => r.view === 'graph' && r.nodes.length === 6,
  );
  assert.equal(report.file, pipelineFile());
  assert.equal(tabsLabelled('churn (DAG)').length, 1);
  // A state the panel cannot use closes it rather than showing an empty panel.
  await vscode.commands.executeCommand('_mlops.pipelineDag.revive', { nothing: true });
  await vscode.commands.executeCommand('_mlops.pipelineDag.revive', { file: join(folder(), 'unknown.pipeline.yaml') });
  await until('no stray DAG panels', async () => tabsLabelled('DAG').length, (n) => n === 0);
  // Left open (the browser check screenshots it), on the mid-run status.
  await show(pipelineFile(), { status: dagStatus(pipelineFile()) });
}, { timeoutMs: 60_000 });

async function closeTabs(label: string): Promise<void> {
  await vscode.window.tabGroups.close(tabsLabelled(label));
}
