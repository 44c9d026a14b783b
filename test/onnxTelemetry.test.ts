// onnxruntime-node 1.30's Linux library starts a telemetry uploader with a process's
// first session and leaves $TMPDIR/mat-debug-<pid>.log behind, unless
// ORT_DISABLE_TELEMETRY is set. Each program the project ships must set it itself:
// here they start with it removed from their environment (and with a value that
// asks for telemetry), each with a temp folder of its own, so only the files of
// the processes this test starts are looked at.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { churnWorkspace, oipBody, spec, startDeployment } from './helpers/deploymentProcess';
import { linearModel, writeModels } from './helpers/onnxModels';
import { CLI, makeWorkspace } from './helpers/testServer';

let workspace: string;
before(async () => {
  workspace = await churnWorkspace();
});

function debugFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('mat-debug-'));
}

function assertNoDebugFile(dir: string, pid: number | undefined, startedAt: number): void {
  assert.ok(pid, 'the process has a pid');
  assert.equal(existsSync(join(dir, `mat-debug-${pid}.log`)), false, `onnxruntime left mat-debug-${pid}.log: telemetry is on in that process`);
  // The shared temp folder too, in case TMPDIR was not followed; a file there that
  // is older than the process belongs to an earlier process with the same pid.
  const shared = join(tmpdir(), `mat-debug-${pid}.log`);
  assert.ok(!existsSync(shared) || statSync(shared).mtimeMs < startedAt - 1000, `onnxruntime left ${shared}: telemetry is on in that process`);
  assert.deepEqual(debugFiles(dir), []);
}

for (const [what, inherited] of [
  ['unset', undefined],
  ['set to 0', '0'],
] as const) {
  test(`a deployment process serving an ONNX model leaves no telemetry debug file (ORT_DISABLE_TELEMETRY ${what} outside)`, async () => {
    const temp = mkdtempSync(join(tmpdir(), 'mlops-ort-'));
    const startedAt = Date.now();
    const d = await startDeployment(workspace, spec(), { TMPDIR: temp, ORT_DISABLE_TELEMETRY: inherited });
    const pid = d.process.pid;
    try {
      const res = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([[1, 2, 3, 4]]) });
      assert.equal(res.status, 200, await res.text());
    } finally {
      await d.stop();
    }
    assertNoDebugFile(temp, pid, startedAt);
  });

  test(`the CLI that inspects an ONNX model to register it leaves no telemetry debug file (ORT_DISABLE_TELEMETRY ${what} outside)`, async () => {
    const temp = mkdtempSync(join(tmpdir(), 'mlops-ort-'));
    const startedAt = Date.now();
    const ws = makeWorkspace('mlops-ort-cli-');
    const { paths } = writeModels({ 'model.onnx': linearModel() });
    const proc = spawn(process.execPath, [CLI, 'models', 'register', paths['model.onnx'], '--name', 'linear', '--json', '--workspace', ws], {
      env: { ...process.env, TMPDIR: temp, ORT_DISABLE_TELEMETRY: inherited },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (d) => (output += d));
    proc.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /"version": ?"?1/);
    assertNoDebugFile(temp, proc.pid, startedAt);
  });
}
