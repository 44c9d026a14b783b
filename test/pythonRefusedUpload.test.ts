import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO, startServer } from './helpers/testServer';

// The server answers a refused upload before reading it and then closes the
// connection. The Python client must show that answer (a wrong token, a deleted
// run), not a broken connection that it retries until it gives up.

const SCRIPT = `
import os, sys, tempfile, time
import mlops_workbench as mw
big = os.path.join(tempfile.mkdtemp(), "checkpoint.bin")
with open(big, "wb") as f:
    f.write(os.urandom(1 << 20) * 24)
with mw.start_run() as run:
    print("RUN", run.info.run_id, flush=True)
    sys.stdin.readline()  # the test deletes the run meanwhile
    for case in ("deleted", "token"):
        if case == "token":
            mw.set_tracking_uri(os.environ["MLOPS_TRACKING_URI"], token="not-the-token")
        start = time.monotonic()
        try:
            mw.log_artifact(big)
            print(case, "UPLOADED")
        except mw.MlopsError as e:
            print(case, e.error_code, round(time.monotonic() - start, 1), flush=True)
    os._exit(0)
`;

test('python client: a refused large upload reports the server answer at once', { timeout: 60_000 }, async () => {
  const server = await startServer();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (/^(MLOPS|MLFLOW)_/.test(key)) delete env[key];
    Object.assign(env, { PYTHONPATH: join(REPO, 'python'), MLOPS_TRACKING_URI: server.url, MLOPS_TRACKING_TOKEN: server.token, MLOPS_HTTP_RETRY_S: '20' });
    const proc = spawn(process.env.PYTHON ?? 'python3', ['-c', SCRIPT], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    proc.stderr.on('data', (d) => (output += d));
    const runId = await new Promise<string>((resolve, reject) => {
      proc.stdout.on('data', (d) => {
        output += d;
        const m = /RUN (\w+)/.exec(output);
        if (m) resolve(m[1]);
      });
      proc.on('close', () => reject(new Error(output)));
    });
    assert.equal((await server.api('POST', '/api/2.0/mlflow/runs/delete', { run_id: runId })).status, 200);
    proc.stdin.write('\n');
    await new Promise((resolve) => proc.on('close', resolve));
    const deleted = /deleted (\S+) ([\d.]+)/.exec(output);
    const token = /token (\S+) ([\d.]+)/.exec(output);
    assert.ok(deleted && token, output);
    assert.equal(deleted[1], 'INVALID_PARAMETER_VALUE', output);
    assert.equal(token[1], 'UNAUTHENTICATED', output);
    assert.ok(Number(deleted[2]) < 5 && Number(token[2]) < 5, output);
  } finally {
    await server.stop();
  }
});
