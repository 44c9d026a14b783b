// Runs the VS Code integration suite (test/vscode/suite) inside a real VS Code:
// the VS Code server from code-server's npm package (installed by
// installHost.mjs), its workbench opened in headless Chromium by playwright-core,
// the extension under development loaded from this repository, and the suite
// run in the remote extension host through the smoke-test-driver payload.
//
// Prints each test and a final "N passed, N failed"; exits 0 only if all passed.
// Logs, screenshots and the raw results go to out/vscode-test/.
//
// Environment:
//   MLOPS_VSCODE_HOST_DIR   where installHost.mjs put VS Code (default ~/.cache/mlops-workbench/vscode-host)
//   MLOPS_VSCODE_TIMEOUT    seconds to wait for the suite's results (default 300)
//   MLOPS_VSCODE_KEEP=1     keep the temporary workspace and data dirs (their path is printed)
//   MLOPS_VSCODE_HEADED=1   show the browser (needs a display)
//   MLOPS_VSCODE_GREP=RE    run only the suite tests whose names match RE (browser checks still run)
//   MLOPS_VSCODE_UI_CHECKS=RE  run only the browser checks (uiChecks/*.mjs) whose file names match RE
//                           (with GREP, the others would fail and outlast the suite's wait for them)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleSuite } from './bundleSuite.mjs';
import { CHROMIUM_FLAGS, MACHINE_SETTINGS, freePort, killProcessesMentioning } from './hostProcesses.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
const hostDir = process.env.MLOPS_VSCODE_HOST_DIR || join(homedir(), '.cache', 'mlops-workbench', 'vscode-host');
const timeoutMs = Number(process.env.MLOPS_VSCODE_TIMEOUT || 300) * 1000;
const outDir = join(repo, 'out', 'vscode-test');
const logs = {
  build: join(outDir, 'build.log'),
  server: join(outDir, 'server.log'),
  browser: join(outDir, 'browser.log'),
  vscode: join(outDir, 'vscode-logs'),
};
const screenshots = join(outDir, 'screenshots');
const resultsFile = join(outDir, 'results.json');
// How long the suite keeps the extension host alive for the browser-side checks.
const UI_WAIT_MS = 120_000;

const started = Date.now();
const seconds = (since = started) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`[vscode-test] ${msg}`);

/** A failure of one named step, with the log that tells more. */
class StepError extends Error {
  constructor(step, message, logFile) {
    super(message);
    this.step = step;
    this.logFile = logFile;
  }
}

// Everything started here, so every exit path (error, Ctrl-C, SIGTERM) stops it.
const state = { server: undefined, browser: undefined, runDir: undefined, workspace: undefined, cleaning: undefined };

async function step(name, fn, logFile) {
  const t = Date.now();
  log(`${name} ...`);
  try {
    const value = await fn();
    log(`${name}: done (${seconds(t)})`);
    return value;
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError(name, err?.message ?? String(err), logFile);
  }
}

function readHost() {
  const file = join(hostDir, 'host.json');
  if (!existsSync(file)) throw new Error(`${file} not found: run "node test/vscode/installHost.mjs" first`);
  const host = JSON.parse(readFileSync(file, 'utf8'));
  for (const p of [host.node, join(host.vscodeDir, 'out', 'server-main.js'), host.chromium]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: run "node test/vscode/installHost.mjs" again`);
  }
  return host;
}

function runLogged(cmd, args, logFile, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', ...opts });
  writeFileSync(logFile, `$ ${cmd} ${args.join(' ')}\n${res.stdout ?? ''}${res.stderr ?? ''}`, { flag: 'a' });
  if (res.error) throw new Error(`${cmd}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}`);
}


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer(host, port, env) {
  const out = createWriteStream(logs.server, { flags: 'a' });
  await new Promise((r) => out.once('open', r));
  const args = [
    join(host.vscodeDir, 'out', 'server-main.js'),
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--disable-workspace-trust',
    '--server-data-dir', join(state.runDir, 'server-data'),
    '--user-data-dir', join(state.runDir, 'user-data'),
    '--extensions-dir', join(state.runDir, 'extensions'),
    '--disable-telemetry',
  ];
  // Machine settings of the remote: a quiet, predictable workbench for screenshots.
  const machineSettings = join(state.runDir, 'user-data', 'Machine', 'settings.json');
  mkdirSync(dirname(machineSettings), { recursive: true });
  writeFileSync(machineSettings, JSON.stringify(MACHINE_SETTINGS, null, 2) + '\n');
  out.write(`$ ${host.node} ${args.join(' ')}\n`);
  // Its own process group: the extension host and its children go with it on kill.
  const child = spawn(host.node, args, { cwd: host.vscodeDir, env, detached: true, stdio: ['ignore', out, out] });
  state.server = child;
  let exited;
  child.on('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new StepError('start VS Code server', `the server ${exited}`, logs.server);
    try {
      // Any HTTP answer means it is listening; the workbench page itself is checked later.
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      return child;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new StepError('start VS Code server', `no answer on port ${port} within 60 s`, logs.server);
}

async function openWorkbench(host, port, suiteBundle) {
  const { chromium } = await import('playwright-core');
  const browserLog = createWriteStream(logs.browser, { flags: 'a' });
  const browser = await chromium.launch({
    executablePath: host.chromium,
    headless: process.env.MLOPS_VSCODE_HEADED !== '1',
    args: CHROMIUM_FLAGS,
    // Our own handlers stop the browser together with everything else.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  state.browser = browser;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (m) => browserLog.write(`[console.${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => browserLog.write(`[pageerror] ${e.stack ?? e.message}\n`));
  page.on('requestfailed', (r) => browserLog.write(`[requestfailed] ${r.url()} ${r.failure()?.errorText ?? ''}\n`));
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(repo)],
    ['extensionTestsPath', remote(suiteBundle)],
  ];
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(state.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  browserLog.write(`goto ${url}\n`);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return page;
}

async function waitForResults(paths, limitMs) {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    for (const p of paths) {
      if (existsSync(p)) return { file: p, results: JSON.parse(readFileSync(p, 'utf8')) };
    }
    if (state.server && state.server.exitCode !== null) {
      throw new StepError('run suite', `the VS Code server exited (${state.server.exitCode}) before the suite wrote its results`, logs.server);
    }
    // The suite keeps the extension host alive until the harness is done, so an
    // exit before the results exist means the suite never ran or crashed.
    const exited = /Extension Host Process exited with code: (-?\d+)/.exec(readFileSync(logs.server, 'utf8'));
    if (exited) {
      await sleep(500);
      for (const p of paths) if (existsSync(p)) return { file: p, results: JSON.parse(readFileSync(p, 'utf8')) };
      throw new StepError(
        'run suite',
        `the extension host exited (code ${exited[1]}) before the suite wrote its results${suiteErrorFromBrowserLog()}`,
        `${logs.browser} (the extension host's errors reach the browser console), ${logs.vscode}`,
      );
    }
    await sleep(250);
  }
  throw new StepError('run suite', `no results within ${limitMs / 1000} s (looked for ${paths.join(', ')})`, logs.server);
}

/** The extension host's error naming the suite bundle, as the browser console got it. */
function suiteErrorFromBrowserLog() {
  if (!existsSync(logs.browser)) return '';
  const lines = readFileSync(logs.browser, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes('out/vscode-suite/'));
  if (at < 0) return '';
  let start = at;
  while (start > 0 && !lines[start].startsWith('[')) start--;
  return `:\n  ${lines.slice(start, at + 1).join('\n  ')}`;
}

async function screenshot(page, name) {
  if (!page) return undefined;
  mkdirSync(screenshots, { recursive: true });
  const file = join(screenshots, `${name}.png`);
  try {
    await page.screenshot({ path: file, timeout: 15_000 });
    return file;
  } catch (err) {
    log(`screenshot ${name} failed: ${err.message}`);
    return undefined;
  }
}

/** Checks done from the browser side, on the rendered workbench. */
async function uiChecks(page) {
  const checks = [];
  const check = async (name, fn) => {
    const t = Date.now();
    try {
      await fn();
      checks.push({ name, ok: true, durationMs: Date.now() - t });
    } catch (err) {
      checks.push({ name, ok: false, durationMs: Date.now() - t, error: err.message });
    }
  };
  await check('[ui] the explorer shows the fixture folder with train.py', async () => {
    // The suite may have put another view container in front: show the explorer.
    // A click, not Ctrl+Shift+E (a focused terminal can swallow keys); and only
    // when hidden, since clicking the active container's icon hides the side bar.
    if (!(await page.locator('.explorer-folders-view').isVisible())) await page.locator('.activitybar [aria-label^="Explorer"]').first().click();
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'train.py' });
    await row.first().waitFor({ state: 'visible', timeout: 20_000 });
  });
  await check('[ui] the status bar shows the extension\'s item', async () => {
    const item = page.locator(`#workbench\\.parts\\.statusbar [id^="${EXTENSION_ID}."]`);
    await item.first().waitFor({ state: 'visible', timeout: 20_000 });
  });
  // Each feature keeps its browser-side checks in test/vscode/uiChecks/<feature>.mjs,
  // exporting `checks(page, check, { screenshot })`; they run in file-name order.
  const dir = join(repo, 'test', 'vscode', 'uiChecks');
  const only = process.env.MLOPS_VSCODE_UI_CHECKS ? new RegExp(process.env.MLOPS_VSCODE_UI_CHECKS, 'i') : undefined;
  for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mjs') && (!only || only.test(f))).sort() : []) {
    const module = await import(pathToFileURL(join(dir, file)).href);
    await module.checks(page, check, { screenshot: (name) => screenshot(page, name) });
  }
  return checks;
}

function killGroup(child, signal) {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** The backend the extension may have started for the temporary workspace (it runs detached). */
function stopWorkspaceBackend() {
  if (!state.workspace) return;
  const info = join(state.workspace, '.mlops', 'server.json');
  if (!existsSync(info)) return;
  try {
    const { pid } = JSON.parse(readFileSync(info, 'utf8'));
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        process.kill(pid, 'SIGTERM');
      }
    }
  } catch {
    // gone already, or the file is not ours to read
  }
}


async function cleanup() {
  state.cleaning ??= (async () => {
    stopWorkspaceBackend();
    if (state.browser) await Promise.race([state.browser.close().catch(() => {}), sleep(5000)]);
    const server = state.server;
    if (server && server.exitCode === null && server.signalCode === null) {
      killGroup(server, 'SIGTERM');
      const gone = await Promise.race([new Promise((r) => server.once('exit', () => r(true))), sleep(5000).then(() => false)]);
      if (!gone) killGroup(server, 'SIGKILL');
    }
    killProcessesMentioning(state.runDir);
    if (state.runDir) {
      // VS Code's own logs (extension host, remote agent, the extension's output channels).
      const vscodeLogs = join(state.runDir, 'user-data', 'logs');
      if (existsSync(vscodeLogs)) cpSync(vscodeLogs, join(outDir, 'vscode-logs'), { recursive: true });
      if (process.env.MLOPS_VSCODE_KEEP === '1') log(`kept ${state.runDir}`);
      else rmSync(state.runDir, { recursive: true, force: true, maxRetries: 3 });
    }
  })();
  return state.cleaning;
}

// Last resort when the process ends without cleanup() finishing: synchronous kills only.
process.on('exit', () => {
  if (state.server && state.server.exitCode === null && state.server.signalCode === null) killGroup(state.server, 'SIGKILL');
  killProcessesMentioning(state.runDir);
  if (state.runDir && process.env.MLOPS_VSCODE_KEEP !== '1') rmSync(state.runDir, { recursive: true, force: true });
});

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

// The extension host formats stack traces itself (Node's --enable-source-maps has
// no effect there), so positions in the suite bundle are mapped back to the .ts
// files here, from esbuild's source map.
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  let origLine = 0;
  let origCol = 0;
  let name = 0;
  for (const lineText of mappings.split(';')) {
    const segments = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += values[0];
      if (values.length >= 4) {
        source += values[1];
        origLine += values[2];
        origCol += values[3];
        if (values.length >= 5) name += values[4];
        segments.push([genCol, source, origLine, origCol]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

function stackMapper(bundle) {
  let map;
  try {
    const raw = JSON.parse(readFileSync(`${bundle}.map`, 'utf8'));
    map = { sources: raw.sources.map((s) => resolve(dirname(bundle), s)), lines: decodeMappings(raw.mappings) };
  } catch {
    return (text) => text;
  }
  const at = (line, col) => {
    const segments = map.lines[line - 1] ?? [];
    let best;
    for (const s of segments) if (s[0] <= col - 1) best = s;
    return best ? `${map.sources[best[1]]}:${best[2] + 1}:${best[3] + 1}` : undefined;
  };
  const escaped = bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g');
  return (text) => text.replace(pattern, (whole, l, c) => at(Number(l), Number(c)) ?? whole);
}

function report(results) {
  for (const t of results.tests) {
    if (t.ok) console.log(`  ok    ${t.name} (${t.durationMs} ms)`);
    else console.log(`  FAIL  ${t.name} (${t.durationMs} ms)\n        ${String(t.error).split('\n').join('\n        ')}`);
  }
  for (const m of results.measurements ?? []) {
    console.log(`  measured  ${m.name}: ${m.value.toFixed(1)} ${m.unit}${m.target ? ` (target ${m.target})` : ''}`);
  }
}

async function main() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const host = await step('find VS Code host', () => readHost());
  log(`VS Code ${host.vscodeVersion} (code-server ${host.codeServer}), Node ${host.node}`);

  await step('build extension', () => runLogged(process.execPath, ['esbuild.mjs'], logs.build), logs.build);
  const suiteBundle = await step('bundle suite', () => bundleSuite(repo));

  state.runDir = mkdtempSync(join(tmpdir(), 'mlops-vscode-'));
  state.workspace = join(state.runDir, 'workspace');
  cpSync(join(repo, 'test', 'vscode', 'fixture'), state.workspace, { recursive: true });
  const suiteResults = join(state.runDir, 'suite-results.json');
  const uiDone = join(state.runDir, 'ui-done');

  const env = {
    ...process.env,
    MLOPS_VSCODE_REPO: repo,
    MLOPS_VSCODE_WORKSPACE: state.workspace,
    MLOPS_VSCODE_RESULTS: suiteResults,
    MLOPS_VSCODE_UI_DONE: uiDone,
    MLOPS_VSCODE_UI_WAIT_MS: String(UI_WAIT_MS),
  };
  // The server is given Node 24 explicitly; PATH stays as it is so that `node`
  // there is the one node_modules was built with (the extension starts its
  // backend with the `node` on PATH whose ABI matches better-sqlite3's).
  let port;
  await step('start VS Code server', async () => {
    // A port found free can be taken before the server binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await startServer(host, port, env);
        return;
      } catch (err) {
        if (attempt >= 3 || !/EADDRINUSE/.test(readFileSync(logs.server, 'utf8'))) throw err;
        killGroup(state.server, 'SIGKILL');
      }
    }
  }, logs.server);
  log(`server on http://127.0.0.1:${port}, workspace ${state.workspace}`);

  let page;
  let outcome;
  try {
    page = await step('open workbench in chromium', () => openWorkbench(host, port, suiteBundle), logs.browser);
    const fallback = join(state.workspace, '.vscode-test', 'results.json');
    const { results } = await step('run suite', () => waitForResults([suiteResults, fallback], timeoutMs), logs.server);
    const mapStack = stackMapper(suiteBundle);
    for (const t of results.tests) if (t.error) t.error = mapStack(t.error);
    for (const f of results.failures) f.error = mapStack(f.error);
    const ui = await step('ui checks', () => uiChecks(page), logs.browser);
    results.tests.push(...ui);
    for (const c of ui.filter((c) => !c.ok)) results.failures.push({ name: c.name, error: c.error });
    results.passed = results.tests.filter((t) => t.ok).length;
    results.failed = results.tests.length - results.passed;
    writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
    outcome = results;
  } finally {
    const shot = await screenshot(page, outcome && outcome.failed === 0 ? 'workbench' : 'failure');
    if (shot) log(`screenshot: ${shot}`);
    // Lets the suite's run() return, and the extension host end.
    writeFileSync(uiDone, '');
  }
  return outcome;
}

let exitCode = 1;
try {
  const results = await main();
  report(results);
  if (results.failed > 0) log(`logs: ${Object.values(logs).join(', ')}; results: ${resultsFile}`);
  log(`finished in ${seconds()}`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  exitCode = results.failed === 0 && results.passed > 0 ? 0 : 1;
} catch (err) {
  if (err instanceof StepError) {
    console.error(`[vscode-test] step "${err.step}" failed: ${err.message}`);
    if (err.logFile) console.error(`[vscode-test] log: ${err.logFile}`);
  } else {
    console.error(`[vscode-test] ${err?.stack ?? err}`);
  }
  console.error(`[vscode-test] all logs: ${outDir}`);
  console.log('0 passed, 1 failed');
} finally {
  await cleanup();
}
process.exit(exitCode);
