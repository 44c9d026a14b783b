import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { churnWorkspace } from './helpers/deploymentProcess';
import { startServer } from './helpers/testServer';
import { locatePipeline } from '../src/server/deployments/workspacePipeline';

// The workspace token must not be a shell: an uploaded artifact lands under
// .mlops/artifacts/blobs/, so a retrain request or an onDrift that names it (or a
// link to it, or any file that is not a pipeline) must be refused, and nothing run.

const champion = [{ name: 'champion', modelUri: 'models:/churn@champion', weight: 100 }];

test('retrain and onDrift run only *.pipeline.yaml files of the workspace outside .mlops/, also through links', { timeout: 120_000 }, async () => {
  const ws = await churnWorkspace();
  const marker = join(ws, 'ran.txt');
  const evil = `name: evil\nsteps:\n  mark:\n    run: echo ran > ${JSON.stringify(marker)}\n`;
  writeFileSync(join(ws, 'script.sh'), evil);
  mkdirSync(join(ws, 'pipelines'));
  writeFileSync(join(ws, 'pipelines', 'retrain.pipeline.yml'), "name: retrain\nsteps:\n  mark:\n    run: echo retrained\n");
  const outside = mkdtempSync(join(tmpdir(), 'mlops-outside-'));
  writeFileSync(join(outside, 'elsewhere.pipeline.yaml'), evil);
  const server = await startServer(ws);
  try {
    // An artifact upload is how a token holder puts bytes in the workspace.
    const run = await server.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
    const upload = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${run.body.run.info.run_id}/artifacts/evil.pipeline.yaml`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${server.token}` },
      body: evil,
    });
    assert.equal(upload.status, 200);
    const blobs = join(ws, '.mlops', 'artifacts', 'blobs');
    const [blob] = readdirSync(blobs, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(ws.length + 1));
    assert.ok(blob, 'the upload made a blob');
    writeFileSync(join(ws, '.mlops', 'store.pipeline.yaml'), evil);
    symlinkSync(join(ws, blob), join(ws, 'blob.pipeline.yaml'));
    symlinkSync(join(ws, 'script.sh'), join(ws, 'script.pipeline.yaml'));
    symlinkSync(join(outside, 'elsewhere.pipeline.yaml'), join(ws, 'out.pipeline.yaml'));
    symlinkSync(join(ws, '.mlops'), join(ws, 'store'));

    const created = await server.api('POST', '/api/v1/deployments', { name: 'churn', variants: champion, monitoring: null });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const retrain = (pipeline: string) => server.api('POST', '/api/v1/deployments/churn/retrain', { pipeline });
    const refusals: [string, RegExp][] = [
      [blob, /is inside \.mlops\/, the store's own folder \(uploaded artifacts land there\)/],
      ['.mlops/store.pipeline.yaml', /is inside \.mlops\//],
      ['store/store.pipeline.yaml', /links to \.mlops\/store\.pipeline\.yaml, inside \.mlops\//],
      ['blob.pipeline.yaml', /links to \.mlops\/artifacts\/blobs\/.*, inside \.mlops\//],
      ['script.sh', /is not a pipeline file: only \*\.pipeline\.yaml or \*\.pipeline\.yml files run/],
      ['script.pipeline.yaml', /links to script\.sh, which is not a pipeline file/],
      ['out.pipeline.yaml', /is a link outside the workspace/],
      ['pipelines', /is not a pipeline file/],
    ];
    for (const [pipeline, message] of refusals) {
      const answer = await retrain(pipeline);
      assert.equal(answer.status, 400, `${pipeline}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.message, message, pipeline);
      const spec = await server.api('POST', '/api/v1/deployments', { name: 'other', variants: champion, monitoring: { onDrift: pipeline } });
      assert.equal(spec.status, 400, `onDrift ${pipeline}: ${JSON.stringify(spec.body)}`);
      assert.match(spec.body.message, /^monitoring\.onDrift: /);
    }
    assert.equal(existsSync(marker), false, 'nothing ran');
    assert.deepEqual(((await server.api('GET', '/api/v1/deployments')).body.deployments as { name: string }[]).map((d) => d.name), ['churn']);

    // A workspace pipeline, also through a link inside the workspace, is still one.
    symlinkSync(join(ws, 'pipelines', 'retrain.pipeline.yml'), join(ws, 'retrain.pipeline.yaml'));
    for (const pipeline of ['pipelines/retrain.pipeline.yml', 'retrain.pipeline.yaml']) {
      const located = locatePipeline(ws, pipeline);
      assert.ok(located.ok, JSON.stringify(located));
    }
  } finally {
    await server.stop();
  }
});
