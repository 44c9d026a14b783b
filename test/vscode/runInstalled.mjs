// Smoke test of the extension as users get it: `npm run package` builds the
// VSIX, VS Code's server installs it into a fresh extensions folder, and the
// workbench (headless Chromium, playwright-core) opens a workspace with no
// development path and no test suite in the extension host: the installed copy
// runs in production mode, driven only through the UI a user has.
//
// It checks: the installed folder holds what ships and nothing else, the
// extension activates, its backend starts from the installed folder, Run
// Current File with Tracking records a run that the Experiments view shows,
// Register Model… on an .onnx file in the explorer registers it (onnxruntime
// loads it from the installed folder) and the Models view lists it, the
// terminal's `mlops` runs the installed CLI, a panel's webview loads from the
// installed folder, and the walkthrough opens and counts the steps done.
//
// Prints each check and a final "N passed, N failed"; exits 0 only if all passed.
// Logs and screenshots go to out/vsix-test/.
//
// Environment:
//   MLOPS_VSCODE_HOST_DIR   where installHost.mjs put VS Code (default ~/.cache/mlops-workbench/vscode-host)
//   MLOPS_VSCODE_KEEP=1     keep the temporary folders (their path is printed)
//   MLOPS_VSCODE_HEADED=1   show the browser (needs a display)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from './childEnv.mjs';
import { installedLayoutProblems } from './installedLayout.mjs';
import { findWebviewFrame } from './uiChecks/shared/webviewFrame.mjs';
import { CHROMIUM_FLAGS, MACHINE_SETTINGS, freePort, killProcessesMentioning } from './hostProcesses.mjs';
import { checkList, until } from './smokeChecks.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
const hostDir = process.env.MLOPS_VSCODE_HOST_DIR || join(homedir(), '.cache', 'mlops-workbench', 'vscode-host');
const outDir = join(repo, 'out', 'vsix-test');
const screenshots = join(outDir, 'screenshots');
const logs = { package: join(outDir, 'package.log'), server: join(outDir, 'server.log'), browser: join(outDir, 'browser.log') };

const started = Date.now();
const log = (msg) => console.log(`[vsix-test] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const state = { server: undefined, browser: undefined, page: undefined, runDir: undefined, workspace: undefined };
// The screen at the moment a check failed: the next checks change it.
const { checks, check } = checkList(async (n) => {
  if (state.page) await screenshot(state.page, `failed-${n}`);
});

function readHost() {
  const file = join(hostDir, 'host.json');
  if (!existsSync(file)) throw new Error(`${file} not found: run "node test/vscode/installHost.mjs" first`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

function runLogged(cmd, args, logFile, opts = {}) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  writeFileSync(logFile, `$ ${cmd} ${args.join(' ')}\n${res.stdout ?? ''}${res.stderr ?? ''}`, { flag: 'a' });
  if (res.error) throw new Error(`${cmd}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal} (log: ${logFile})`);
  return res.stdout ?? '';
}


/** A tiny real ONNX model (the tests' linear model), written by a bundle of the test helper. */
async function writeOnnxModel(file) {
  const esbuild = await import('esbuild');
  const writer = join(outDir, 'writeModel.js');
  await esbuild.build({
    stdin: { contents: "import { writeFileSync } from 'node:fs'; import { linearModel } from './test/helpers/onnxModels'; writeFileSync(process.argv[2], linearModel());", resolveDir: repo, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: writer,
    logLevel: 'warning',
  });
  runLogged(process.execPath, [writer, file], logs.package);
}

async function startServer(host, port, extensionsDir) {
  const out = createWriteStream(logs.server, { flags: 'a' });
  await new Promise((r) => out.once('open', r));
  const machineSettings = join(state.runDir, 'user-data', 'Machine', 'settings.json');
  mkdirSync(dirname(machineSettings), { recursive: true });
  writeFileSync(machineSettings, JSON.stringify(MACHINE_SETTINGS, null, 2) + '\n');
  // No --enable-smoke-test-driver and no development path: an ordinary server with the VSIX installed.
  const args = [
    join(host.vscodeDir, 'out', 'server-main.js'),
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-workspace-trust',
    '--server-data-dir', join(state.runDir, 'server-data'),
    '--user-data-dir', join(state.runDir, 'user-data'),
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
  ];
  out.write(`$ ${host.node} ${args.join(' ')}\n`);
  // PATH stays: its `node` is the one node_modules was built with, which the extension picks for the backend.
  const child = spawn(host.node, args, { cwd: host.vscodeDir, env: childEnv(), detached: true, stdio: ['ignore', out, out] });
  state.server = child;
  await until('the VS Code server answers', async () => {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} (log: ${logs.server})`);
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return true;
  }, 60_000);
}

async function openWorkbench(host, port) {
  const { chromium } = await import('playwright-core');
  const browserLog = createWriteStream(logs.browser, { flags: 'a' });
  const browser = await chromium.launch({ executablePath: host.chromium, headless: process.env.MLOPS_VSCODE_HEADED !== '1', args: CHROMIUM_FLAGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  state.browser = browser;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (m) => browserLog.write(`[console.${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => browserLog.write(`[pageerror] ${e.stack ?? e.message}\n`));
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(state.workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return page;
}

async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  const file = join(screenshots, `${name}.png`);
  await page.screenshot({ path: file, timeout: 15_000 }).catch((err) => log(`screenshot ${name} failed: ${err.message}`));
  return file;
}

/**
 * Runs a command from the palette by its label, as a user types it. The quick input
 * closes if something takes the focus before it is used (the npm start check met it
 * with a webview finishing its load): the step is retried, as a user would.
 */
async function palette(page, label) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${label}`, { timeout: 5000 });
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      await row.click({ timeout: 5000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      await screenshot(page, `palette-lost-${attempt}`);
      log(`the palette lost "${label}" (${String(err.message).split('\n')[0]}); opening it again`);
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Clicks an item of the open context menu. A click that lands while the menu is
 * still settling is swallowed and leaves it open (seen about 1 run in 4): click
 * again until the menu closes, which is when VS Code runs the item.
 */
async function clickMenuItem(page, label) {
  const menu = page.locator('.monaco-menu').first();
  const item = menu.locator('.action-item', { hasText: label }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  for (let attempt = 1; ; attempt++) {
    await item.click();
    const closed = await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false);
    if (closed) return;
    if (attempt === 5) throw new Error(`the context menu stayed open after ${attempt} clicks on "${label}"`);
    log(`context menu still open after a click on "${label}"; clicking again`);
  }
}

async function openWalkthrough(page) {
  await palette(page, 'Welcome: Open Walkthrough...');
  await answer(page, 'MLOps Workbench', { item: 'Get started with MLOps Workbench' });
  await page.locator('.gettingStartedSlideDetails', { hasText: 'Get started with MLOps Workbench' }).first().waitFor({ state: 'visible', timeout: 20_000 });
}

/**
 * Answers the open input box or quick pick with `text` and Enter. `title` waits
 * for the question (so that an answer never goes to the one before), `item` for
 * that row in the list.
 */
async function answer(page, text, { title, item } = {}) {
  const widget = page.locator('.quick-input-widget');
  if (title) await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
  const input = widget.locator('input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill(text);
  if (item) await page.locator('.quick-input-list .monaco-list-row', { hasText: item }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await input.press('Enter');
}

async function showMlopsViews(page) {
  const pane = page.locator('.pane-header[aria-label^="Experiments"]');
  if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label^="MLOps"]').first().click();
  await pane.first().waitFor({ state: 'visible', timeout: 20_000 });
}

async function showExplorer(page) {
  if (!(await page.locator('.explorer-folders-view').isVisible())) await page.locator('.activitybar [aria-label^="Explorer"]').first().click();
  await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 20_000 });
}

function paneOf(page, name) {
  return page.locator('.pane', { has: page.locator(`.pane-header[aria-label^="${name}"]`) });
}

async function expandPane(page, name) {
  const header = page.locator(`.pane-header[aria-label^="${name}"]`).first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
}

/** The workspace's backend as the extension started it, asked through its REST API. */
function backendInfo() {
  return JSON.parse(readFileSync(join(state.workspace, '.mlops', 'server.json'), 'utf8'));
}

async function api(method, path, body) {
  const info = backendInfo();
  const res = await fetch(`${info.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${info.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function runsOfWorkspace() {
  const { experiments = [] } = await api('POST', '/api/2.0/mlflow/experiments/search', { max_results: 100 });
  const { runs = [] } = await api('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: experiments.map((e) => e.experiment_id) });
  return runs;
}

function processCommandLine(pid) {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

function findFile(dir, name, depth = 8) {
  if (depth < 0 || !existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === name && dirname(path).endsWith(join(EXTENSION_ID, 'bin'))) return path;
    if (entry.isDirectory()) {
      const found = findFile(path, name, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

async function smoke(host) {
  const vsix = join(outDir, `${manifest.name}.vsix`);
  const extensionsDir = join(state.runDir, 'extensions');
  await check('npm run package builds the VSIX', () => {
    const t = Date.now();
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const output = runLogged(npm, ['run', '--silent', 'package', '--', '--out', vsix], logs.package, { cwd: repo, env: childEnv() });
    const summary = /^VSIX for .*$/m.exec(output)?.[0];
    log(`${summary ?? 'packaged'} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }, { required: true });

  let installed;
  await check('VS Code\'s server installs the VSIX into an empty extensions folder', () => {
    runLogged(host.node, [join(host.vscodeDir, 'out', 'server-main.js'), '--install-extension', vsix, '--extensions-dir', extensionsDir, '--accept-server-license-terms',
      '--server-data-dir', join(state.runDir, 'server-data'), '--user-data-dir', join(state.runDir, 'user-data')], logs.server, { cwd: host.vscodeDir, env: childEnv() });
    installed = readdirSync(extensionsDir).map((d) => join(extensionsDir, d)).find((d) => d.includes(EXTENSION_ID));
    if (!installed) throw new Error(`no ${EXTENSION_ID} folder in ${extensionsDir}: ${readdirSync(extensionsDir).join(', ')}`);
  }, { required: true });

  await check('the installed folder holds the bundles, the Python client, schemas, media and one platform\'s native modules, and no sources', () => {
    const problems = installedLayoutProblems(installed);
    if (problems.length) throw new Error(problems.join('\n'));
  });

  state.workspace = join(state.runDir, 'workspace');
  mkdirSync(state.workspace);
  cpSync(join(repo, 'test', 'vscode', 'fixture', 'train.py'), join(state.workspace, 'train.py'));
  await writeOnnxModel(join(state.workspace, 'model.onnx'));

  const port = await freePort();
  await startServer(host, port, extensionsDir);
  log(`server on http://127.0.0.1:${port}, workspace ${state.workspace}`);
  const page = await openWorkbench(host, port);
  state.page = page;

  await check('the MLOps views activate the extension and its backend starts from the installed folder', async () => {
    await showMlopsViews(page);
    const info = await until('.mlops/server.json of a live backend', async () => existsSync(join(state.workspace, '.mlops', 'server.json')) && (await api('GET', '/api/v1/health')) && backendInfo(), 60_000);
    const argv = processCommandLine(info.pid);
    const script = argv.find((a) => a.endsWith('server.js'));
    if (script !== join(installed, 'dist', 'server.js')) throw new Error(`the backend runs ${argv.join(' ')}, not the installed dist/server.js`);
    if (argv.some((a) => a.startsWith(repo + '/'))) throw new Error(`the backend's command line names the source tree: ${argv.join(' ')}`);
    await page.locator(`#workbench\\.parts\\.statusbar [id^="${EXTENSION_ID}."]`).first().waitFor({ state: 'visible', timeout: 20_000 });
  }, { required: true });

  // Before anything else: VS Code creates its walkthrough service when a walkthrough
  // first shows, and counts completion events only from then on.
  await check('the walkthrough "Get started with MLOps Workbench" opens with its five steps', async () => {
    await openWalkthrough(page);
    // The selected step's markdown media, rendered in a webview from the installed media/walkthrough/.
    const media = await findWebviewFrame(page, async (frame) => (await frame.locator('h1', { hasText: 'Track a run' }).count()) > 0, 20_000);
    if (!media) throw new Error('the first step\'s markdown (media/walkthrough/track.md) did not render');
    await screenshot(page, 'walkthrough');
    const titles = await page.locator('.getting-started-step .step-title').allInnerTexts();
    for (const title of ['Track a run', 'Compare runs', 'Register a model', 'Run a pipeline', 'Serve and monitor']) {
      if (!titles.some((t) => t.includes(title))) throw new Error(`no step "${title}" among ${JSON.stringify(titles)}`);
    }
  });

  await check('Run Current File with Tracking records a run, shown in the Experiments view', async () => {
    await showExplorer(page);
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'train.py' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'train.py' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await palette(page, 'MLOps: Run Current File with Tracking');
    await answer(page, 'lr=0.1', { title: 'Run train.py with tracking' });
    const run = await until('a finished run with its loss', async () => {
      const runs = await runsOfWorkspace();
      return runs.find((r) => r.info.status === 'FINISHED' && (r.data.metrics ?? []).some((m) => m.key === 'loss'));
    }, 90_000);
    const lr = (run.data.params ?? []).find((p) => p.key === 'lr')?.value;
    if (lr !== '0.1') throw new Error(`the run's params lack lr=0.1 (asked for in the input box): ${JSON.stringify(run.data.params)}`);
    await showMlopsViews(page);
    for (const name of ['Models', 'Pipelines', 'Deployments']) {
      const header = page.locator(`.pane-header[aria-label^="${name}"]`).first();
      if ((await header.count()) && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    const pane = paneOf(page, 'Experiments');
    const defaultRow = pane.locator('.monaco-list-row', { hasText: 'Default' }).first();
    await defaultRow.waitFor({ state: 'visible', timeout: 20_000 });
    if ((await defaultRow.getAttribute('aria-expanded')) === 'false') await defaultRow.click();
    await pane.locator('.monaco-list-row', { hasText: 'loss 0.02' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'experiments-view');
  });

  await check('a click on the run opens its panel, drawn by the webview bundle and stylesheet of the installed folder', async () => {
    await paneOf(page, 'Experiments').locator('.monaco-list-row', { hasText: 'loss 0.02' }).first().click();
    const frame = await findWebviewFrame(page, '#rd-metrics .rd-spark path', 30_000);
    if (!frame) throw new Error('no run panel with a metric sparkline');
    const loaded = await frame.evaluate(() => ({
      scripts: [...document.scripts].map((s) => s.src).filter(Boolean),
      styles: [...document.styleSheets].map((s) => s.href).filter(Boolean),
    }));
    const fromInstalled = (urls, file) => urls.some((u) => decodeURIComponent(u).includes(`${installed}/`) && u.includes(file));
    if (!fromInstalled(loaded.scripts, 'runDetail.js') || !fromInstalled(loaded.styles, 'webview.css')) throw new Error(`the panel loaded ${JSON.stringify(loaded)}`);
    await screenshot(page, 'run-panel');
  });

  await check('Register Model… on model.onnx in the explorer registers it, and the Models view lists it', async () => {
    await showExplorer(page);
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'model.onnx' }).first().click({ button: 'right' });
    await clickMenuItem(page, 'Register Model…');
    await answer(page, 'smoke-linear', { title: 'Register model.onnx as a version of', item: 'New model "smoke-linear"' });
    await answer(page, 'champion', { title: 'Alias for the new version of smoke-linear' });
    const model = await until('version 1 of smoke-linear in the registry', async () => (await api('GET', '/api/v1/models')).models.find((m) => m.name === 'smoke-linear' && m.versions.length > 0 && m.aliases.champion), 60_000);
    if (model.versions.length !== 1 || String(model.aliases.champion) !== '1') throw new Error(`the registry has ${JSON.stringify(model)}`);
    await showMlopsViews(page);
    await expandPane(page, 'Models');
    const pane = paneOf(page, 'Models');
    await pane.locator('.monaco-list-row', { hasText: 'smoke-linear' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'models-view');
  });

  await check('the terminal\'s mlops command runs the installed CLI', () => {
    const launcher = findFile(state.runDir, 'mlops');
    if (!launcher) throw new Error(`no bin/mlops launcher under the run's data folders`);
    if (!readFileSync(launcher, 'utf8').includes(join(installed, 'dist', 'cli.js'))) throw new Error(`${launcher} does not run the installed CLI:\n${readFileSync(launcher, 'utf8')}`);
    const out = runLogged(launcher, ['models', 'list'], logs.package, { cwd: state.workspace, env: childEnv() });
    if (!out.includes('smoke-linear')) throw new Error(`mlops models list printed:\n${out}`);
  });

  await check('the walkthrough marks the steps done that the user did (a run tracked, a model registered)', async () => {
    await openWalkthrough(page);
    const done = await page.locator('.getting-started-step[aria-checked="true"] .step-title').allInnerTexts();
    await screenshot(page, 'walkthrough-progress');
    if (!done.some((t) => t.includes('Track a run')) || !done.some((t) => t.includes('Register a model'))) throw new Error(`steps marked done: ${JSON.stringify(done)}`);
  });
}

function stopWorkspaceBackend() {
  try {
    const { pid } = backendInfo();
    if (Number.isInteger(pid) && pid > 1) process.kill(pid, 'SIGTERM');
  } catch {
    // never started, or gone
  }
}


async function cleanup() {
  if (state.page && checks.some((c) => !c.ok)) await screenshot(state.page, 'failure');
  stopWorkspaceBackend();
  if (state.browser) await Promise.race([state.browser.close().catch(() => {}), sleep(5000)]);
  if (state.server?.pid && state.server.exitCode === null) {
    try {
      process.kill(-state.server.pid, 'SIGTERM');
    } catch {
      // gone
    }
    await sleep(1000);
  }
  killProcessesMentioning(state.runDir);
  if (state.runDir) {
    const vscodeLogs = join(state.runDir, 'user-data', 'logs');
    if (existsSync(vscodeLogs)) cpSync(vscodeLogs, join(outDir, 'vscode-logs'), { recursive: true });
    if (state.workspace && existsSync(join(state.workspace, '.mlops', 'logs'))) cpSync(join(state.workspace, '.mlops', 'logs'), join(outDir, 'backend-logs'), { recursive: true });
    if (process.env.MLOPS_VSCODE_KEEP === '1') log(`kept ${state.runDir}`);
    else rmSync(state.runDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

let crashed;
try {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const host = readHost();
  state.runDir = mkdtempSync(join(tmpdir(), 'mlops-vsix-'));
  await smoke(host);
} catch (err) {
  crashed = err;
  if (!checks.some((c) => !c.ok)) console.log(`  FAIL  ${err?.stack ?? err}`);
} finally {
  await cleanup();
}
const passed = checks.filter((c) => c.ok).length;
const failed = checks.length - passed + (crashed && !checks.some((c) => !c.ok) ? 1 : 0);
if (failed) log(`logs: ${outDir}`);
log(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
