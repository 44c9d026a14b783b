import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, makeWorkspace, stopBackgroundServer } from './helpers/testServer';
import { RetrainRunner } from '../src/server/deployments/retrainRunner';
import type { RetrainOutcome } from '../src/protocol/monitoring';

// A deployment's retraining runs, as the backend starts them (drift, or the
// editor's Retrain): through the real CLI, logged to
// .mlops/deployments/NAME/retrain.log under a header that says why each ran.

test('the retrain log says whether a run was started on request or by drift', { timeout: 60_000 }, async () => {
  const ws = makeWorkspace('mlops-retrain-');
  writeFileSync(join(ws, 'retrain.pipeline.yaml'), "name: retrain\nsteps:\n  mark:\n    run: echo retrained\n");
  const runner = new RetrainRunner({ workspace: ws, log: () => {}, cliFile: CLI });
  const run = (reason: 'drift' | 'request') =>
    new Promise<RetrainOutcome>((resolve) => {
      const started = runner.start('churn', 'retrain.pipeline.yaml', reason, resolve);
      assert.equal(started.status, 'started', started.message);
    });
  try {
    assert.equal((await run('request')).status, 'finished');
    assert.equal((await run('drift')).status, 'finished');
  } finally {
    stopBackgroundServer(ws); // the pipeline run started one for its tracking
  }
  const log = readFileSync(join(ws, '.mlops', 'deployments', 'churn', 'retrain.log'), 'utf8');
  const headers = log.split('\n').filter((l) => l.startsWith('=== ') && !l.startsWith('=== exit'));
  assert.equal(headers.length, 2, log);
  assert.match(headers[0], /mlops pipeline run retrain\.pipeline\.yaml \(on request for deployment churn\) ===$/);
  assert.match(headers[1], /mlops pipeline run retrain\.pipeline\.yaml \(drift in deployment churn\) ===$/);

  const missing = runner.start('churn', 'nope.pipeline.yaml', 'request', () => {});
  assert.equal(missing.status, 'failed');
  assert.match(missing.message, /The pipeline nope\.pipeline\.yaml does not exist \(looked for .*nope\.pipeline\.yaml\)/);
  assert.equal(runner.isRunning('churn'), false);
});
