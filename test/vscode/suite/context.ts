// What the harness (runHost.mjs) tells the suite. The extension host inherits
// the VS Code server's environment, so plain environment variables reach it.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ExtensionManifest {
  name: string;
  publisher: string;
  contributes?: { commands?: { command: string; title: string }[] };
}

/** The repository under test (the extension development path). */
export function repoPath(): string {
  const fromEnv = process.env.MLOPS_VSCODE_REPO;
  if (fromEnv) return fromEnv;
  throw new Error('MLOPS_VSCODE_REPO is not set: run the suite through test/vscode/runHost.mjs');
}

/** The extension's package.json as it is on disk (not as VS Code parsed it). */
export function manifest(): ExtensionManifest {
  return JSON.parse(readFileSync(join(repoPath(), 'package.json'), 'utf8')) as ExtensionManifest;
}

export function extensionId(): string {
  const m = manifest();
  return `${m.publisher}.${m.name}`;
}

/** The workspace folder the harness opened (a fresh copy of test/vscode/fixture). */
export function expectedWorkspace(): string | undefined {
  return process.env.MLOPS_VSCODE_WORKSPACE;
}

/** Where the suite writes its results: from the harness, else inside the workspace. */
export function resultsPath(): string {
  const fromEnv = process.env.MLOPS_VSCODE_RESULTS;
  if (fromEnv) return fromEnv;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no results path: MLOPS_VSCODE_RESULTS is not set and no folder is open');
  return join(folder.uri.fsPath, '.vscode-test', 'results.json');
}

/**
 * The file the harness writes once its browser-side checks (and screenshots) are
 * done. The extension host exits as soon as `run()` returns, taking the
 * extension's views, panels and status bar items with it; so `run()` waits for
 * this file before returning.
 */
export function uiDonePath(): string | undefined {
  return process.env.MLOPS_VSCODE_UI_DONE;
}
