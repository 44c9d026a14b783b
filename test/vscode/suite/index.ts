// Entry point of the suite, bundled to out/vscode-suite/suite.js and loaded (via index.js) by
// VS Code's extension host as `extensionTestsPath`: VS Code calls `run()` once the
// extension under development is loaded. Add test files by importing them here.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { runRegistered } from './testApi';
import { resultsPath, uiDonePath } from './context';
import './extension.tests';
// Stops and replaces the folder's backend: early, before tests that keep state in it.
import './terminalCommand.tests';
import './runCurrentFile.tests';
import './trackedTask.tests';
import './runCommand.tests';
import './runsTable.tests';
// The registry's Compare Versions reuses the one comparison panel: before the
// comparison tests, so the panel the browser checks look at is theirs.
import './models.tests';
import './comparison.tests';
import './runDetail.tests';
import './comparisonReuse.tests';
// Leaves a second comparison panel open; its browser check closes it again.
import './comparisonLabels.tests';
import './pipelines.tests';
import './deployments.tests';
// Leaves the drifting deployment's Monitoring panel open for its browser check.
import './monitoring.tests';
// The live flow: registers, deploys, monitors and stops its own model (churn-live).
import './monitoringLive.tests';
// Last: it leaves the DAG panel open for its browser check.
import './pipelineDag.tests';

export async function run(): Promise<void> {
  const results = await runRegistered(resultsPath(), { vscodeVersion: vscode.version });
  await waitForHarness(uiDonePath(), Number(process.env.MLOPS_VSCODE_UI_WAIT_MS ?? 120_000));
  // Thrown so VS Code's own test-run reporting also sees the failure; the harness
  // reads the results file either way.
  if (results.failed > 0) throw new Error(`${results.failed} of ${results.tests.length} tests failed`);
}

/** Keeps the extension host (and so the extension's UI) alive while the harness checks the workbench. */
async function waitForHarness(donePath: string | undefined, limitMs: number): Promise<void> {
  if (!donePath) return;
  const deadline = Date.now() + limitMs;
  while (!existsSync(donePath) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
