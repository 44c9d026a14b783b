import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO, makeWorkspace, startServer } from './helpers/testServer';
import { corruptOnnx, linearModel, writeModels } from './helpers/onnxModels';

// The Python client's own suite (python/tests) run against the real backend: the
// client is only as good as its agreement with this server, so no fake stands in.

// Short, so the heartbeat test sees a SIGKILLed script's run marked FAILED in seconds.
const HEARTBEAT_TIMEOUT_MS = '2000';

function runPython(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.env.PYTHON ?? 'python3', args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d) => (output += d));
    proc.stderr.on('data', (d) => (output += d));
    proc.on('error', (err) => reject(new Error(`cannot start python3 (set PYTHON to override): ${err.message}`)));
    proc.on('close', (code) => resolve({ code, output }));
  });
}

test('python client: unittest suite passes against the real server', { timeout: 300_000 }, async () => {
  const workspace = makeWorkspace('mlops-python-');
  const server = await startServer(workspace, ['--port', '0'], { MLOPS_HEARTBEAT_TIMEOUT_MS: HEARTBEAT_TIMEOUT_MS });
  // The Python side has no onnx package: it gets real models built here.
  const models = writeModels({ 'linear.onnx': linearModel(), 'corrupt.onnx': corruptOnnx() });
  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // If `npm test` itself runs under `mlops run`, the suite must not attach to that run.
    for (const key of Object.keys(env)) if (/^(MLOPS|MLFLOW)_/.test(key)) delete env[key];
    Object.assign(env, {
      PYTHONPATH: join(REPO, 'python'),
      PYTHONUNBUFFERED: '1',
      MLOPS_TRACKING_URI: server.url,
      MLOPS_TRACKING_TOKEN: server.token,
      MLOPS_WORKSPACE: workspace,
      MLOPS_HEARTBEAT_TIMEOUT_MS: HEARTBEAT_TIMEOUT_MS,
      MLOPS_TEST_ONNX_DIR: models.dir,
      // For the discovery test that starts a second backend of its own.
      MLOPS_TEST_NODE: process.execPath,
      MLOPS_TEST_CLI: CLI,
    });
    const result = await runPython(['-m', 'unittest', 'discover', '-s', join(REPO, 'python', 'tests'), '-v'], env);
    assert.equal(
      result.code,
      0,
      `python tests failed (exit ${result.code}):\n${result.output}\n--- server output ---\n${server.output()}`,
    );
    assert.doesNotMatch(result.output, /\.\.\. skipped/, `no python test may be skipped here:\n${result.output}`);
  } finally {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(models.dir, { recursive: true, force: true });
  }
});
