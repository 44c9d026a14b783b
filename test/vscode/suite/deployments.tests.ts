// Serving from the editor: Deploy Model Version on a Models view version (the
// registry test registered "churn" v1-v3, real ONNX models), a test request built
// from its signature, and Stop. Real deployment processes behind the real backend.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './testApi';
import { extensionId } from './context';
import { until } from './until';

interface RetrainPicker {
  items: { label: string; description: string; deploys: boolean }[];
  active: string | undefined;
}

interface Api {
  modelsNodeOf(name: string, version?: string): Promise<{ kind: string } | undefined>;
}

const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

async function backend<T>(method: string, path: string): Promise<T> {
  const s = JSON.parse(readFileSync(join(folder(), '.mlops', 'server.json'), 'utf8')) as { url: string; token: string };
  const res = await fetch(s.url + path, { method, headers: { Authorization: `Bearer ${s.token}` } });
  return (await res.json()) as T;
}

interface Deployment {
  name: string;
  status: string;
  url: string;
  variants: { name: string; model: string; version: string }[];
}

test('Deploy Model Version serves it; a test request built from its signature is answered by the champion; Stop ends it', async () => {
  const api = (await vscode.extensions.getExtension(extensionId())!.activate()) as Api;
  const node = await api.modelsNodeOf('churn', '3');
  assert.ok(node, 'churn v3 is in the Models view');
  const deployed = (await vscode.commands.executeCommand('mlops.deployments.deployVersion', node)) as Deployment | undefined;
  assert.ok(deployed, 'the deployment started');
  assert.equal(deployed.status, 'running');
  assert.deepEqual(deployed.variants.map((v) => [v.name, v.model, v.version]), [['champion', 'churn', '3']]);

  const answer = (await vscode.commands.executeCommand('mlops.deployments.sendTestRequest', 'churn', {
    body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }),
  })) as { status: number; variant: string; body: { model_name: string; outputs: { name: string; data: number[] }[] } } | undefined;
  assert.equal(answer?.status, 200, JSON.stringify(answer?.body));
  assert.equal(answer.variant, 'champion');
  assert.equal(answer.body.model_name, 'churn');
  assert.equal(answer.body.outputs[0].data.length, 1);
  // The answer is a read-only document, not an Untitled editor that asks to be saved when closed.
  const shown = vscode.window.activeTextEditor?.document;
  assert.ok(shown, 'the answer is shown');
  assert.notEqual(shown.uri.scheme, 'untitled');
  assert.equal(shown.isDirty, false);
  assert.equal(shown.isUntitled, false);
  assert.equal(shown.languageId, 'jsonc');
  assert.match(shown.getText(), /^\/\/ HTTP 200 · answered by the champion\n/);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

  // Retrain with no onDrift pipeline: the picker puts the pipeline that deploys first and preselects it, and says what the others lack.
  const redeploy = join(folder(), 'redeploy.pipeline.yaml');
  writeFileSync(redeploy, 'name: redeploy\nsteps:\n  deploy:\n    deploy: { model: churn, alias: champion, deployment: churn }\n');
  try {
    const retrain = vscode.commands.executeCommand('mlops.deployments.retrain', 'churn');
    const picker = await until('the Retrain picker', () => vscode.commands.executeCommand<RetrainPicker | undefined>('_mlops.deployments.retrainPicker'), (p) => p.items.length >= 2);
    assert.equal(picker.active, 'redeploy.pipeline.yaml', `preselected: ${picker.active} of ${picker.items.map((i) => i.label).join(', ')}`);
    assert.deepEqual(picker.items[0], { label: 'redeploy.pipeline.yaml', description: 'deploys (has a deploy step)', deploys: true });
    const demo = picker.items.find((i) => i.label === 'pipes/demo.pipeline.yaml');
    assert.equal(demo?.description, 'no deploy step: churn would keep serving its model');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await retrain, undefined, 'closed: nothing runs');
  } finally {
    rmSync(redeploy, { force: true });
  }

  // Deploying another version of the same model redeploys the running deployment in place.
  const v2 = await api.modelsNodeOf('churn', '2');
  const redeployed = (await vscode.commands.executeCommand('mlops.deployments.deployVersion', v2)) as Deployment;
  assert.equal(redeployed.url, deployed.url, 'same URL');
  assert.equal(redeployed.variants[0].version, '2');

  await vscode.commands.executeCommand('mlops.deployments.stop', 'churn');
  const after = await backend<{ deployments: Deployment[] }>('GET', '/api/v1/deployments');
  assert.deepEqual(after.deployments.map((x) => x.name), []);
}, { timeoutMs: 90_000 });
