import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RunsTableResponse, SeriesResponse } from '../../protocol/native';
import { IMAGE_PREVIEW_BYTES, TEXT_PREVIEW_BYTES, imageMimeType, previewKind } from '../../protocol/artifactPreview';
import type { ArtifactEntry, ArtifactRegistration, LinkedRuns, PreviewContent, RunDetail, RunEnvironment, RunSummary, SparklineSeries, TextExcerpt } from '../../protocol/runDetailMessages';
import type { PackedSeries, RunRanges, StepRange } from '../../protocol/seriesMessages';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { PrivateDownloads } from '../downloads/privateDownloads';
import { packSeries } from './packedSeries';
import { pipFreezeNote } from './pipFreezeNote';

// What the run detail panel shows, read from the backend: MLflow's REST API for
// the run, its artifacts (listing, and the mlflow-artifacts proxy with Range
// requests for previews) and the native API for series and run search.

const PARENT_TAG = 'mlflow.parentRunId';
const COMMAND_TAG = 'mlops.command';
const PIPELINE_TAG = 'mlops.pipeline';
export const DIFF_ARTIFACT = 'code/git.diff';
export const PIP_FREEZE_ARTIFACT = 'environment/requirements.txt';
export const OUTPUT_ARTIFACT = 'logs/output.log';
const SPARKLINE_POINTS = 64;
// About one point per pixel of a chart as wide as the panel; a zoomed range with
// fewer points than this comes in full detail.
const CHART_POINTS = 1200;
const LINKED_MAX = 50;

interface KeyValueJson {
  key: string;
  value: string;
}
interface RunJson {
  info: { run_id: string; run_name?: string; experiment_id: string; user_id?: string; status: string; start_time?: number; end_time?: number; lifecycle_stage?: string };
  data: { params?: KeyValueJson[]; tags?: KeyValueJson[]; metrics?: { key: string; value: number | string; timestamp: number; step: number }[] };
}

export async function loadRun(backend: WorkspaceBackend, runId: string): Promise<RunDetail> {
  const { run } = await backend.request<{ run: RunJson }>('GET', `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`);
  const experiment = await backend
    .request<{ experiment: { name: string } }>('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${encodeURIComponent(run.info.experiment_id)}`)
    .catch(() => undefined);
  const pairs = (list: KeyValueJson[] = []) => Object.fromEntries(list.map((p) => [p.key, p.value]));
  return {
    runId: run.info.run_id,
    runName: run.info.run_name ?? run.info.run_id,
    status: run.info.status,
    lifecycleStage: run.info.lifecycle_stage ?? 'active',
    experimentId: run.info.experiment_id,
    experimentName: experiment?.experiment.name ?? run.info.experiment_id,
    userId: run.info.user_id ?? '',
    startTime: run.info.start_time ?? null,
    endTime: run.info.end_time ?? null,
    params: pairs(run.data.params),
    tags: pairs(run.data.tags),
    metrics: (run.data.metrics ?? []).map((m) => ({ key: m.key, value: m.value, step: m.step, timestamp: m.timestamp })).sort((a, b) => compareMetricKeys(a.key, b.key)),
  };
}

/** User metrics first, then system/ ones; alphabetical within each. */
function compareMetricKeys(a: string, b: string): number {
  return Number(a.startsWith('system/')) - Number(b.startsWith('system/')) || a.localeCompare(b);
}

/**
 * Where a metric's history lives when it is not the run's own: a pipeline run's
 * `<step>/<key>` metrics are its step runs' latest values (one point each), so their
 * history is the step run's `<key>`. Keyed by the pipeline run's metric key.
 */
export type SeriesSources = ReadonlyMap<string, { runId: string; key: string }>;

export function stepSeriesSources(run: RunDetail, children: readonly RunSummary[]): SeriesSources {
  const sources = new Map<string, { runId: string; key: string }>();
  if (!run.tags[PIPELINE_TAG] || run.tags[PARENT_TAG]) return sources;
  const steps = new Map<string, RunSummary>();
  for (const child of children) if (!steps.has(child.runName)) steps.set(child.runName, child); // newest first
  for (const { key } of run.metrics) {
    const slash = key.indexOf('/');
    const step = slash > 0 ? steps.get(key.slice(0, slash)) : undefined;
    if (step) sources.set(key, { runId: step.runId, key: key.slice(slash + 1) });
  }
  return sources;
}

type SeriesQuery = { maxPoints: number; x: 'step' | 'time'; startStep?: number; endStep?: number };

/**
 * The run's series of `keys`, those with a source read from it instead (named as the
 * run's own; the run's single point stays where the source has none). A step range
 * applies to the step run alike; a time zoom's range was measured on this run's
 * points, so a source's series comes whole and the chart's zoom window cuts it.
 */
async function seriesWithSources(backend: WorkspaceBackend, runId: string, keys: string[], sources: SeriesSources, query: SeriesQuery, timeZoom: boolean): Promise<SeriesResponse['series']> {
  const bySource = new Map<string, { key: string; as: string }[]>();
  for (const key of keys) {
    const source = sources.get(key);
    if (source) bySource.set(source.runId, [...(bySource.get(source.runId) ?? []), { key: source.key, as: key }]);
  }
  const sourceQuery = timeZoom ? { maxPoints: query.maxPoints, x: query.x } : query;
  const [own, ...fromSources] = await Promise.all([
    backend.request<SeriesResponse>('POST', '/api/v1/series', { runIds: [runId], keys, ...query }),
    ...[...bySource].map(([sourceRunId, wanted]) =>
      backend
        .request<SeriesResponse>('POST', '/api/v1/series', { runIds: [sourceRunId], keys: [...new Set(wanted.map((w) => w.key))], ...sourceQuery })
        .then((res) => ({ res, wanted }), () => undefined), // the run's own point still shows
    ),
  ]);
  const replaced = new Map<string, SeriesResponse['series'][number]>();
  for (const got of fromSources) {
    if (!got) continue;
    for (const s of got.res.series) {
      if (s.x.length === 0) continue;
      for (const w of got.wanted) if (w.key === s.key) replaced.set(w.as, { ...s, runId, key: w.as });
    }
  }
  return own.series.map((s) => replaced.get(s.key) ?? s);
}

export async function loadSparklines(backend: WorkspaceBackend, run: RunDetail, sources: SeriesSources = new Map()): Promise<SparklineSeries[]> {
  const keys = run.metrics.map((m) => m.key).slice(0, 200);
  if (keys.length === 0) return [];
  const series = await seriesWithSources(backend, run.runId, keys, sources, { maxPoints: SPARKLINE_POINTS, x: 'step' }, false);
  return series.map((s) => ({ key: s.key, total: s.total, values: s.y.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)) }));
}

/** What the run panel's chart shows: its metrics, on steps or time, whole or zoomed (as steps). */
export interface ChartView {
  keys: string[];
  x: 'step' | 'time';
  range: StepRange | null;
  runRanges: RunRanges | null;
}

export async function loadChartSeries(backend: WorkspaceBackend, runId: string, view: ChartView, sources: SeriesSources = new Map()): Promise<PackedSeries> {
  // A zoom on a time axis is this run's step range.
  const range = view.runRanges?.[runId] ?? view.range;
  const query = { maxPoints: CHART_POINTS, x: view.x, ...(range ?? {}) };
  return packSeries(await seriesWithSources(backend, runId, view.keys, sources, query, view.runRanges?.[runId] !== undefined));
}

/** MLflow search-filter string literal: quotes and backslashes escaped. */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

async function searchRuns(backend: WorkspaceBackend, filter: string): Promise<RunSummary[]> {
  const search = await backend.request<{ experiments?: { experiment_id: string }[] }>('POST', '/api/2.0/mlflow/experiments/search', { max_results: 1000 });
  const experimentIds = (search.experiments ?? []).map((e) => e.experiment_id);
  if (experimentIds.length === 0) return [];
  const table = await backend.request<RunsTableResponse>('POST', '/api/v1/runs/table', { experimentIds, filter, maxResults: LINKED_MAX, orderBy: ['attributes.start_time DESC'] });
  return table.runs.map((r) => ({ runId: r.runId, runName: r.runName, status: r.status, startTime: r.startTime }));
}

export async function loadLinkedRuns(backend: WorkspaceBackend, run: RunDetail): Promise<LinkedRuns> {
  const parentId = run.tags[PARENT_TAG];
  const command = run.tags[COMMAND_TAG];
  const [parent, children, sameCommand] = await Promise.all([
    parentId
      ? loadRun(backend, parentId).then(
          (p) => ({ runId: p.runId, runName: p.runName, status: p.status, startTime: p.startTime }),
          () => ({ runId: parentId, runName: parentId, status: 'UNKNOWN', startTime: null }),
        )
      : null,
    searchRuns(backend, `tags.${PARENT_TAG} = ${quoted(run.runId)}`),
    command ? searchRuns(backend, `tags.${COMMAND_TAG} = ${quoted(command)}`) : [],
  ]);
  return { parent, children, sameCommand: sameCommand.filter((r) => r.runId !== run.runId) };
}

export async function listArtifacts(backend: WorkspaceBackend, runId: string, path: string): Promise<ArtifactEntry[]> {
  const query = `run_id=${encodeURIComponent(runId)}${path ? `&path=${encodeURIComponent(path)}` : ''}`;
  const res = await backend.request<{ files?: { path: string; is_dir: boolean; file_size?: number }[] }>('GET', `/api/2.0/mlflow/artifacts/list?${query}`);
  const files = (res.files ?? []).map((f) => ({ path: f.path, isDir: f.is_dir, size: f.file_size }));
  // Folders first, then files, each alphabetical.
  return files.sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.path.localeCompare(b.path));
}

/**
 * The model versions registered from this run, newest first, with the artifact
 * paths each may be: a run artifact's path from a `runs:/` or `mlflow-artifacts:`
 * source; for a workspace file (a pipeline's register step), the run's copy of
 * that out (`outs/<path>`).
 */
export async function loadRegistrations(backend: WorkspaceBackend, runId: string): Promise<ArtifactRegistration[]> {
  const res = await backend.request<{ model_versions?: { name: string; version: string; source: string; run_id?: string; aliases?: string[] }[] }>('POST', '/api/2.0/mlflow/model-versions/search', {
    filter: `run_id = ${quoted(runId)}`,
    max_results: 1000,
  });
  const folder = backend.folder.uri.fsPath.replace(/\\/g, '/').replace(/\/$/, '');
  return (res.model_versions ?? [])
    .filter((v) => v.run_id === runId)
    .map((v) => ({ name: v.name, version: String(v.version), aliases: v.aliases ?? [], paths: registrationPaths(v.source, runId, folder) }))
    .sort((a, b) => a.name.localeCompare(b.name) || Number(b.version) - Number(a.version));
}

/** The artifact paths of run `runId` a version's source may name (`folder`: the workspace, with forward slashes). */
export function registrationPaths(source: string, runId: string, folder: string): string[] {
  const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');
  const run = `runs:/${runId}/`;
  if (source.startsWith(run)) return [trim(source.slice(run.length))];
  const proxied = /^mlflow-artifacts:\/[^/]+\/([^/]+)\/artifacts\/(.+)$/.exec(source);
  if (proxied && proxied[1] === runId) return [trim(proxied[2])];
  const local = source.replace(/\\/g, '/');
  if (local.startsWith(`${folder}/`)) {
    const relative = trim(local.slice(folder.length + 1));
    return [`outs/${relative}`, relative];
  }
  return [];
}

function artifactUrl(backend: WorkspaceBackend, run: { runId: string; experimentId: string }, path: string): { url: string; token: string } {
  const info = backend.info;
  if (!info) throw new Error('The MLOps backend is not connected.');
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return { url: `${info.url}/api/2.0/mlflow-artifacts/artifacts/${encodeURIComponent(run.experimentId)}/${encodeURIComponent(run.runId)}/artifacts/${encoded}`, token: info.token };
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const json = (await res.json()) as { message?: string };
    return json.message ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** Bytes of an artifact: the first `limit` (default: all), or the last `-limit` when negative. */
export async function readArtifact(backend: WorkspaceBackend, run: { runId: string; experimentId: string }, path: string, limit?: number): Promise<{ bytes: Uint8Array; size: number; truncated: boolean }> {
  const { url, token } = artifactUrl(backend, run, path);
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (limit !== undefined) headers.Range = limit >= 0 ? `bytes=0-${limit - 1}` : `bytes=${limit}`;
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  if (res.status === 416) return { bytes: new Uint8Array(0), size: 0, truncated: false }; // an empty file
  if (!res.ok) throw new Error(await errorMessage(res));
  const bytes = new Uint8Array(await res.arrayBuffer());
  const range = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
  const size = range ? Number(range[1]) : bytes.length;
  return { bytes, size, truncated: bytes.length < size };
}

export async function readTextArtifact(backend: WorkspaceBackend, run: { runId: string; experimentId: string }, path: string, limit = TEXT_PREVIEW_BYTES): Promise<TextExcerpt> {
  const { bytes, size, truncated } = await readArtifact(backend, run, path, limit);
  return { text: new TextDecoder('utf-8').decode(bytes), size, truncated };
}

/** A named artifact as text, or null when the run has none by that name. */
export async function optionalTextArtifact(backend: WorkspaceBackend, run: { runId: string; experimentId: string }, path: string): Promise<TextExcerpt | null> {
  try {
    return await readTextArtifact(backend, run, path);
  } catch {
    return null;
  }
}

export async function previewArtifact(backend: WorkspaceBackend, run: { runId: string; experimentId: string }, path: string, size: number | undefined): Promise<PreviewContent> {
  try {
    const kind = previewKind(path);
    if (kind === 'binary') return { kind: 'binary', size: size ?? 0, reason: 'No preview for this type of file.' };
    if (kind === 'image') {
      if (size !== undefined && size > IMAGE_PREVIEW_BYTES) return { kind: 'binary', size, reason: `This image is too large to preview (${formatBytes(size)}).` };
      const read = await readArtifact(backend, run, path);
      return { kind: 'image', mime: imageMimeType(path), bytes: read.bytes, size: read.size };
    }
    const text = await readTextArtifact(backend, run, path);
    return { kind, ...text };
  } catch (err) {
    return { kind: 'error', message: `Could not read ${path}: ${(err as Error).message}` };
  }
}

/** Downloads an artifact into the private download folder (a file named like the artifact) for VS Code to open. */
export async function downloadArtifact(backend: WorkspaceBackend, run: { runId: string; experimentId: string }, path: string, downloads: PrivateDownloads): Promise<string> {
  const { url, token } = artifactUrl(backend, run, path);
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok || !res.body) throw new Error(await errorMessage(res));
  const file = await downloads.createFile(['artifacts', run.runId, ...path.split('/')]);
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), file.stream);
  return file.path;
}

export function environmentOf(run: RunDetail, pipFreeze: TextExcerpt | null): RunEnvironment {
  const tag = (key: string) => run.tags[key] ?? null;
  return { pythonVersion: tag('mlops.python.version'), host: tag('mlops.host'), pid: tag('mlops.pid'), cwd: tag('mlops.cwd'), pipFreeze, pipFreezeNote: pipFreezeNote(run, !!pipFreeze) };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
