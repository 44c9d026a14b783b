import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pythonInterpreterOf } from './pythonEnvironment';

const run = promisify(execFile);

// Interpreter options that take a value as the next word (`python3 -X dev x.py`).
const OPTIONS_WITH_VALUE = new Set(['-X', '-W', '-Q']);

/**
 * The command to spawn so that a Python command runs under debugpy and
 * connects to a debugger listening at `address` (VS Code's "attach" with
 * `listen`): `python3 -u train.py --lr 1` becomes
 * `python3 -u -m debugpy --connect 127.0.0.1:5678 --wait-for-client train.py --lr 1`.
 * The run still records the command as written, so Re-run runs it without the debugger.
 * Returns a message instead when the command is not a Python script or module.
 */
export function debugpyCommand(command: string[], address: string): string[] | string {
  if (!/^[\w.-]+:\d{1,5}$/.test(address)) return `--debug-connect wants HOST:PORT, got "${address}"`;
  const interpreter = pythonInterpreterOf(command);
  if (!interpreter) return `--debug-connect runs Python under the debugger; "${command[0] ?? ''}" is not a Python interpreter`;
  const rest = command.slice(1);
  let i = 0;
  while (i < rest.length && rest[i].startsWith('-') && rest[i] !== '-m' && rest[i] !== '-c') {
    i += OPTIONS_WITH_VALUE.has(rest[i]) ? 2 : 1;
  }
  const interpreterOptions = rest.slice(0, i);
  const target = rest.slice(i);
  if (target.length === 0) return '--debug-connect needs a script or -m module to debug';
  return [interpreter, ...interpreterOptions, '-m', 'debugpy', '--connect', address, '--wait-for-client', ...target];
}

/** Why debugpy cannot be imported by the interpreter with this environment, or undefined when it can. */
export async function debugpyMissing(interpreter: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    await run(interpreter, ['-c', 'import debugpy'], { env, timeout: 30_000 });
    return undefined;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim().split('\n').pop();
    return `${interpreter} cannot import debugpy (${stderr || (err as Error).message}): install the Python Debugger extension for VS Code, or "pip install debugpy"`;
  }
}
