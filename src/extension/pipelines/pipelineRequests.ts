import type { PipelineCheckResponse, PipelineStatusResponse } from '../../protocol/pipelineApi';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import { pipelineApiSchemas } from '../lazySchemas';
import { pathInFolder } from './pipelineFiles';
import type * as vscode from 'vscode';

/** Diagnostics and step outline of a buffer (the backend parses it with the engine's own parser). */
export async function checkPipeline(backend: WorkspaceBackend, uri: vscode.Uri, text: string): Promise<PipelineCheckResponse> {
  const body = await backend.request<unknown>('POST', '/api/v1/pipelines/check', { file: pathInFolder(uri), text });
  return pipelineApiSchemas().pipelineCheckResponse.parse(body);
}

/** Each step's cache verdict and last outcome, for the file as saved. */
export async function fetchPipelineStatus(backend: WorkspaceBackend, uri: vscode.Uri): Promise<PipelineStatusResponse> {
  const body = await backend.request<unknown>('POST', '/api/v1/pipelines/status', { file: pathInFolder(uri) });
  return pipelineApiSchemas().pipelineStatusResponse.parse(body);
}
