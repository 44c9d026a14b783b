import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PythonEnvironment {
  interpreter: string;
  version: string;
  freeze: string;
}

/** The interpreter a command runs, when it is Python (`python3 x.py`, `python -m m`, `.venv/bin/python`). */
export function pythonInterpreterOf(command: string[]): string | undefined {
  const first = command[0];
  if (!first) return undefined;
  return /^python(\d+(\.\d+)*)?(\.exe)?$/i.test(basename(first)) ? first : undefined;
}

/** Version and `pip freeze` of the interpreter; missing pip gives an explanatory line. */
export async function readPythonEnvironment(interpreter: string, env: NodeJS.ProcessEnv): Promise<PythonEnvironment | undefined> {
  try {
    const { stdout } = await run(interpreter, ['-c', 'import sys; print(sys.version.split()[0])'], { env, timeout: 15_000 });
    const version = stdout.trim();
    const freeze = await run(interpreter, ['-m', 'pip', 'freeze', '--all'], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }).then(
      (r) => r.stdout,
      (err: Error) => `# pip freeze failed: ${err.message.split('\n')[0]}\n`,
    );
    return { interpreter, version, freeze };
  } catch {
    return undefined;
  }
}
