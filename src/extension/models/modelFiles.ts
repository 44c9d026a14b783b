import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ModelVersionSummary } from '../../protocol/native';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { PrivateDownloads } from '../downloads/privateDownloads';

// A registered version's frozen files, read through the artifact proxy
// (models/<name>/<version>/<path>): the server checks each file's sha256 first.

const MAX_FILES = 500;

function versionUrl(backend: WorkspaceBackend, name: string, version: string, path: string): { url: string; token: string } {
  const info = backend.info;
  if (!info) throw new Error('The MLOps backend is not connected.');
  const encoded = path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  return { url: `${info.url}/api/2.0/mlflow-artifacts/artifacts/models/${encodeURIComponent(name)}/${encodeURIComponent(version)}/${encoded}`, token: info.token };
}

/** Every file of the version, relative to its root. */
async function listVersion(backend: WorkspaceBackend, name: string, version: string, dir = '', out: string[] = []): Promise<string[]> {
  const path = `models/${name}/${version}${dir ? `/${dir}` : ''}`;
  const res = await backend.request<{ files?: { path: string; is_dir: boolean }[] }>('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(path)}`);
  for (const f of res.files ?? []) {
    if (out.length >= MAX_FILES) break;
    const rel = dir ? `${dir}/${f.path}` : f.path;
    if (f.is_dir) await listVersion(backend, name, version, rel, out);
    else out.push(rel);
  }
  return out;
}

/**
 * Downloads the version's files into the private download folder, under a folder
 * named after it (replacing an earlier download), and returns the model file's
 * local path (the folder when none is recorded).
 */
export async function downloadVersion(backend: WorkspaceBackend, name: string, v: ModelVersionSummary, downloads: PrivateDownloads): Promise<string> {
  const base = ['models', name.replace(/[^\w.-]+/g, '_'), `v${v.version}`];
  await downloads.remove(base);
  const files = v.fileCount <= 1 && v.primaryPath ? [v.primaryPath] : await listVersion(backend, name, v.version);
  if (files.length === 0) throw new Error(`version ${v.version} of ${name} has no files to download.`);
  for (const file of files) {
    const { url, token } = versionUrl(backend, name, v.version, file);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok || !res.body) {
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      throw new Error(`could not download ${file}: ${body.message ?? `HTTP ${res.status}`}`);
    }
    const { stream } = await downloads.createFile([...base, ...file.split('/')]);
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), stream);
  }
  const root = join(await downloads.folder(), ...base);
  return v.primaryPath ? join(root, ...v.primaryPath.split('/')) : root;
}
