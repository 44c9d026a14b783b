// Runs the same integration suite (test/vscode/suite) in VS Code desktop
// downloaded by @vscode/test-electron, for machines that can reach Microsoft's
// download servers (a developer's laptop, CI with internet). Where they cannot,
// use `npm run test:vscode` (the browser-based host from the npm registry);
// this runner says so instead of hanging.
//
// The browser-side checks and screenshots of runHost.mjs need Playwright's page
// and are not run here; the API tests are the same.
//
// Prints each test and a final "N passed, N failed"; exits 0 only if all passed.
// Environment:
//   MLOPS_VSCODE_VERSION   VS Code version to download (default "stable")
//   On Linux without a display, run it under xvfb-run.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSuite } from './bundleSuite.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (msg) => console.log(`[test-electron] ${msg}`);

function finish(results, error) {
  if (error) console.error(`[test-electron] ${error}`);
  for (const t of results?.tests ?? []) {
    console.log(t.ok ? `  ok    ${t.name} (${t.durationMs} ms)` : `  FAIL  ${t.name} (${t.durationMs} ms)\n        ${String(t.error).split('\n').join('\n        ')}`);
  }
  for (const m of results?.measurements ?? []) console.log(`  measured  ${m.name}: ${m.value.toFixed(1)} ${m.unit}${m.target ? ` (target ${m.target})` : ''}`);
  const passed = results?.passed ?? 0;
  const failed = results ? results.failed : 1;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

const build = spawnSync(process.execPath, [join(repo, 'esbuild.mjs')], { cwd: repo, stdio: 'inherit' });
if (build.status !== 0) finish(undefined, 'the build failed');
const suite = await bundleSuite(repo);

const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
let vscodeExecutablePath;
try {
  log('downloading VS Code (cached in .vscode-test/ after the first time) …');
  vscodeExecutablePath = await downloadAndUnzipVSCode(process.env.MLOPS_VSCODE_VERSION || 'stable');
} catch (err) {
  finish(undefined, `could not download VS Code (${err.message.split('\n')[0]}). Without access to Microsoft's download servers, run "npm run test:vscode" instead: it installs VS Code from the npm registry.`);
}

const runDir = mkdtempSync(join(tmpdir(), 'mlops-electron-'));
const workspace = join(runDir, 'workspace');
cpSync(join(repo, 'test', 'vscode', 'fixture'), workspace, { recursive: true });
const resultsFile = join(runDir, 'results.json');
try {
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: repo,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-workspace-trust', '--disable-extensions', '--user-data-dir', join(runDir, 'user-data'), '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: { MLOPS_VSCODE_REPO: repo, MLOPS_VSCODE_WORKSPACE: workspace, MLOPS_VSCODE_RESULTS: resultsFile },
  });
} catch (err) {
  // The suite's run() throws when a test failed; the results file tells which.
  if (!existsSync(resultsFile)) finish(undefined, `VS Code ended before the suite wrote its results: ${err.message ?? err}`);
} finally {
  // The backend the extension started for the workspace runs detached: stop it.
  try {
    const { pid } = JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8'));
    process.kill(pid, 'SIGTERM');
  } catch {
    // not started, or gone already
  }
}
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
finish(results);
