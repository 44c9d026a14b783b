import * as vscode from 'vscode';
import type { DeploymentSpec, DeploymentState } from '../../protocol/deployments';
import type { ModelVersionSummary } from '../../protocol/native';
import { oipExampleRequest } from '../../protocol/oipExample';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import { deploymentSchemas } from '../lazySchemas';
import type { ModelsNode } from '../models/modelsView';
import type { Workbench } from '../workbench';
import { DeploymentsTree, type DeploymentsNode } from './deploymentsTree';
import { registerMonitoringCommand } from './monitoringCommand';
import { TestAnswers } from './testAnswers';

/** Deployments in the editor: the view, Deploy Model Version (also from the Models view), Stop, Redeploy, Copy curl, Send Test Request. */
export function registerDeployments(context: vscode.ExtensionContext, workbench: Workbench): DeploymentsTree {
  const tree = new DeploymentsTree(workbench);
  const view = vscode.window.createTreeView('mlops.deployments', { treeDataProvider: tree });
  const follow = (b: WorkspaceBackend) => context.subscriptions.push(b.onDidChangeState(() => tree.refresh()), b.onDidChangeDeployment((e) => tree.apply(b, e)));
  workbench.all().forEach(follow);
  const answers = new TestAnswers();
  context.subscriptions.push(tree, view, answers, workbench.onDidAddBackend(follow));
  const command = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  command('mlops.deployments.refresh', () => tree.refresh());
  registerMonitoringCommand(context, workbench, tree);
  command('mlops.deployments.deployVersion', async (node?: ModelsNode | { name: string; version: string }) => {
    const target = versionOf(node);
    const backend = (node && 'backend' in node ? node.backend : undefined) ?? workbench.current();
    if (!target || !backend) return void vscode.window.showInformationMessage('MLOps: right-click a model version in the Models view to deploy it.');
    return deployVersion(backend, tree, target.name, target.version);
  });
  /** A deployment node of the view, or a deployment's name (palette, scripts, tests). */
  const target = async (arg: unknown): Promise<Extract<DeploymentsNode, { kind: 'deployment' }> | undefined> => {
    const node = arg as DeploymentsNode | undefined;
    if (node && typeof node === 'object' && node.kind === 'deployment') return node;
    const backend = workbench.current();
    if (typeof arg !== 'string' || !backend) return undefined;
    const deployment = (await tree.deployments(backend)).find((d) => d.name === arg);
    return deployment && { kind: 'deployment', backend, deployment };
  };
  command('mlops.deployments.stop', async (arg?: unknown) => {
    const node = await target(arg);
    if (!node) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stopping deployment ${node.deployment.name}` }, () =>
      node.backend.request('DELETE', `/api/v1/deployments/${encodeURIComponent(node.deployment.name)}`),
    );
    tree.refresh();
  });
  command('mlops.deployments.restart', async (arg?: unknown) => {
    const node = await target(arg);
    if (!node) return;
    // Resolves the aliases again (a new champion) and switches in place.
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Redeploying ${node.deployment.name}` }, () =>
      node.backend.request('POST', `/api/v1/deployments/${encodeURIComponent(node.deployment.name)}/redeploy`, node.deployment.spec),
    );
    tree.refresh();
  });
  // Through asExternalUri, so it opens from a remote or browser VS Code (the port is forwarded).
  command('mlops.deployments.openUrl', async (arg?: unknown) => {
    const node = await target(arg);
    if (!node?.deployment.url) return;
    const model = node.deployment.variants.find((v) => v.name === 'champion')?.model ?? node.deployment.name;
    const external = await vscode.env.asExternalUri(vscode.Uri.parse(`${node.deployment.url}/v2/models/${encodeURIComponent(model)}`));
    await vscode.env.openExternal(external);
    return external.toString();
  });
  command('mlops.deployments.copyCurl', async (arg?: unknown) => {
    const node = await target(arg);
    if (!node?.deployment.url) return;
    const body = await exampleBody(node.backend, node.deployment);
    const model = node.deployment.variants.find((v) => v.name === 'champion')?.model ?? node.deployment.name;
    // The serving token, read where it is kept: the clipboard carries no secret, and a rotation does not outdate the example.
    const auth = node.deployment.spec.auth ? ` -H "Authorization: Bearer $(cat .mlops/deployments/${node.deployment.name}/serving-token)"` : '';
    const curl = `curl -s ${node.deployment.url}/v2/models/${model}/infer -H 'Content-Type: application/json'${auth} -d '${JSON.stringify(body)}'`;
    await vscode.env.clipboard.writeText(curl);
    void vscode.window.setStatusBarMessage('Copied a curl example (run it in the workspace folder)', 3000);
  });
  // `options.body` sends that body without asking (scripts and tests).
  command('mlops.deployments.sendTestRequest', async (arg?: unknown, options?: { body?: string }): Promise<unknown> => {
    const node = await target(arg);
    if (!node?.deployment.url) return;
    if (options?.body !== undefined) return sendTest(node.backend, node.deployment, options.body, answers);
    const example = JSON.stringify(await exampleBody(node.backend, node.deployment));
    const edited = await vscode.window.showInputBox({ title: `Test request to ${node.deployment.name} (Open Inference Protocol)`, value: example, prompt: 'The body of POST /v2/models/NAME/infer; edit the values' });
    if (edited === undefined) return;
    return sendTest(node.backend, node.deployment, edited, answers);
  });
  return tree;
}

async function deployVersion(backend: WorkspaceBackend, tree: DeploymentsTree, model: string, version: string): Promise<DeploymentState | undefined> {
  const name = deploymentSchemas().deploymentNameFor(model);
  const existing = (await tree.deployments(backend)).find((d) => d.name === name && (d.status === 'running' || d.status === 'restarting'));
  const modelUri = `models:/${model}/${version}`;
  const run = async () => {
    if (existing) {
      const spec: DeploymentSpec = { ...existing.spec, variants: existing.spec.variants.map((v) => (v.name === 'champion' ? { ...v, modelUri } : v)) };
      return (await backend.request<{ deployment: DeploymentState }>('POST', `/api/v1/deployments/${encodeURIComponent(name)}/redeploy`, spec)).deployment;
    }
    // Monitoring on, against the training data set the version's run logged (if any).
    const spec = { name, variants: [{ name: 'champion', modelUri, weight: 100 }], monitoring: {} };
    return (await backend.request<{ deployment: DeploymentState }>('POST', '/api/v1/deployments', spec)).deployment;
  };
  try {
    const d = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${existing ? 'Redeploying' : 'Deploying'} ${model} v${version}` }, run);
    tree.refresh();
    // Not awaited: the command answers once it serves, whether or not anyone reads the notification.
    void vscode.window.showInformationMessage(`MLOps: ${model} v${version} is served at ${d.url}.`, 'Copy curl Example').then((pick) => {
      if (pick) void vscode.commands.executeCommand('mlops.deployments.copyCurl', { kind: 'deployment', backend, deployment: d });
    });
    return d;
  } catch (err) {
    void vscode.window.showErrorMessage(`MLOps: could not deploy ${model} v${version}: ${(err as Error).message}`);
    return undefined;
  }
}

function versionOf(node: ModelsNode | { name: string; version: string } | undefined): { name: string; version: string } | undefined {
  if (!node) return undefined;
  if ('kind' in node) return node.kind === 'version' ? { name: node.model.name, version: String(node.version.version) } : undefined;
  return typeof node.name === 'string' && node.version !== undefined ? { name: node.name, version: String(node.version) } : undefined;
}

async function exampleBody(backend: WorkspaceBackend, d: DeploymentState): Promise<unknown> {
  const champion = d.variants.find((v) => v.name === 'champion');
  if (!champion) return { inputs: [] };
  const { models } = await backend.request<{ models: { versions: ModelVersionSummary[] }[] }>('GET', `/api/v1/models?name=${encodeURIComponent(champion.model)}`);
  const signature = models[0]?.versions.find((v) => String(v.version) === champion.version)?.signature;
  return signature ? oipExampleRequest(signature) : { inputs: [] };
}

/** Sends the request from the extension host (where the backend runs) and shows the answer in a read-only editor. */
async function sendTest(backend: WorkspaceBackend, d: DeploymentState, body: string, answers: TestAnswers): Promise<{ status: number; variant: string | null; body: unknown }> {
  const model = d.variants.find((v) => v.name === 'champion')?.model ?? d.name;
  const token = d.spec.auth ? await servingToken(backend, d.name) : undefined;
  const res = await fetch(`${d.url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* shown as text */
  }
  const variant = res.headers.get('x-mlops-variant');
  await answers.show(d.name, `// HTTP ${res.status}${variant ? ` · answered by the ${variant}` : ''}\n${JSON.stringify(parsed, null, 2)}\n`);
  return { status: res.status, variant, body: parsed };
}

/** The deployment's serving token, as its clients send it; a backend older than serving tokens has only the workspace token. */
async function servingToken(backend: WorkspaceBackend, name: string): Promise<string | undefined> {
  try {
    return deploymentSchemas().servingTokenResponse.parse(await backend.request('GET', `/api/v1/deployments/${encodeURIComponent(name)}/token`)).token;
  } catch {
    return backend.info?.token;
  }
}
