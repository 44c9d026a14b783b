import { createReadStream, statSync } from 'node:fs';
import { extname, posix } from 'node:path';
import type { Router, RequestContext } from '../http/router';
import { HttpError } from '../http/httpError';
import { sendJson } from '../http/body';
import { attachmentDisposition } from '../http/contentDisposition';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { normalizeArtifactPath } from '../../core/store/artifactPath';
import type { ModelRegistry } from '../../core/registry/modelRegistry';

// MLflow's artifact proxy (`mlflow server --serve-artifacts`). A run's
// artifact_uri is mlflow-artifacts:/<experiment>/<run>/artifacts, which MLflow
// clients turn into /api/2.0/mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/<path>.
// Uploads stream to disk; they are not bound by the JSON body limit.

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.html': 'text/plain; charset=utf-8', // never rendered as a page from our origin
  '.diff': 'text/plain; charset=utf-8',
  '.patch': 'text/plain; charset=utf-8',
};

interface ArtifactTarget {
  runId: string;
  relative: string;
}

/** Splits `<experiment>/<run>/artifacts/<rest>` after decoding and refusing escapes. */
function resolveTarget(tracking: TrackingStore, rawPath: string, allowRoot: boolean): ArtifactTarget {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid artifact path '${rawPath}': bad percent-encoding.`);
  }
  const match = /^([^/]*)\/([^/]*)\/artifacts(?:\/(.*))?$/s.exec(decoded);
  if (!match || !match[1] || !match[2]) {
    throw new HttpError(
      400,
      'INVALID_PARAMETER_VALUE',
      `Invalid artifact path '${decoded}': this server stores artifacts per run, as <experiment_id>/<run_id>/artifacts/<file> (the run's artifact_uri).`,
    );
  }
  const [, experimentId, runId, rest = ''] = match;
  // The run-relative part is checked as given, so an encoded leading '/' or '..' is refused.
  const relative = rest === '' ? '' : normalizeArtifactPath(rest, { allowRoot });
  const info = tracking.runs.info(runId);
  if (info.experimentId !== experimentId) {
    throw new HttpError(404, 'RESOURCE_DOES_NOT_EXIST', `Run ${runId} is not in experiment ${experimentId}.`);
  }
  if (!relative && !allowRoot) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Artifact path '${decoded}' names a run's root, not a file.`);
  return { runId, relative };
}

// A model version's frozen files are served read-only under
// models/<name>/<version>/<path> (get-download-uri answers
// mlflow-artifacts:/models/<name>/<version>). Experiment ids are numbers, so
// 'models' cannot clash with a run's path.
const MODEL_FILES = /^models\/([^/]+)\/([^/]+)(?:\/(.*))?$/s;

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid artifact path '${rawPath}': bad percent-encoding.`);
  }
}

function modelTarget(rawPath: string): { name: string; version: string; relative: string } | undefined {
  const match = MODEL_FILES.exec(decodePath(rawPath));
  if (!match) return undefined;
  return { name: match[1], version: match[2], relative: normalizeArtifactPath(match[3] ?? '', { allowRoot: true }) };
}

export function registerArtifactRoutes(router: Router, tracking: TrackingStore, registry?: ModelRegistry): void {
  for (const base of ['/api/2.0/mlflow-artifacts/artifacts', '/ajax-api/2.0/mlflow-artifacts/artifacts']) {
    router.on('PUT', `${base}/*`, async (ctx) => {
      if (modelTarget(ctx.rest)) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'A registered model version is read-only: register a new version instead.');
      const target = resolveTarget(tracking, ctx.rest, false);
      await tracking.artifacts.writeStream(target.runId, target.relative, ctx.req);
      sendJson(ctx.res, 200, {});
    });
    router.on('GET', `${base}/*`, async (ctx) => {
      const model = registry && modelTarget(ctx.rest);
      if (model && registry) {
        if (!model.relative) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'That path names a model version, not a file.');
        // Verified against the sha256 recorded at registration: a corrupted file is an error, never served.
        const { path, file } = await registry.openVersionPath(model.name, model.version, model.relative);
        return sendFile(ctx, { path: file.path, sha256: file.sha256, blobPath: path });
      }
      download(ctx, tracking);
    });
    router.on('GET', base, (ctx) => {
      const path = ctx.url.searchParams.get('path') ?? '';
      if (!path) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', "Listing needs ?path=<experiment_id>/<run_id>/artifacts[/<dir>].");
      const model = registry && modelTarget(path);
      if (model && registry) return sendJson(ctx.res, 200, { files: listVersionFiles(registry, model.name, model.version, model.relative) });
      const target = resolveTarget(tracking, path, true);
      const files = tracking.artifacts.list(target.runId, target.relative);
      // The proxy lists names relative to the listed folder, as MLflow's server does.
      sendJson(ctx.res, 200, {
        files: files.map((f) => (f.isDir ? { path: posix.basename(f.path), is_dir: true } : { path: posix.basename(f.path), is_dir: false, file_size: f.fileSize })),
      });
    });
  }
}

/** Immediate children of `dir` among a version's files, named relative to it (as the proxy lists). */
function listVersionFiles(registry: ModelRegistry, name: string, version: string, dir: string): { path: string; is_dir: boolean; file_size?: number }[] {
  const prefix = dir ? `${dir}/` : '';
  const out = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
  for (const f of registry.versionFiles(name, version)) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) out.set(rest, { path: rest, is_dir: false, file_size: f.size });
    else if (!out.has(rest.slice(0, slash))) out.set(rest.slice(0, slash), { path: rest.slice(0, slash), is_dir: true });
  }
  return [...out.values()];
}

function download(ctx: RequestContext, tracking: TrackingStore): void {
  const target = resolveTarget(tracking, ctx.rest, false);
  sendFile(ctx, tracking.artifacts.find(target.runId, target.relative));
}

function sendFile(ctx: RequestContext, file: { path: string; sha256: string; blobPath: string }): void {
  const size = statSync(file.blobPath).size;
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': attachmentDisposition(posix.basename(file.path)),
    ETag: `"${file.sha256}"`,
  };
  const range = parseRange(ctx.req.headers.range, size);
  if (range === 'unsatisfiable') {
    ctx.res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    ctx.res.end();
    return;
  }
  const method = ctx.req.method;
  if (range) {
    ctx.res.writeHead(206, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': range.end - range.start + 1 });
    if (method === 'HEAD') return void ctx.res.end();
    createReadStream(file.blobPath, { start: range.start, end: range.end }).pipe(ctx.res);
    return;
  }
  ctx.res.writeHead(200, { ...headers, 'Content-Length': size });
  if (method === 'HEAD') return void ctx.res.end();
  createReadStream(file.blobPath).pipe(ctx.res);
}

/** A single byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`); multi-range is served whole. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
