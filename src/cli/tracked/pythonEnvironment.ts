import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PythonEnvironment {
  interpreter: string;
  version: string;
  freeze: string;
}

export { pythonInterpreterOf } from '../../protocol/pythonCommand';

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
