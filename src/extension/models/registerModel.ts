import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelSummary, ModelVersionSummary } from '../../protocol/native';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import { nodeProgramEnv } from '../backend/childEnvironment';
import type { Workbench } from '../workbench';
import { aliasProblem, modelNameProblem } from './registryChoices';
import { pickOrType } from './quickInput';

export interface RegisterOptions {
  name?: string;
  alias?: string;
}

/** What "Register Model…" registers: a local file or folder, or a run's artifact. */
export type RegisterSource = { kind: 'local'; uri: vscode.Uri } | { kind: 'run'; runId: string; path: string };

export interface Registered {
  name: string;
  version: string;
}

const CLI_TIMEOUT_MS = 120_000;

/**
 * Registers a new version: asks for the model (an existing name or a new one)
 * and an optional alias unless `options` give them. A local file goes through
 * the bundled CLI (`mlops models register`, as the backend's own tasks run it):
 * the REST API refuses local paths, and the CLI copies the file into the store
 * with the same checks as the server, without a throwaway run. A run's artifact
 * goes through the MLflow REST API. Errors are shown, never thrown.
 */
export async function registerModel(workbench: Workbench, extensionPath: string, source: RegisterSource | undefined, options: RegisterOptions = {}): Promise<Registered | undefined> {
  if (!source) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Register Model: choose an .onnx file or a model folder (with an MLmodel file)',
      canSelectFiles: true,
      canSelectFolders: true,
      filters: { 'ONNX models': ['onnx'], 'All files': ['*'] },
    });
    if (!picked?.[0]) return undefined;
    source = { kind: 'local', uri: picked[0] };
  }
  const backend = backendFor(workbench, source);
  if (!backend) return void vscode.window.showInformationMessage('MLOps: open the folder that holds the model to register it.');
  if (source.kind === 'local') {
    const problem = localSourceProblem(source.uri.fsPath);
    if (problem) return void vscode.window.showErrorMessage(`MLOps: ${problem}`);
  }
  const fileName = source.kind === 'local' ? basename(source.uri.fsPath) : basename(source.path);
  let models: ModelSummary[] = [];
  try {
    models = (await backend.request<{ models: ModelSummary[] }>('GET', '/api/v1/models')).models;
  } catch {
    /* offer a new name only */
  }
  const name =
    options.name ??
    (await pickOrType({
      title: `Register ${fileName} as a version of…`,
      placeholder: 'Pick a model, or type a new name',
      items: models.map((m) => ({ label: m.name, description: `${m.versions.length} version${m.versions.length === 1 ? '' : 's'}${Object.keys(m.aliases).length ? ` · ${Object.keys(m.aliases).map((a) => `@${a}`).join(' ')}` : ''}` })),
      newItem: (value) => `$(add) New model "${value}"`,
      initialValue: models.length === 0 ? suggestedName(fileName) : undefined,
      validate: modelNameProblem,
    }));
  if (name === undefined) return undefined;
  const nameProblem = modelNameProblem(name);
  if (nameProblem) return void vscode.window.showErrorMessage(`MLOps: ${nameProblem}`);
  const alias =
    options.alias ??
    (await vscode.window.showInputBox({
      title: `Alias for the new version of ${name} (optional)`,
      prompt: 'e.g. challenger or champion; leave empty for none. Setting an alias moves it from the version that has it.',
      validateInput: (v) => (v.trim() === '' ? undefined : aliasProblem(v.trim())),
    }));
  if (alias === undefined) return undefined;
  const aliasName = alias.trim();
  if (aliasName && aliasProblem(aliasName)) return void vscode.window.showErrorMessage(`MLOps: ${aliasProblem(aliasName)}`);

  try {
    const registered = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Registering ${fileName} as ${name}…` }, () =>
      source.kind === 'local' ? registerLocal(workbench, extensionPath, backend, source.uri.fsPath, name, aliasName) : registerRunArtifact(backend, source.runId, source.path, name, aliasName),
    );
    void vscode.window.showInformationMessage(`Registered ${name} version ${registered.version}${aliasName ? ` (@${aliasName})` : ''}: models:/${name}/${registered.version}`, 'Open Model').then((pick) => {
      if (pick === 'Open Model') void vscode.commands.executeCommand('mlops.openModel', { name });
    });
    return registered;
  } catch (err) {
    void vscode.window.showErrorMessage(`MLOps: could not register ${fileName}: ${(err as Error).message}`);
    return undefined;
  }
}

function backendFor(workbench: Workbench, source: RegisterSource): WorkspaceBackend | undefined {
  return (source.kind === 'local' ? workbench.backendOf(source.uri) : undefined) ?? workbench.current();
}

/** A local source is an .onnx file, another model file, or a folder with an MLmodel. */
export function localSourceProblem(path: string): string | undefined {
  if (!existsSync(path)) return `${path} does not exist.`;
  if (statSync(path).isDirectory() && !existsSync(join(path, 'MLmodel'))) return `${basename(path)} is a folder without an MLmodel file: register the model file inside it, or a folder saved by mlflow.<flavor>.save_model.`;
  return undefined;
}

function suggestedName(fileName: string): string {
  const stem = fileName === 'MLmodel' ? 'model' : basename(fileName, extname(fileName));
  return stem.replace(/[/\\@]/g, '-');
}

async function registerLocal(workbench: Workbench, extensionPath: string, backend: WorkspaceBackend, path: string, name: string, alias: string): Promise<Registered> {
  const runtime = await workbench.runtime();
  if (!runtime) throw new Error('no Node.js runtime fits the backend (see the notification).');
  const args = [join(extensionPath, 'dist', 'cli.js'), 'models', 'register', path, '--name', name, '--json', '--workspace', backend.folder.uri.fsPath];
  if (alias) args.push('--alias', alias);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(runtime.command, args, { env: nodeProgramEnv(runtime.env), timeout: CLI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, out, errText) => {
      if (err) reject(new Error(cliMessage(errText) || err.message));
      else resolve(out);
    });
  });
  const version = JSON.parse(stdout) as ModelVersionSummary;
  return { name, version: String(version.version) };
}

/** The CLI's error without its "mlops: " prefix and usage lines. */
function cliMessage(stderr: string): string {
  const first = stderr.trim().split('\n').filter((l) => l.trim())[0] ?? '';
  return first.replace(/^mlops( models)?: /, '');
}

async function registerRunArtifact(backend: WorkspaceBackend, runId: string, path: string, name: string, alias: string): Promise<Registered> {
  try {
    await backend.request('POST', '/api/2.0/mlflow/registered-models/create', { name });
  } catch (err) {
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
  const res = await backend.request<{ model_version: { version: string } }>('POST', '/api/2.0/mlflow/model-versions/create', { name, source: `runs:/${runId}/${path}`, run_id: runId });
  const version = String(res.model_version.version);
  if (alias) await backend.request('POST', '/api/2.0/mlflow/registered-models/alias', { name, alias, version });
  return { name, version };
}
