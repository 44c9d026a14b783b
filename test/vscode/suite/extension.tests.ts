// First checks through the real VS Code API: the extension under development is
// loaded, activates, and registers what its manifest declares.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { measure, test } from './testApi';
import { expectedWorkspace, extensionId, manifest } from './context';

test('vscode.version is a version string', () => {
  assert.equal(typeof vscode.version, 'string');
  assert.match(vscode.version, /^\d+\.\d+\.\d+/);
});

test('the open workspace folder is the fixture', () => {
  const folders = vscode.workspace.workspaceFolders ?? [];
  assert.equal(folders.length, 1, `expected one workspace folder, got ${folders.length}`);
  const folder = folders[0].uri;
  const expected = expectedWorkspace();
  if (expected) assert.equal(realpathSync(folder.fsPath), realpathSync(expected));
  assert.ok(existsSync(join(folder.fsPath, 'train.py')), 'train.py of the fixture is in the open folder');
});

test('the extension is present and activates', async () => {
  const ext = vscode.extensions.getExtension<{ activation: { loadMs: number; loadCpuMs: number; hostMs: number; activateMs: number; totalMs: number } }>(extensionId());
  assert.ok(ext, `extension ${extensionId()} is not loaded`);
  const api = await ext.activate();
  assert.equal(ext.isActive, true);
  // The extension's own cost (loading its bundle, activate()) apart from VS Code's wait between them, measured inside it.
  const { loadMs, loadCpuMs, hostMs, activateMs, totalMs } = api.activation;
  assert.ok(loadMs > 0 && loadCpuMs > 0 && hostMs >= 0 && activateMs > 0, `activation figures are all measured: ${JSON.stringify(api.activation)}`);
  assert.ok(Math.abs(totalMs - (loadMs + hostMs + activateMs)) < 0.01, 'activation figures add up');
  measure('extension\'s own activation (bundle load + activate())', loadMs + activateMs, 'ms', '< 50 ms');
  measure('  of which loading the bundle', loadMs, 'ms');
  measure('    of which on the CPU', loadCpuMs, 'ms');
  measure('  of which activate()', activateMs, 'ms');
  measure('VS Code preparing the context in between', hostMs, 'ms');
}, { timeoutMs: 60_000 });

test('every command in contributes.commands is registered', async () => {
  const declared = (manifest().contributes?.commands ?? []).map((c) => c.command);
  assert.ok(declared.length > 0, 'package.json declares no commands');
  await vscode.extensions.getExtension(extensionId())?.activate();
  const registered = new Set(await vscode.commands.getCommands(true));
  const missing = declared.filter((id) => !registered.has(id));
  assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
});

test('mlops.showBackendInfo runs without throwing', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  await vscode.commands.executeCommand('mlops.showBackendInfo');
});
