import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import type { RuntimeCandidate } from './backendRuntime';

/**
 * Puts an `mlops` command on the PATH of VS Code's integrated terminals: a tiny
 * launcher in the extension's storage that runs the bundled CLI with the chosen
 * runtime, so `mlops run …` works in a terminal after a VSIX install.
 */
export async function installTerminalCommand(context: vscode.ExtensionContext, runtime: RuntimeCandidate): Promise<string> {
  const bin = join(context.globalStorageUri.fsPath, 'bin');
  await mkdir(bin, { recursive: true });
  const cli = join(context.extensionPath, 'dist', 'cli.js');
  const env = Object.entries(runtime.env ?? {});
  if (process.platform === 'win32') {
    const sets = env.map(([k, v]) => `set "${k}=${v}"\r\n`).join('');
    await writeFile(join(bin, 'mlops.cmd'), `@echo off\r\n${sets}"${runtime.command}" "${cli}" %*\r\n`);
  } else {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const exports = env.map(([k, v]) => `export ${k}=${quote(v)}\n`).join('');
    const file = join(bin, 'mlops');
    await writeFile(file, `#!/bin/sh\n# Written by MLOps Workbench: runs its bundled CLI.\n${exports}exec ${quote(runtime.command)} ${quote(cli)} "$@"\n`);
    await chmod(file, 0o755);
  }
  context.environmentVariableCollection.prepend('PATH', bin + delimiter);
  context.environmentVariableCollection.description = 'Puts the `mlops` command of MLOps Workbench on PATH.';
  return bin;
}
