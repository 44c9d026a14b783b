// The extension's manifest (package.json) as VS Code and vsce read it: what
// activates the extension, that every command a menu, welcome view or
// walkthrough names exists, and that the files it points to are there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Command {
  command: string;
  title: string;
}
interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}
interface Manifest {
  main: string;
  license: string;
  repository?: { url?: string };
  activationEvents: string[];
  contributes: {
    commands: Command[];
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
    menus: Record<string, { command: string }[]>;
    walkthroughs: { id: string; title: string; steps: WalkthroughStep[] }[];
    yamlValidation: { fileMatch: string | string[]; url: string }[];
    taskDefinitions: { type: string }[];
    viewsContainers: Record<string, { icon: string }[]>;
  };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const declared = new Set(manifest.contributes.commands.map((c) => c.command));
const viewIds = new Set(Object.values(manifest.contributes.views).flatMap((views) => views.map((v) => v.id)));
// Commands of VS Code itself that the manifest links to.
const BUILT_IN = new Set(['workbench.trust.manage']);

/** A command VS Code will find: ours, VS Code's, or the focus command VS Code makes for each contributed view. */
function exists(command: string): boolean {
  return declared.has(command) || BUILT_IN.has(command) || (command.endsWith('.focus') && viewIds.has(command.slice(0, -'.focus'.length)));
}

/** `command:ID` links in markdown text (welcome views, walkthrough steps), without their arguments. */
function linkedCommands(markdown: string): string[] {
  return [...markdown.matchAll(/\(command:([\w.-]+)/g)].map((m) => m[1]);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('activation events are pinned: views, panels, pipeline files and .mlops folders, nothing broad', () => {
  assert.deepEqual([...manifest.activationEvents].sort(), [
    'onView:mlops.deployments',
    'onView:mlops.experiments',
    'onView:mlops.models',
    'onView:mlops.pipelines',
    'onWebviewPanel:mlops.comparison',
    'onWebviewPanel:mlops.model',
    'onWebviewPanel:mlops.monitoring',
    'onWebviewPanel:mlops.pipelineDag',
    'onWebviewPanel:mlops.runDetail',
    'onWebviewPanel:mlops.runsTable',
    'workspaceContains:**/*.pipeline.yaml',
    'workspaceContains:**/*.pipeline.yml',
    'workspaceContains:.mlops',
  ]);
  // VS Code derives onCommand:<id> for contributed commands and onTaskType:mlops
  // from the task definition; listing VS Code's own Run Task would activate the
  // extension in every workspace whenever anyone runs any task.
  assert.ok(manifest.contributes.taskDefinitions.some((t) => t.type === 'mlops'));
  assert.ok(!manifest.activationEvents.some((e) => e.startsWith('onCommand:')), 'no onCommand: activation events');
  assert.ok(!manifest.activationEvents.includes('*'));
});

test('every command a menu names is declared', () => {
  const missing = Object.entries(manifest.contributes.menus).flatMap(([menu, items]) => items.filter((i) => !exists(i.command)).map((i) => `${menu}: ${i.command}`));
  assert.deepEqual(missing, []);
});

test('every command a welcome view links to exists, and each welcome view is of a contributed view', () => {
  for (const welcome of manifest.contributes.viewsWelcome) {
    assert.ok(viewIds.has(welcome.view), `welcome content for unknown view ${welcome.view}`);
    for (const command of linkedCommands(welcome.contents)) assert.ok(exists(command), `${welcome.view} links to undeclared ${command}`);
  }
});

test('every declared command is registered by the extension', () => {
  const source = sourceFiles(join('src', 'extension'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const unregistered = [...declared].filter((id) => !source.includes(`'${id}'`));
  assert.deepEqual(unregistered, []);
});

test('the walkthrough covers the loop, each step with a working button, a completion event and its media', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.equal(manifest.contributes.walkthroughs.length, 1);
  assert.equal(walkthrough.title, 'Get started with MLOps Workbench');
  assert.deepEqual(
    walkthrough.steps.map((s) => s.title),
    ['Track a run', 'Compare runs', 'Register a model', 'Run a pipeline', 'Serve and monitor'],
  );
  for (const step of walkthrough.steps) {
    const buttons = linkedCommands(step.description);
    assert.ok(buttons.length > 0, `step ${step.id} has no command button`);
    for (const command of buttons) assert.ok(exists(command), `step ${step.id} links to undeclared ${command}`);
    assert.ok((step.completionEvents ?? []).length > 0, `step ${step.id} has no completion event`);
    for (const event of step.completionEvents ?? []) {
      const [kind, id] = event.split(':');
      if (kind === 'onCommand') assert.ok(exists(id), `step ${step.id} completes on undeclared ${id}`);
      else if (kind === 'onView') assert.ok(viewIds.has(id), `step ${step.id} completes on unknown view ${id}`);
      else assert.fail(`step ${step.id}: unexpected completion event ${event}`);
    }
    assert.ok(step.media.markdown, `step ${step.id} has no markdown media`);
    assert.match(step.media.markdown, /^media\/walkthrough\/[\w-]+\.md$/);
    assert.ok(existsSync(step.media.markdown), `${step.media.markdown} is missing`);
  }
});

test('pipeline files are validated with the shipped schema by YAML language servers', () => {
  assert.deepEqual(manifest.contributes.yamlValidation, [{ fileMatch: ['*.pipeline.yaml', '*.pipeline.yml'], url: './schemas/pipeline.schema.json' }]);
  const schema = JSON.parse(readFileSync('schemas/pipeline.schema.json', 'utf8')) as { title: string; properties: Record<string, unknown> };
  assert.equal(schema.title, 'MLOps Workbench pipeline file');
  assert.ok('steps' in schema.properties);
});

test('what vsce and VS Code read is there: license, repository, icons, entry point', () => {
  assert.equal(manifest.license, 'MIT');
  assert.match(readFileSync('LICENSE', 'utf8'), /^MIT License/);
  assert.match(manifest.repository?.url ?? '', /^https:\/\//);
  assert.equal(manifest.main, 'dist/extension.js');
  for (const container of Object.values(manifest.contributes.viewsContainers).flat()) assert.ok(existsSync(container.icon), `${container.icon} is missing`);
});
