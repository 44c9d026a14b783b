import { basename, dirname, join, relative, sep } from 'node:path';

/** An interpreter named by a `#!` line: the program and the options written after it. */
export interface Shebang {
  command: string;
  args: string[];
  line: string;
}

const PYTHON_NAME = /^(python|pypy)(\d+(\.\d+)*)?t?(\.exe)?$/i;

/**
 * The Python interpreter a `#!` line names: `#!/usr/bin/env python3.11` gives
 * `python3.11` (looked up on PATH, as `env` would), `#!/opt/venv/bin/python -u`
 * gives that path and `-u`. Undefined for a line that is no shebang or names
 * something other than Python (`#!/bin/sh`).
 */
export function parseShebang(firstLine: string): Shebang | undefined {
  const line = firstLine.replace(/\r?\n[\s\S]*$/, '').trim();
  if (!line.startsWith('#!')) return undefined;
  let words = line.slice(2).trim().split(/\s+/).filter(Boolean);
  if (words.length > 0 && basename(words[0]) === 'env') {
    words = words.slice(1);
    if (words[0] === '-S') words = words.slice(1);
    while (words.length > 0 && /^\w+=/.test(words[0])) words = words.slice(1); // env's NAME=value assignments
  }
  if (words.length === 0 || !PYTHON_NAME.test(basename(words[0]))) return undefined;
  return { command: words[0], args: words.slice(1), line };
}

/** Where a workspace's virtual environment keeps its interpreter, from the file's folder up to the workspace folder, nearest first. */
export function venvInterpreterCandidates(fileDir: string, workspaceRoot: string, platform: NodeJS.Platform): string[] {
  const bin = platform === 'win32' ? join('Scripts', 'python.exe') : join('bin', 'python');
  const dirs: string[] = [];
  let dir = fileDir;
  // Only folders inside the workspace folder: a venv in the home directory is not this workspace's choice.
  while (dir === workspaceRoot || dir.startsWith(workspaceRoot.endsWith(sep) ? workspaceRoot : workspaceRoot + sep)) {
    dirs.push(dir);
    if (dir === workspaceRoot) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs.flatMap((d) => ['.venv', 'venv'].map((name) => join(d, name, bin)));
}

/** What is known about a file when choosing its interpreter. */
export interface InterpreterFacts {
  workspaceRoot: string;
  /** The interpreter the Python extension has selected for the file's folder, when it is installed and has one. */
  pythonExtension?: string;
  /** The file's first line. */
  firstLine?: string;
  /** venvInterpreterCandidates() for the file. */
  venvCandidates: string[];
  /** The `mlops.python.interpreter` setting. */
  setting?: string;
  platform: NodeJS.Platform;
  /** Whether a path (or a bare name, on PATH) is there to run. */
  runnable(command: string): boolean;
}

export type InterpreterSource = 'python-extension' | 'shebang' | 'venv' | 'setting' | 'default';

export interface InterpreterChoice {
  command: string;
  /** Interpreter options that go before the script (from the shebang). */
  args: string[];
  source: InterpreterSource;
  /** Why this one, in words, for the run's output. */
  reason: string;
}

/**
 * The interpreter to run a Python file with, in the order a user of the
 * Python extension expects: the extension's selection for the folder, else
 * the interpreter the file's shebang names, else the workspace's `.venv` or
 * `venv`, else the `mlops.python.interpreter` setting (machine-wide, so less
 * specific than the workspace's own environment), else `python3`.
 */
export function chooseInterpreter(facts: InterpreterFacts): InterpreterChoice {
  // The Python extension answers a bare `python` (its defaultInterpreterPath) when nothing is selected.
  if (facts.pythonExtension && /[\\/]/.test(facts.pythonExtension)) {
    return { command: facts.pythonExtension, args: [], source: 'python-extension', reason: "the Python extension's interpreter for this folder" };
  }
  const skipped: string[] = [];
  const shebang = facts.firstLine === undefined ? undefined : parseShebang(facts.firstLine);
  if (shebang) {
    if (facts.runnable(shebang.command)) return { command: shebang.command, args: shebang.args, source: 'shebang', reason: `the file's shebang, ${shebang.line}` };
    skipped.push(`its shebang's ${shebang.command} was not found`);
  }
  const venv = facts.venvCandidates.find((candidate) => facts.runnable(candidate));
  if (venv) {
    const where = relative(facts.workspaceRoot, dirname(dirname(venv))) || '.';
    return { command: venv, args: [], source: 'venv', reason: withSkipped(`the workspace's virtual environment ${where}`, skipped) };
  }
  if (facts.setting) return { command: facts.setting, args: [], source: 'setting', reason: withSkipped('the mlops.python.interpreter setting', skipped) };
  const fallback = facts.platform === 'win32' ? 'python' : 'python3';
  return {
    command: fallback,
    args: [],
    source: 'default',
    reason: withSkipped('the default: no Python extension selection, Python shebang or .venv; the mlops.python.interpreter setting changes it', skipped),
  };
}

function withSkipped(reason: string, skipped: string[]): string {
  return skipped.length ? `${reason}; ${skipped.join(', ')}` : reason;
}

/** The one line the run's output starts with. */
export function describeInterpreter(choice: InterpreterChoice): string {
  return `Python: ${[choice.command, ...choice.args].join(' ')} (${choice.reason})`;
}
