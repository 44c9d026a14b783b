// Checks `npm start` as a newcomer meets it: scripts/start.mjs itself (the
// browser-based VS Code, on a copy of examples/quickstart, seeded as the first
// start does), opened at the URL it prints in headless Chromium. It checks that
// an MLOps notification pops up as a toast (VS Code's smoke-test driver, which
// hides every toast, is not on), that `mlops` runs in a new integrated terminal
// against the backend the seeding started, and that Ctrl-C (SIGINT to the
// process group, as a terminal sends it) stops VS Code with its terminals'
// processes, while the workspace's backend keeps running for its jobs.
//
// Prints each check and a final "N passed, N failed"; exits 0 only if all passed.
// Logs and screenshots go to out/start-test/.
//
// Environment:
//   MLOPS_VSCODE_HOST_DIR   where installHost.mjs put VS Code (default ~/.cache/mlops-workbench/vscode-host)
//   MLOPS_VSCODE_KEEP=1     keep the temporary folder (its path is printed)
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from './childEnv.mjs';
import { CHROMIUM_FLAGS, killProcessesMentioning, processTree } from './hostProcesses.mjs';
import { checkList, until } from './smokeChecks.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
const hostDir = process.env.MLOPS_VSCODE_HOST_DIR || join(homedir(), '.cache', 'mlops-workbench', 'vscode-host');
const outDir = join(repo, 'out', 'start-test');
const logs = { start: join(outDir, 'start.log'), browser: join(outDir, 'browser.log') };
// What the check types into a terminal: a process to find again after Ctrl-C.
const TERMINAL_SLEEP = 'sleep 4242';

const log = (msg) => console.log(`[start-test] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const state = { start: undefined, browser: undefined, page: undefined, runDir: undefined, workspace: undefined };
const { checks, check } = checkList(async (n) => {
  if (state.page) await screenshot(`failed-${n}`);
});

async function screenshot(name) {
  mkdirSync(join(outDir, 'screenshots'), { recursive: true });
  const file = join(outDir, 'screenshots', `${name}.png`);
  await state.page.screenshot({ path: file, timeout: 15_000 }).catch((err) => log(`screenshot ${name} failed: ${err.message}`));
  return file;
}

/** `npm start`'s own script, in a process group of its own as a terminal's foreground job is; resolves with the URL it prints. */
function startProduct(data) {
  const out = createWriteStream(logs.start);
  const child = spawn(process.execPath, [join(repo, 'scripts', 'start.mjs')], {
    cwd: repo,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(process.env, { MLOPS_START_BROWSER: '1', MLOPS_START_WORKSPACE: state.workspace, MLOPS_START_DATA: data }),
  });
  state.start = child;
  let printed = '';
  return new Promise((resolveUrl, reject) => {
    const onData = (chunk) => {
      out.write(chunk);
      printed += chunk;
      const url = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\?\S+)$/m.exec(printed)?.[1];
      if (url) resolveUrl(url);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => reject(new Error(`scripts/start.mjs exited (${code ?? signal}) before printing a URL; log: ${logs.start}`)));
  });
}

/**
 * Runs a command from the palette. The quick input closes when something else
 * takes the focus (once in CI it closed between opening and typing, likely the
 * README preview's webview finishing its load): the whole step is retried, with a
 * screenshot and the focused element logged, as a user would simply open it again.
 */
async function palette(label) {
  for (let attempt = 1; ; attempt++) {
    try {
      await paletteOnce(label);
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      const focused = await state.page.evaluate(() => {
        const el = document.activeElement;
        return el ? `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}` : 'nothing';
      }).catch(() => 'unknown');
      await screenshot(`palette-lost-${attempt}`);
      log(`the palette lost "${label}" (${String(err.message).split('\n')[0]}); focus on ${focused}; opening it again`);
      await state.page.keyboard.press('Escape');
    }
  }
}

async function paletteOnce(label) {
  const page = state.page;
  const input = page.locator('.quick-input-widget input');
  // Keys pressed while a webview (the example's README preview) has the focus stay in its frame.
  for (let attempt = 0; attempt < 3 && !(await input.isVisible()); attempt++) {
    // Empty space of the explorer's tree takes the focus without opening anything.
    const tree = await page.locator('.explorer-folders-view').first().boundingBox();
    if (tree) await page.mouse.click(tree.x + tree.width / 2, tree.y + tree.height - 5);
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
  }
  await input.waitFor({ state: 'visible', timeout: 2000 });
  await input.fill(`>${label}`, { timeout: 5000 });
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click({ timeout: 5000 });
}

function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

function backend() {
  try {
    return JSON.parse(readFileSync(join(state.workspace, '.mlops', 'server.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

async function run(host) {
  state.workspace = join(state.runDir, 'quickstart');
  cpSync(join(repo, 'examples', 'quickstart'), state.workspace, { recursive: true });
  const url = await step('npm start\'s script seeds the example and prints the URL', () => startProduct(join(state.runDir, 'start-data')));

  const { chromium } = await import('playwright-core');
  state.browser = await chromium.launch({ executablePath: host.chromium, headless: true, args: CHROMIUM_FLAGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  const page = (state.page = await state.browser.newPage({ viewport: { width: 1440, height: 900 } }));
  const browserLog = createWriteStream(logs.browser);
  page.on('console', (m) => browserLog.write(`[console.${m.type()}] ${m.text()}\n`));
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

  await check('the workspace, once trusted, activates the extension (loaded without the smoke-test driver)', async () => {
    // A newcomer's way out of Restricted Mode: its status bar item, then the Trust button.
    await page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'Restricted Mode' }).first().click({ timeout: 30_000 });
    await page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first().click({ timeout: 20_000 });
    await page.locator('.workspace-trust-editor', { hasText: 'You trust this folder' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    // The trust editor opens as a modal over the workbench: closed, as a user would.
    await page.locator('.workspace-trust-editor .workspace-trust-title').first().click();
    await page.keyboard.press('Escape');
    await page.locator('.workspace-trust-editor').first().waitFor({ state: 'hidden', timeout: 10_000 });
    await page.locator(`#workbench\\.parts\\.statusbar [id^="${EXTENSION_ID}."]`).first().waitFor({ state: 'visible', timeout: 60_000 });
  }, { required: true });

  await check('an MLOps notification pops up as a toast', async () => {
    await until('the backend the seeding started answers', async () => backend(), 30_000);
    await palette('MLOps: Show Backend Info');
    const toast = page.locator('.notification-toast', { hasText: 'MLOps backend for quickstart: http' }).first();
    await toast.waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot('toast');
  });

  await check('a new integrated terminal runs mlops (the extension attached to the backend the seeding started)', async () => {
    // Opened after the toast above said the backend is connected, as a newcomer would.
    const answer = join(state.workspace, '.start-check-version.txt');
    await palette('Terminal: Create New Terminal');
    await page.locator('.terminal-wrapper.active .xterm').first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('.terminal-wrapper.active .xterm textarea').first().focus();
    await page.keyboard.type(`mlops --version > ${answer} 2>&1; ${TERMINAL_SLEEP}`);
    await page.keyboard.press('Enter');
    const printed = await until('the terminal to answer', async () => existsSync(answer) && readFileSync(answer, 'utf8').trim(), 20_000);
    await screenshot('terminal');
    if (printed !== manifest.version) throw new Error(`mlops --version printed: ${printed}`);
  });

  await check('Ctrl-C stops VS Code and its terminals\' processes; the workspace\'s backend keeps running', async () => {
    const kept = backend()?.pid;
    const running = processTree(state.start.pid, (pid) => pid === kept).map(({ pid }) => ({ pid, cmd: commandLine(pid) })).filter((p) => p.cmd);
    if (!running.some((p) => p.cmd === TERMINAL_SLEEP)) throw new Error(`no "${TERMINAL_SLEEP}" among the processes under npm start:\n${running.map((p) => p.cmd).join('\n')}`);
    const exited = new Promise((r) => state.start.once('exit', r));
    process.kill(-state.start.pid, 'SIGINT');
    await Promise.race([exited, sleep(30_000).then(() => Promise.reject(new Error('scripts/start.mjs did not exit within 30 s of Ctrl-C')))]);
    const left = running.filter((p) => commandLine(p.pid) === p.cmd);
    if (left.length) throw new Error(`still running after Ctrl-C:\n${left.map((p) => `${p.pid} ${p.cmd}`).join('\n')}`);
    if (!kept || !commandLine(kept)) throw new Error(`the workspace's backend (pid ${kept}) stopped too`);
  });
}

async function step(name, fn) {
  const t = Date.now();
  log(`${name} …`);
  const value = await fn();
  log(`${name}: done (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return value;
}

async function cleanup() {
  if (state.browser) await Promise.race([state.browser.close().catch(() => {}), sleep(5000)]);
  if (state.start && state.start.exitCode === null && state.start.signalCode === null) {
    try {
      process.kill(-state.start.pid, 'SIGINT');
    } catch {
      // gone
    }
    await Promise.race([new Promise((r) => state.start.once('exit', r)), sleep(15_000)]);
  }
  const info = state.workspace && backend();
  if (info?.pid) {
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  killProcessesMentioning(state.runDir);
  if (state.runDir) {
    if (process.env.MLOPS_VSCODE_KEEP === '1') log(`kept ${state.runDir}`);
    else rmSync(state.runDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const hostFile = join(hostDir, 'host.json');
let exitCode = 1;
try {
  if (!existsSync(hostFile)) throw new Error(`${hostFile} not found: run "node test/vscode/installHost.mjs" first`);
  state.runDir = mkdtempSync(join(tmpdir(), 'mlops-start-'));
  await run(JSON.parse(readFileSync(hostFile, 'utf8')));
} catch (err) {
  if (!checks.some((c) => !c.ok)) checks.push({ name: 'npm start', ok: false });
  console.error(`[start-test] ${err.message}`);
  console.error(`[start-test] logs: ${outDir}`);
} finally {
  await cleanup();
}
const passed = checks.filter((c) => c.ok).length;
const failed = checks.length - passed;
exitCode = failed === 0 && passed > 0 ? 0 : 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
