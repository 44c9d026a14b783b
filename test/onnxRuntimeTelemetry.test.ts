// ONNX Runtime's own telemetry stays off: a deployment process, which loads the
// runtime to serve, writes nothing in HOME or TMPDIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { churnWorkspace, oipBody, spec, startDeployment } from './helpers/deploymentProcess';

/** Every path under `dir`, relative to it. */
function contents(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('a deployment serving an ONNX model writes nothing in HOME or TMPDIR (no runtime telemetry)', { timeout: 60_000 }, async () => {
  const workspace = await churnWorkspace();
  const home = mkdtempSync(join(tmpdir(), 'mlops-home-'));
  const temp = mkdtempSync(join(tmpdir(), 'mlops-tmp-'));
  // undefined: not inherited from whoever runs the tests, so the product has to turn it off itself.
  const d = await startDeployment(workspace, spec(), { HOME: home, TMPDIR: temp, ORT_DISABLE_TELEMETRY: undefined });
  try {
    const res = await d.request('/v2/models/churn/infer', { method: 'POST', body: oipBody([[1, 2, 3, 4]]), headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 200, await res.text());
  } finally {
    await d.stop();
  }
  try {
    assert.deepEqual({ home: contents(home), tmp: contents(temp) }, { home: [], tmp: [] });
  } finally {
    for (const dir of [workspace, home, temp]) rmSync(dir, { recursive: true, force: true });
  }
});
