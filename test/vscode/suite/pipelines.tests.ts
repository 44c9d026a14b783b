// Pipelines in the editor: pipeline files as tasks, the Pipelines view (live
// statuses, stale badges from watched deps), its commands, and problems,
// quick fixes and completion in pipeline files. Real tasks, real runs.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './testApi';
import { extensionId } from './context';

const PIPELINE = `name: demo
params: { n: 2 }
steps:
  prepare:
    run: cat raw.txt > clean.txt
    deps: [raw.txt]
    outs: [clean.txt]
  train:
    needs: [prepare]
    run: cat clean.txt > model.txt && echo \${params.n} >> model.txt
    deps: [clean.txt]
    outs: [model.txt]
  report:
    needs: [train]
    run: echo report
`;

interface Row {
  label: string;
  description: string;
  tooltip: string;
  icon: string;
  contextValue: string;
  node: unknown;
  children?: Row[];
}

async function api(): Promise<{ pipelinesView(): Promise<Row[]> }> {
  return (await vscode.extensions.getExtension(extensionId())!.activate()) as { pipelinesView(): Promise<Row[]> };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${last ? ` (${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function folder(): string {
  return vscode.workspace.workspaceFolders![0].uri.fsPath;
}
const dir = () => join(folder(), 'pipes');
const file = () => join(dir(), 'demo.pipeline.yaml');

function setUp(): void {
  mkdirSync(dir(), { recursive: true });
  writeFileSync(join(dir(), 'raw.txt'), 'rows\n');
  writeFileSync(file(), PIPELINE);
}

/** Resolves with the exit code of the next pipeline task process to end. */
function nextTaskExit(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.pipeline) {
        sub.dispose();
        resolve(e.exitCode);
      }
    });
  });
}

async function demoRow(predicate: (row: Row) => boolean, what: string): Promise<Row> {
  const view = await api();
  return until(what, async () => {
    await vscode.commands.executeCommand('mlops.pipelines.refresh');
    const row = (await view.pipelinesView()).find((r) => r.label === 'demo');
    return row && predicate(row) ? row : undefined;
  });
}

const steps = (row: Row) => Object.fromEntries((row.children ?? []).map((c) => [c.label, c]));

async function serverApi(path: string, body: unknown): Promise<any> {
  const server = JSON.parse(readFileSync(join(folder(), '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
  const res = await fetch(server.url + path, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

test('every pipeline file is a task "mlops: <name>"; running it fills the Pipelines view with each step\'s outcome', async () => {
  await api();
  setUp();
  const task = await until('the pipeline task', async () => (await vscode.tasks.fetchTasks({ type: 'mlops' })).find((t) => t.name === 'demo' && t.source === 'mlops'));
  assert.equal(task.definition.pipeline, 'pipes/demo.pipeline.yaml');
  const before = await demoRow((r) => (r.children?.length ?? 0) === 3, 'the view lists the 3 steps');
  assert.match(before.description, /never run/);
  assert.deepEqual((before.children ?? []).map((c) => [c.label, c.description]), [
    ['prepare', 'never run'],
    ['train', 'never run'],
    ['report', 'never run'],
  ]);

  const exit = nextTaskExit();
  await vscode.tasks.executeTask(task);
  assert.equal(await exit, 0);
  const after = await demoRow((r) => (r.children ?? []).every((c) => c.icon === 'pass'), 'every step passed');
  assert.equal(after.icon, 'pass', 'finished: its icon says it');
  assert.match(after.description, /^(just now|\d+m ago) · took .* · pipes\/demo\.pipeline\.yaml$/, 'when it ran first, the file last');
  assert.equal(steps(after).prepare.contextValue, 'mlopsPipelineStepWithRun');
}, { timeoutMs: 90_000 });

test('a dep edited outside a run turns its step and those after it stale; a re-run with nothing changed is cached', async () => {
  writeFileSync(join(dir(), 'raw.txt'), 'other rows\n');
  const stale = await demoRow((r) => /stale/.test(steps(r).prepare?.description ?? ''), 'prepare is stale');
  assert.match(steps(stale).train.description, /stale/, 'downstream of a stale step is stale');
  assert.match(stale.description, /2 stale/);

  let exit = nextTaskExit();
  await vscode.commands.executeCommand('mlops.pipelines.runPipeline', { file: file() });
  assert.equal(await exit, 0);
  exit = nextTaskExit();
  await vscode.commands.executeCommand('mlops.pipelines.runPipeline', vscode.Uri.file(file()));
  assert.equal(await exit, 0);
  const cached = await demoRow((r) => /cached/.test(steps(r).prepare?.description ?? '') && !/stale/.test(r.description), 'prepare is cached');
  assert.match(steps(cached).train.description, /cached/);
  assert.equal(steps(cached).prepare.icon, 'pass-filled');
  assert.doesNotMatch(steps(cached).report.description, /cached/, 'a step without deps or outs always runs');
}, { timeoutMs: 120_000 });

test('Run Step runs just that step; Open Step Run opens its run; a tasks.json pipeline task passes params and steps', async () => {
  const status = async () => serverApi('/api/v1/pipelines/status', { file: 'pipes/demo.pipeline.yaml' });
  const before = await status();
  let exit = nextTaskExit();
  await vscode.commands.executeCommand('mlops.pipelines.runStep', { file: file(), step: 'train' });
  assert.equal(await exit, 0);
  const after = await until('train ran again', async () => {
    const s = await status();
    return s.steps[1].last.runId !== before.steps[1].last.runId ? s : undefined;
  });
  assert.equal(after.steps[1].last.cached, false, 'Run Step runs the step even when it is cached');
  assert.equal(after.steps[0].last.runId, before.steps[0].last.runId, 'its needs are not run');

  const report = (await vscode.commands.executeCommand('mlops.pipelines.openStepRun', { file: file(), step: 'train' })) as { runId?: string } | undefined;
  assert.equal(report?.runId, after.steps[1].last.runId);

  const label = `demo n=7 ${Date.now()}`;
  mkdirSync(join(folder(), '.vscode'), { recursive: true });
  const tasksFile = join(folder(), '.vscode', 'tasks.json');
  const previous = (() => {
    try {
      return JSON.parse(readFileSync(tasksFile, 'utf8')) as { tasks: unknown[] };
    } catch {
      return { tasks: [] };
    }
  })();
  const declared = { type: 'mlops', label, pipeline: 'pipes/demo.pipeline.yaml', params: { n: 7 }, steps: ['train'] };
  writeFileSync(tasksFile, JSON.stringify({ version: '2.0.0', tasks: [...previous.tasks, declared] }, null, 2));
  const task = await until('the tasks.json pipeline task', async () => (await vscode.tasks.fetchTasks({ type: 'mlops' })).find((t) => t.name === label));
  exit = nextTaskExit();
  await vscode.tasks.executeTask(task);
  assert.equal(await exit, 0);
  const last = await status();
  const server = JSON.parse(readFileSync(join(folder(), '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
  const run = (await (await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${last.lastRun.runId}`, { headers: { Authorization: `Bearer ${server.token}` } })).json()) as any;
  const params = Object.fromEntries(run.run.data.params.map((p: { key: string; value: string }) => [p.key, p.value]));
  assert.equal(params.n, '7');
  assert.equal(run.run.data.tags.find((t: { key: string }) => t.key === 'mlops.pipeline.steps').value, 'train');
  assert.match(readFileSync(join(dir(), 'model.txt'), 'utf8'), /7/);
}, { timeoutMs: 120_000 });

test('right after a run with n=7 (--set), train is not called stale against itself: it says what it ran with and which param differs from the file', async () => {
  const row = await demoRow((r) => /ran with/.test(steps(r).train?.description ?? ''), 'train says what it ran with');
  const train = steps(row).train;
  assert.match(train.description, /ran with n=7/);
  assert.doesNotMatch(train.description, /stale/);
  assert.match(train.tooltip, /Up to date for the last run's params \(n=7, set with --set\)/);
  assert.match(train.tooltip, /differs from the last run's params: n 7 → file default 2/);
  assert.doesNotMatch(row.description, /stale/, 'the pipeline counts no stale step');
  assert.match(row.description, /set n=7/);
  assert.match(row.tooltip, /Ran with --set n=7/);
}, { timeoutMs: 60_000 });

test('Show DAG draws the pipeline\'s real steps and edges with their last outcomes, and follows new runs', async () => {
  await vscode.commands.executeCommand('mlops.pipelines.showDag', { file: file() });
  const drawn = await until('the DAG drew the demo pipeline', async () => {
    const r = (await vscode.commands.executeCommand('_mlops.pipelineDag.report', file())) as { view: string; nodes: { name: string; status: string; badges: string[] }[]; edges: number } | undefined;
    return r?.view === 'graph' && r.nodes.length === 3 ? r : undefined;
  });
  assert.equal(drawn.edges, 2);
  assert.deepEqual(drawn.nodes.map((n) => n.name), ['prepare', 'train', 'report']);
  for (const n of drawn.nodes) assert.ok(['finished', 'cached'].includes(n.status), `${n.name}: ${n.status}`);
  assert.ok(drawn.nodes[1].badges.includes('set'), 'train ran with n=7, unlike the file: "set", not "stale" against itself');
  assert.ok(!drawn.nodes[1].badges.includes('stale'));

  // A run from the view: the panel redraws from the new status (train no longer stale).
  const exit = nextTaskExit();
  await vscode.commands.executeCommand('mlops.pipelines.runPipeline', { file: file() });
  assert.equal(await exit, 0);
  await until('train is fresh in the DAG', async () => {
    const r = (await vscode.commands.executeCommand('_mlops.pipelineDag.report', file())) as { nodes: { name: string; badges: string[] }[] } | undefined;
    return r && !r.nodes[1].badges.includes('stale') && !r.nodes[1].badges.includes('set') ? r : undefined;
  });
}, { timeoutMs: 90_000 });

test('a running pipeline shows as running in the view, and Stop Pipeline ends it: its running step KILLED, the rest not run', async () => {
  const slow = join(dir(), 'slow.pipeline.yaml');
  writeFileSync(slow, 'name: slow\nsteps:\n  wait:\n    run: sleep 60\n  after:\n    needs: [wait]\n    run: echo after\n');
  const view = await api();
  const row = async (predicate: (r: Row) => boolean, what: string) =>
    until(what, async () => {
      await vscode.commands.executeCommand('mlops.pipelines.refresh');
      const r = (await view.pipelinesView()).find((x) => x.label === 'slow');
      return r && predicate(r) ? r : undefined;
    });
  await row(() => true, 'the slow pipeline is listed');
  const exit = nextTaskExit();
  await vscode.commands.executeCommand('mlops.pipelines.runPipeline', { file: slow });
  const running = await row((r) => r.contextValue === 'mlopsPipelineRunning' && steps(r).wait?.icon === 'sync~spin', 'the pipeline and its step show as running');
  assert.match(steps(running).after.description, /pending/);
  await vscode.commands.executeCommand('mlops.pipelines.stopPipeline', running.node);
  await exit;
  const stopped = await row((r) => r.contextValue === 'mlopsPipeline' && steps(r).wait?.icon === 'circle-slash', 'the step is KILLED');
  assert.match(steps(stopped).wait.description, /killed/);
  assert.match(steps(stopped).after.description, /not run/);
}, { timeoutMs: 90_000 });

test('problems show as you type at their line and column, a typo gets a quick fix, and needs completes step names', async () => {
  await api();
  mkdirSync(dir(), { recursive: true });
  const uri = vscode.Uri.file(join(dir(), 'typing.pipeline.yaml'));
  writeFileSync(uri.fsPath, 'name: typing\nsteps:\n  prepare:\n    run: echo hi\n');
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  await editor.edit((e) => e.insert(new vscode.Position(4, 0), '  train:\n    needs: [prepar]\n    run: echo train\n    dep: [x.txt]\n'));
  const problems = await until('two problems', () => {
    const d = vscode.languages.getDiagnostics(uri);
    return d.length === 1 ? d : undefined; // the schema error (dep) hides the reference checks until fixed
  });
  assert.equal(problems[0].range.start.line, 7);
  assert.equal(problems[0].range.start.character, 4);
  assert.match(problems[0].message, /unknown key "dep"/);
  await applyFix(uri, problems[0].range, "Change to 'deps'");

  const need = await until('the unknown need', () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'unknown-need'));
  assert.deepEqual([need.range.start.line, need.range.start.character, need.range.end.character], [5, 12, 18]);
  assert.ok(vscode.languages.getDiagnostics(uri).some((d) => d.code === 'missing-dep' && d.range.start.line === 7), 'x.txt is missing');
  await applyFix(uri, need.range, "Change to 'prepare'");
  await until('no unknown need', () => (vscode.languages.getDiagnostics(uri).some((d) => d.code === 'unknown-need') ? undefined : true));
  assert.equal(doc.lineAt(5).text, '    needs: [prepare]');

  // Completion: a new step's needs offers the others, not itself nor what is listed.
  await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), '  report:\n    run: echo r\n    needs: [train, '));
  const end = doc.lineAt(doc.lineCount - 1).range.end;
  const list = await until('completion items', async () => {
    const r = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, end);
    const labels = r.items.filter((i) => i.kind === vscode.CompletionItemKind.Reference).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    return labels.length ? labels : undefined;
  });
  assert.deepEqual(list.sort(), ['prepare']);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}, { timeoutMs: 60_000 });

async function applyFix(uri: vscode.Uri, range: vscode.Range, title: string): Promise<void> {
  const actions = await until(`the quick fix "${title}"`, async () => {
    const all = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range);
    return all.find((a) => a.title === title) ? all : undefined;
  });
  const fix = actions.find((a) => a.title === title)!;
  assert.ok(fix.edit);
  assert.ok(await vscode.workspace.applyEdit(fix.edit!));
}

// A pipeline with a gate, as the churn example: its results where people look,
// and an alias it moves said out loud. Leaves the registry panel of "gated" open
// for the browser check (uiChecks/55-modelGate.mjs).
const GATED = `name: gated
params: { variant: a }
steps:
  train:
    run: |-
      cp model_\${params.variant}.bin model.bin && echo '{"train_loss": 0.25}' > train.json
    deps: [model_a.bin, model_b.bin]
    outs: [model.bin, train.json]
    metrics: train.json
  evaluate:
    needs: [train]
    run: |-
      echo "{\\"auc\\": $(cat model.bin), \\"accuracy\\": 0.8}" > metrics.json
    deps: [model.bin]
    outs: [metrics.json]
    metrics: metrics.json
  register:
    needs: [evaluate]
    register: { model: gated, path: model.bin, alias: challenger, when: "evaluate.metrics.auc >= 0.8" }
`;

interface ViewsApi {
  pipelinesView(): Promise<Row[]>;
  experimentsRowOf(runId: string): Promise<{ label: string; description: string; tooltip: string } | undefined>;
  modelsRowOf(name: string, version: string): Promise<{ label: string; description: string; tooltip: string } | undefined>;
}

test('a gated pipeline\'s run shows the gate\'s metric on its rows (Pipelines, Experiments); a re-run that moves @challenger back says so (notification, Models view)', async () => {
  const views = (await vscode.extensions.getExtension(extensionId())!.activate()) as ViewsApi;
  const gated = join(dir(), 'gated.pipeline.yaml');
  // Each "model" is its test AUC: b is better by 0.00005, a difference the version chart must not draw as a cliff.
  writeFileSync(join(dir(), 'model_a.bin'), '0.91\n');
  writeFileSync(join(dir(), 'model_b.bin'), '0.91005\n');
  writeFileSync(gated, GATED);
  const runGated = async (params?: Record<string, string>) => {
    const exit = nextTaskExit();
    if (!params) await vscode.commands.executeCommand('mlops.pipelines.runPipeline', { file: gated });
    else {
      const label = `gated ${JSON.stringify(params)} ${Date.now()}`;
      const tasksFile = join(folder(), '.vscode', 'tasks.json');
      const previous = JSON.parse(readFileSync(tasksFile, 'utf8')) as { tasks: unknown[] };
      writeFileSync(tasksFile, JSON.stringify({ version: '2.0.0', tasks: [...previous.tasks, { type: 'mlops', label, pipeline: 'pipes/gated.pipeline.yaml', params }] }, null, 2));
      const task = await until('the tasks.json task', async () => (await vscode.tasks.fetchTasks({ type: 'mlops' })).find((t) => t.name === label));
      await vscode.tasks.executeTask(task);
    }
    assert.equal(await exit, 0);
    return (await serverApi('/api/v1/pipelines/status', { file: 'pipes/gated.pipeline.yaml' })) as { lastRun: { runId: string } };
  };

  const first = await runGated();
  const row = await until('the gated row shows the gate\'s metric', async () => {
    await vscode.commands.executeCommand('mlops.pipelines.refresh');
    const r = (await views.pipelinesView()).find((x) => x.label === 'gated');
    return r && /auc 0\.91/.test(r.description) ? r : undefined;
  });
  assert.match(row.description, /^(just now|\d+m ago) · auc 0\.91 · .*took .* · pipes\/gated\.pipeline\.yaml$/, 'when it ran and the gate\'s metric first, the file last');
  assert.match(row.tooltip, /`pipes\/gated\.pipeline\.yaml`/, 'the file in the tooltip');
  assert.match(row.tooltip, /evaluate\/auc 0\.91 \(gate\)  \ntrain\/train\\?_loss 0\.25/, 'the gate\'s metric first, then the others');
  const parent = await until('the pipeline run in the Experiments view with its gate metric', async () => {
    await vscode.commands.executeCommand('mlops.refreshExperiments');
    const r = await views.experimentsRowOf(first.lastRun.runId);
    return r && /auc 0\.91/.test(r.description) ? r : undefined;
  });
  assert.equal(parent.label, 'gated');
  assert.match(parent.description, /^auc 0\.91 · (just now|\d+m ago) · took /, 'the gate\'s metric by its own name, then how long ago');
  assert.match(parent.tooltip, /evaluate\/auc=0\.91 \(gate\), evaluate\/accuracy=0\.8/);

  await runGated({ variant: 'b' });
  await until('the move to v2 is announced', async () => ((await vscode.commands.executeCommand<string[]>('_mlops.models.aliasMovesShown')) ?? []).find((m) => /gated @challenger moved from v1 to v2/.test(m)));
  const third = await runGated();
  const note = await until('the move back to v1 is announced', async () =>
    ((await vscode.commands.executeCommand<string[]>('_mlops.models.aliasMovesShown')) ?? []).find((m) => /gated @challenger moved from v2 to v1/.test(m)),
  );
  assert.match(note, new RegExp(`by pipeline gated \\(run ${third.lastRun.runId}\\)`));
  const v1 = await until('v1 says where @challenger came from', async () => {
    const r = await views.modelsRowOf('gated', '1');
    return r && /@challenger \(from v2\)/.test(r.description) ? r : undefined;
  });
  assert.match(v1.description, /^@challenger \(from v2\) · auc 0\.91 · (just now|\d+m ago) · /, 'the alias, the metric that let it in, how long ago');
  assert.match(v1.tooltip, /@challenger moved here from v2 on \d{4}-\d\d-\d\d \d\d:\d\d by pipeline gated/);
  assert.match(v1.tooltip, /Promotion gate: evaluate\/auc 0\.91/);
  const v2 = await views.modelsRowOf('gated', '2');
  assert.doesNotMatch(v2?.description ?? '', /@challenger/);

  // The registry panel: the gate's metric (a test AUC train never logged) first, beside train's; the chart does not make 0.00005 a cliff.
  const panel = await until('the registry panel of gated', async () => {
    const r = await vscode.commands.executeCommand<PanelReport | undefined>('mlops.openModel', { name: 'gated', version: '1' });
    return r?.versions.length === 2 ? r : undefined;
  });
  assert.deepEqual(panel.gateMetrics, ['evaluate/auc']);
  assert.deepEqual(panel.metricColumns, ['evaluate/auc', 'train_loss']);
  assert.equal(panel.chart?.metric, 'evaluate/auc', 'the chart shows the gate\'s metric first');
  assert.equal(panel.chart?.points, 2);
  assert.ok(Math.abs((panel.chart?.spread ?? 0) - 0.00005) < 1e-9);
  const span = (panel.chart?.yMax ?? 0) - (panel.chart?.yMin ?? 0);
  assert.ok(span >= 0.05 - 1e-9, `the y-axis spans ${span}: a 0.00005 difference fills ${((0.00005 / span) * 100).toFixed(2)}% of it, not all of it`);
}, { timeoutMs: 150_000 });

interface PanelReport {
  versions: { version: string }[];
  metricColumns: string[];
  gateMetrics: string[];
  chart: { metric: string; points: number; yMin: number | null; yMax: number | null; spread: number | null } | null;
}
