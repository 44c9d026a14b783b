// `npm start`: the product in a real VS Code, on an example workspace with
// tracked runs recorded the first time:
//
// - examples/churn when the Python its pipeline uses can import numpy and onnx
//   (Debian's python3-numpy and python3-onnx): the pipeline runs once, so the
//   editor shows a pipeline run with a child run per step, per-epoch curves and a
//   registered model;
// - otherwise examples/quickstart (plain Python), with three runs, and a line
//   saying why and what to install for the churn example.
//
// - VS Code desktop when `code` is on PATH: a new window with this repository
//   loaded as the extension under development.
// - Otherwise the browser-based VS Code (the same VS Code server the
//   integration tests use, installed and cached by test/vscode/installHost.mjs),
//   on 127.0.0.1 with a connection token, with this checkout linked into its
//   extensions folder; the URL to open is printed and the server runs until
//   Ctrl-C, which stops it with its terminals' processes.
//
// Environment:
//   MLOPS_START_WORKSPACE   another folder to open (default: examples/churn or examples/quickstart, as above)
//   MLOPS_START_BROWSER=1   use the browser-based VS Code even when `code` exists
//   MLOPS_START_PORT        port of the browser-based VS Code (default: a free one)
//   MLOPS_START_DATA        its settings, state and extensions folder (default: start-data beside the cached VS Code)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { freePort, stopProcessTree } from '../test/vscode/hostProcesses.mjs';
import { linkCheckout } from './extensionLink.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repo, 'dist', 'cli.js');
const log = (msg) => console.log(`[start] ${msg}`);
const CHURN_PIPELINE = 'churn.pipeline.yaml';

function fail(message) {
  console.error(`[start] ${message}`);
  process.exit(1);
}

function onPath(name) {
  const exts = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const ext of exts) if (dir && existsSync(join(dir, name + ext))) return join(dir, name + ext);
  }
  return undefined;
}

function build() {
  log('building the extension, server and CLI …');
  const res = spawnSync(process.execPath, [join(repo, 'esbuild.mjs')], { cwd: repo, stdio: 'inherit' });
  if (res.status !== 0) fail('the build failed (see above)');
}

/**
 * The churn pipeline's Python if it can import numpy and onnx (its `python` param,
 * Debian's /usr/bin/python3 by default), else python3 on PATH if that can; with
 * the reason when neither can.
 */
function churnPython(folder) {
  let declared = '/usr/bin/python3';
  try {
    declared = String(parseYaml(readFileSync(join(folder, CHURN_PIPELINE), 'utf8'))?.params?.python ?? declared);
  } catch {
    /* the pipeline run reports a broken file itself */
  }
  const candidates = [declared, onPath('python3')].filter((p, i, all) => p && all.indexOf(p) === i);
  const python = candidates.find((p) => spawnSync(p, ['-c', 'import numpy, onnx'], { stdio: 'ignore' }).status === 0);
  return { python, declared, why: python ? undefined : `${candidates.join(' and ')} cannot import numpy and onnx` };
}

/** Whether the workspace's store has runs already (the examples are seeded the first time only). */
function hasRuns(folder) {
  const listed = spawnSync(process.execPath, [cli, 'runs', 'list', '--json', '--workspace', folder], { encoding: 'utf8' });
  return listed.status === 0 && /"run_id"/.test(listed.stdout);
}

/** One run of the churn pipeline: a pipeline run, a run per step, per-epoch metrics, and the model registered. */
function seedPipelineRun(folder, python) {
  if (hasRuns(folder)) return;
  if (!python.python) return log(`${python.why}: ${folder} opens without runs (sudo apt-get install python3-numpy python3-onnx)`);
  const args = [cli, 'pipeline', 'run', CHURN_PIPELINE, '--workspace', folder];
  if (python.python !== python.declared) args.push('--set', `python=${python.python}`);
  log(`recording a run of the example's pipeline: mlops pipeline run ${[CHURN_PIPELINE, ...args.slice(6)].join(' ')} …`);
  const res = spawnSync(process.execPath, args, { cwd: folder, encoding: 'utf8' });
  if (res.status !== 0) {
    process.stderr.write(res.stdout + res.stderr);
    return log(`the pipeline run ended with exit code ${res.status ?? res.signal} (see above); opening the workspace anyway`);
  }
  // The step table the run ends with: each step's status, duration and run.
  const table = res.stdout.slice(res.stdout.lastIndexOf('\n\n') + 2).trimEnd();
  for (const line of table.split('\n')) log(`  ${line}`);
}

/** Three runs of the example with different learning rates, the first time only. */
function seedExampleRuns(workspace) {
  if (!existsSync(join(workspace, 'train.py'))) return;
  if (hasRuns(workspace)) return;
  const python = onPath('python3') ? 'python3' : onPath('python') ? 'python' : undefined;
  if (!python) return log('no python3 on PATH: the example workspace opens without runs');
  for (const lr of ['0.05', '0.3', '1.0']) {
    log(`recording an example run: python3 train.py with lr=${lr}`);
    const res = spawnSync(process.execPath, [cli, 'run', '--workspace', workspace, '--experiment', 'quickstart', '--param', `lr=${lr}`, '--', python, 'train.py', '--epochs', '25'], {
      cwd: workspace,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (res.status !== 0) return log('an example run failed (see above); opening the workspace anyway');
  }
}

/** The folder to open: MLOPS_START_WORKSPACE, else the churn example when its Python has numpy and onnx, else the quickstart. */
function chooseWorkspace() {
  if (process.env.MLOPS_START_WORKSPACE) return resolve(process.env.MLOPS_START_WORKSPACE);
  const churn = join(repo, 'examples', 'churn');
  const python = churnPython(churn);
  if (python.python) return churn;
  log(`opening examples/quickstart instead of examples/churn: ${python.why}.`);
  log('for the churn example (pipeline, registered model): sudo apt-get install python3-numpy python3-onnx, then npm start again');
  return join(repo, 'examples', 'quickstart');
}

function seed(workspace) {
  if (existsSync(join(workspace, CHURN_PIPELINE))) seedPipelineRun(workspace, churnPython(workspace));
  else seedExampleRuns(workspace);
}

function openDesktop(code, workspace) {
  log(`opening VS Code (${code}) on ${workspace}`);
  const res = spawnSync(code, ['--new-window', `--extensionDevelopmentPath=${repo}`, workspace], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (res.status !== 0) fail(`"${code}" exited with ${res.status ?? res.signal}; set MLOPS_START_BROWSER=1 to use the browser-based VS Code instead`);
}

/** A calm first window: the example's README instead of code-server's welcome page, no chat panel. Kept if edited. */
function writeQuietSettings(file) {
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'readme',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
  };
  writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
}

async function openBrowserHost(workspace) {
  const install = spawnSync(process.execPath, [join(repo, 'test', 'vscode', 'installHost.mjs')], { stdio: 'inherit' });
  if (install.status !== 0) fail('could not install the browser-based VS Code (see above)');
  const hostDir = process.env.MLOPS_VSCODE_HOST_DIR || join(homedir(), '.cache', 'mlops-workbench', 'vscode-host');
  const host = JSON.parse(readFileSync(join(hostDir, 'host.json'), 'utf8'));
  const port = Number(process.env.MLOPS_START_PORT) || (await freePort());
  const token = randomBytes(16).toString('hex');
  // Its own data dirs, kept between starts (settings, open editors), beside the host.
  const data = process.env.MLOPS_START_DATA ? resolve(process.env.MLOPS_START_DATA) : join(hostDir, 'start-data');
  writeQuietSettings(join(data, 'user', 'Machine', 'settings.json'));
  // Loaded as an installed extension, not through the development-path payload:
  // that needs the smoke-test driver, under which no notification ever pops up.
  const extensions = join(data, 'extensions');
  linkCheckout(extensions, repo);
  const server = spawn(
    host.node,
    [
      join(host.vscodeDir, 'out', 'server-main.js'),
      '--host', '127.0.0.1',
      '--port', String(port),
      '--connection-token', token,
      '--accept-server-license-terms',
      '--server-data-dir', join(data, 'server'),
      '--user-data-dir', join(data, 'user'),
      '--extensions-dir', extensions,
      '--disable-telemetry',
    ],
    // Its own process group, stopped as a whole (with its terminals) on Ctrl-C below.
    { cwd: host.vscodeDir, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  server.on('exit', (code, signal) => fail(`the VS Code server exited (${code ?? signal})`));
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      server.removeAllListeners('exit');
      log('stopping VS Code and its terminals …');
      // The workspace's backend stays (jobs may still log to it; it stops when idle).
      const backend = backendPid(workspace);
      void stopProcessTree(server.pid, { spare: (pid) => pid === backend }).finally(() => process.exit(0));
    });
  }
  let output = '';
  const ready = new Promise((resolveReady) => {
    const onData = (chunk) => {
      output += chunk;
      if (/Extension host agent started|Web UI available|listening/i.test(output)) resolveReady();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    setTimeout(resolveReady, 15_000);
  });
  await ready;
  const url = `http://127.0.0.1:${port}/?tkn=${token}&folder=${encodeURIComponent(workspace)}`;
  console.log('');
  log('VS Code (browser) with MLOps Workbench is running on 127.0.0.1 only. Open:');
  console.log(`\n  ${url}\n`);
  log('over SSH, forward the port first: ssh -L ' + `${port}:127.0.0.1:${port} <host>`);
  log('after a rebuild (node esbuild.mjs), "Developer: Reload Window" runs the new code.');
  log('Ctrl-C stops it.');
}

/** The pid of the workspace's backend, as its server.json says. */
function backendPid(workspace) {
  try {
    return JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8')).pid;
  } catch {
    return undefined;
  }
}

build();
const workspace = chooseWorkspace();
if (!existsSync(workspace)) fail(`${workspace} does not exist`);
seed(workspace);
const code = process.env.MLOPS_START_BROWSER === '1' ? undefined : onPath('code');
if (code) openDesktop(code, workspace);
else await openBrowserHost(workspace);
