import { accessSync, constants, openSync, readSync, closeSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { chooseInterpreter, venvInterpreterCandidates, type InterpreterChoice } from './interpreterChoice';

interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri | vscode.WorkspaceFolder): { path: string } | undefined };
}

/** The interpreter to run a Python file with, and why (see chooseInterpreter for the order). */
export async function pythonInterpreter(file: vscode.Uri, folder: vscode.WorkspaceFolder): Promise<InterpreterChoice> {
  return chooseInterpreter({
    workspaceRoot: folder.uri.fsPath,
    pythonExtension: await pythonExtensionInterpreter(folder),
    firstLine: firstLineOf(file.fsPath),
    venvCandidates: venvInterpreterCandidates(dirname(file.fsPath), folder.uri.fsPath, process.platform),
    setting: vscode.workspace.getConfiguration('mlops', file).get<string>('python.interpreter') || undefined,
    platform: process.platform,
    runnable,
  });
}

/** The Python extension (ms-python.python) is optional: without it, or when it fails, the other sources decide. */
async function pythonExtensionInterpreter(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
  const python = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!python) return undefined;
  try {
    const api = python.isActive ? python.exports : await python.activate();
    return api?.environments?.getActiveEnvironmentPath(folder)?.path || undefined;
  } catch {
    return undefined;
  }
}

/** The file's first line (a shebang is at most a few hundred bytes), or undefined when it cannot be read. */
export function firstLineOf(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(512);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8').split(/\r?\n/)[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A path that is an executable file, or a bare name found on PATH (as `/usr/bin/env` would look it up). */
function runnable(command: string): boolean {
  if (isAbsolute(command) || /[\\/]/.test(command)) return isExecutableFile(command);
  const names = process.platform === 'win32' && !/\.exe$/i.test(command) ? [command, `${command}.exe`] : [command];
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && names.some((name) => isExecutableFile(join(dir, name))));
}
