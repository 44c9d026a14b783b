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

  const listed = await backend<{ deployments: Deployment[] }>('GET', '/api/v1/deployments');
  const d = listed.deployments.find((x) => x.name === 'churn')!;
  const answer = (await vscode.commands.executeCommand('mlops.deployments.sendTestRequest', { kind: 'deployment', backend: undefined, deployment: d }, {
    body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }),
  })) as { status: number; variant: string; body: { outputs: { data: number[] }[] } } | undefined;
  void answer;
}, { timeoutMs: 60_000 });
