import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main, REPO, report, startServer, tempWorkspace } from './common';

// Benchmark 3: the Python client's log_metric cost, measured by
// bench/pythonClient.py against a real server started here. This wrapper only
// provides the server and the environment, and passes the script's output on.

const SCRIPT = join(REPO, 'bench', 'pythonClient.py');
const TIMEOUT_MS = Number(process.env.BENCH_PYTHON_TIMEOUT_S ?? 180) * 1000;

main(async () => {
  console.log('== Python client: mlops_workbench.log_metric in a loop (bench/pythonClient.py)');
  if (!existsSync(SCRIPT)) {
    console.log('   skipped: bench/pythonClient.py does not exist yet');
    report({ bench: 'pythonClient', measures: [], details: { skipped: 'bench/pythonClient.py missing' } });
    return;
  }
  const python = process.env.BENCH_PYTHON ?? 'python3';
  if (spawnSync(python, ['--version']).status !== 0) {
    console.log(`   skipped: ${python} is not available`);
    report({ bench: 'pythonClient', measures: [], details: { skipped: `${python} missing` } });
    return;
  }
  const workspace = tempWorkspace('mlops-bench-python-');
  const server = await startServer(workspace);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const proc = spawn(python, [SCRIPT, ...process.argv.slice(2)], {
        cwd: workspace,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          MLOPS_TRACKING_URI: server.url,
          MLOPS_TRACKING_TOKEN: server.token,
          MLOPS_WORKSPACE: workspace,
          PYTHONPATH: [join(REPO, 'python'), process.env.PYTHONPATH].filter(Boolean).join(':'),
          // BENCH_RESULT_FILE passes through: the script writes its own figures there.
        },
      });
      const timer = setTimeout(() => {
        console.log(`   pythonClient.py still running after ${TIMEOUT_MS / 1000} s: stopped`);
        proc.kill('SIGKILL');
      }, TIMEOUT_MS);
      proc.on('error', reject);
      proc.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0) throw new Error(`bench/pythonClient.py exited with ${code}`);
  } finally {
    await server.stop();
  }
});
