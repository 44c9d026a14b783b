import * as vscode from 'vscode';

// Pipeline files are found by name, `*.pipeline.yaml` (or .yml), as the CLI and
// the README call them; the rest of the workspace is not read.

export const PIPELINE_GLOB = '**/*.pipeline.{yaml,yml}';
const EXCLUDE = '{**/node_modules/**,**/.mlops/**,**/.git/**}';
export const PIPELINE_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: PIPELINE_GLOB }];

export function isPipelineFile(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && /\.pipeline\.ya?ml$/.test(uri.path);
}

export async function findPipelineFiles(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(PIPELINE_GLOB, EXCLUDE, 500);
  return found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** The pipeline's `name:` as written at the top level, without parsing YAML (task labels need it before any backend is up). */
export function pipelineNameOf(text: string): string | undefined {
  const m = /^name:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^#\n]*?))[ \t]*(?:#.*)?$/m.exec(text);
  const name = m?.[1] ?? m?.[2] ?? m?.[3];
  return name ? name : undefined;
}

/** The path the backend is given: relative to the folder (the backend refuses anything outside it). */
export function pathInFolder(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false);
}
