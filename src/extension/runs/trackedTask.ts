import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RuntimeCandidate } from '../backend/backendRuntime';
import { isPipelineTask, pipelineTask, providePipelineTasks } from '../pipelines/pipelineTask';

/** What a task of type `mlops` declares (package.json `taskDefinitions`). */
export interface TrackedTaskDefinition extends vscode.TaskDefinition {
  type: 'mlops';
  command: string;
  args?: string[];
  params?: Record<string, string | number | boolean>;
  experiment?: string;
  name?: string;
  /** Internal (Debug Current File): run under debugpy, connecting to a debugger listening at HOST:PORT. */
  debugConnect?: string;
  /** Internal (Run Current File): lines printed before the run starts, e.g. which interpreter and why. */
  notes?: string[];
}

/**
 * A VS Code task that runs `mlops run … -- <command> <args>` with the bundled CLI:
 * output in the terminal, the run recorded, and stopping the task (SIGHUP) ends
 * the run as KILLED.
 */
export function trackedTask(
  definition: TrackedTaskDefinition,
  folder: vscode.WorkspaceFolder,
  runtime: RuntimeCandidate,
  extensionPath: string,
  label: string,
  extraEnv: Record<string, string> = {},
): vscode.Task {
  const cli = join(extensionPath, 'dist', 'cli.js');
  const args = [cli, 'run', '--workspace', folder.uri.fsPath];
  if (definition.experiment) args.push('--experiment', definition.experiment);
  if (definition.name) args.push('--name', definition.name);
  if (definition.debugConnect) args.push('--debug-connect', definition.debugConnect);
  for (const note of definition.notes ?? []) args.push('--note', note);
  for (const [key, value] of Object.entries(definition.params ?? {})) args.push('--param', `${key}=${String(value)}`);
  args.push('--', definition.command, ...(definition.args ?? []));
  const execution = new vscode.ProcessExecution(runtime.command, args, { cwd: folder.uri.fsPath, env: { ...runtime.env, ...extraEnv } });
  const task = new vscode.Task(definition, folder, label, 'mlops', execution, []);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/** The `mlops` task type: tracked commands and pipeline files (one task per file found), and those written in tasks.json. */
export class TrackedTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly runtime: () => Promise<RuntimeCandidate | undefined>,
    private readonly extensionPath: string,
  ) {}

  async provideTasks(): Promise<vscode.Task[]> {
    if (!vscode.workspace.isTrusted) return [];
    const runtime = await this.runtime();
    return runtime ? providePipelineTasks(runtime, this.extensionPath) : [];
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    const runtime = await this.runtime();
    if (!folder || !runtime) return undefined;
    if (isPipelineTask(task.definition)) return pipelineTask(task.definition, folder, runtime, this.extensionPath, task.name);
    const definition = task.definition as TrackedTaskDefinition;
    if (!definition.command) {
      void vscode.window.showErrorMessage(`MLOps: task "${task.name}" of type mlops needs "command" (a tracked command) or "pipeline" (a pipeline file).`);
      return undefined;
    }
    return trackedTask(definition, folder, runtime, this.extensionPath, task.name);
  }
}
