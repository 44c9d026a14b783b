import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { RuntimeCandidate } from '../backend/backendRuntime';
import { findPipelineFiles, pipelineNameOf } from './pipelineFiles';

/** A task of type `mlops` that runs a pipeline file (package.json `taskDefinitions`). */
export interface PipelineTaskDefinition extends vscode.TaskDefinition {
  type: 'mlops';
  /** The pipeline file, relative to the workspace folder. */
  pipeline: string;
  /** Param overrides (`--set k=v`). */
  params?: Record<string, string | number | boolean>;
  /** Only these steps (`--step`); their needs are taken as done. */
  steps?: string[];
  /** This step and everything downstream (`--from-step`). */
  fromStep?: string;
  /** true: re-run every step; a list: re-run these even when cached. */
  force?: boolean | string[];
  jobs?: number;
}

export function isPipelineTask(definition: vscode.TaskDefinition): definition is PipelineTaskDefinition {
  return typeof definition.pipeline === 'string' && definition.pipeline.length > 0;
}

/** The command line `mlops pipeline run` gets for a definition (after the CLI's path). */
export function pipelineRunArgs(definition: PipelineTaskDefinition, folder: string): string[] {
  const args = ['pipeline', 'run', definition.pipeline, '--workspace', folder];
  for (const [key, value] of Object.entries(definition.params ?? {})) args.push('--set', `${key}=${String(value)}`);
  for (const step of definition.steps ?? []) args.push('--step', step);
  if (definition.fromStep) args.push('--from-step', definition.fromStep);
  if (definition.force === true) args.push('--force');
  else if (Array.isArray(definition.force)) for (const step of definition.force) args.push(`--force=${step}`);
  if (definition.jobs !== undefined) args.push('--jobs', String(definition.jobs));
  return args;
}

/**
 * A VS Code task running `mlops pipeline run` with the bundled CLI: the live step
 * table and each step's output in the terminal, the file's problems in the
 * Problems view ($mlops-pipeline), and terminating the task stops the steps
 * (their runs end KILLED).
 */
export function pipelineTask(definition: PipelineTaskDefinition, folder: vscode.WorkspaceFolder, runtime: RuntimeCandidate, extensionPath: string, label: string): vscode.Task {
  const cli = join(extensionPath, 'dist', 'cli.js');
  const execution = new vscode.ProcessExecution(runtime.command, [cli, ...pipelineRunArgs(definition, folder.uri.fsPath)], {
    cwd: folder.uri.fsPath,
    env: runtime.env,
  });
  const task = new vscode.Task(definition, folder, label, 'mlops', execution, ['$mlops-pipeline']);
  task.detail = `mlops pipeline run ${definition.pipeline}`;
  task.group = vscode.TaskGroup.Build;
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/** One task per pipeline file in the workspace: "mlops: <pipeline name>". */
export async function providePipelineTasks(runtime: RuntimeCandidate, extensionPath: string): Promise<vscode.Task[]> {
  const tasks: vscode.Task[] = [];
  for (const uri of await findPipelineFiles()) {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) continue;
    const text = await readFile(uri.fsPath, 'utf8').catch(() => '');
    const definition: PipelineTaskDefinition = { type: 'mlops', pipeline: vscode.workspace.asRelativePath(uri, false) };
    tasks.push(pipelineTask(definition, folder, runtime, extensionPath, pipelineNameOf(text) ?? basename(uri.fsPath).replace(/\.pipeline\.ya?ml$/, '')));
  }
  return tasks;
}
