// Serving from the editor: Deploy Model Version on a Models view version (the
// registry test registered "churn" v1-v3, real ONNX models), a test request built
// from its signature, and Stop. Real deployment processes behind the real backend.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './testApi';
import { extensionId } from './context';

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
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

  // Deploying another version of the same model redeploys the running deployment in place.
  const v2 = await api.modelsNodeOf('churn', '2');
  const redeployed = (await vscode.commands.executeCommand('mlops.deployments.deployVersion', v2)) as Deployment;
  assert.equal(redeployed.url, deployed.url, 'same URL');
  assert.equal(redeployed.variants[0].version, '2');

  await vscode.commands.executeCommand('mlops.deployments.stop', 'churn');
  const after = await backend<{ deployments: Deployment[] }>('GET', '/api/v1/deployments');
  assert.deepEqual(after.deployments.map((x) => x.name), []);
}, { timeoutMs: 90_000 });
