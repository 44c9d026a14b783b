import type { Router } from '../http/router';
import { readJson, sendJson } from '../http/body';
import { HttpError } from '../http/httpError';
import * as native from '../../protocol/native';
import { encodeDouble } from '../../protocol/mlflowValues';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { SeriesReader } from '../../core/tracking/seriesReader';
import type { RunsTableReader } from '../../core/tracking/runsTableReader';
import { compileRunsTable, type RunsTableInput } from '../../core/tracking/runsTableQuery';
import { decodePageToken, encodePageToken } from '../../core/tracking/pageToken';
import { SCHEMA_VERSION } from '../../core/store/schema';
import type { EventStream } from './eventStream';

export interface NativeDeps {
  tracking: TrackingStore;
  series: SeriesReader;
  table: RunsTableReader;
  /** Answer the runs table on the main thread, as before the table workers (benchmarks compare the two). */
  legacyRunsTable?: boolean;
  events: EventStream;
  version: string;
  workspace: string;
}

/** The editor's API: health, heartbeats, runs for tables, downsampled series, live events. */
export function registerNativeRoutes(router: Router, deps: NativeDeps): void {
  const { tracking } = deps;

  router.on('GET', '/api/v1/health', (ctx) =>
    sendJson(ctx.res, 200, { ok: true, version: deps.version, pid: process.pid, workspace: deps.workspace, schemaVersion: SCHEMA_VERSION }),
  );

  router.on('GET', '/api/v1/summary', (ctx) => sendJson(ctx.res, 200, tracking.summary() satisfies native.StoreSummary));

  router.on('POST', '/api/v1/runs/heartbeat', async (ctx) => {
    const input = native.heartbeatRequest.parse(await readJson(ctx.req));
    tracking.runs.heartbeat(input.run_id);
    sendJson(ctx.res, 200, {});
  });

  router.on('POST', '/api/v1/series', async (ctx) => {
    const input = native.seriesRequest.parse(await readJson(ctx.req));
    if (input.startStep !== undefined && input.endStep !== undefined && input.startStep > input.endStep) {
      throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'startStep must not be greater than endStep.');
    }
    for (const [runId, r] of Object.entries(input.runRanges ?? {})) {
      if (r.startStep > r.endStep) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `runRanges.${runId}: startStep must not be greater than endStep.`);
    }
    // The body is built on the worker threads that ran the query (see seriesJson.ts);
    // its shape is native.SeriesResponse.
    const body = await deps.series.queryJson(input);
    ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    ctx.res.end(body);
  });

  router.on('POST', '/api/v1/runs/table', async (ctx) => {
    const input = native.runsTableRequest.parse(await readJson(ctx.req));
    const offset = input.pageToken ? decodePageToken(input.pageToken) : 0;
    const request = { experimentIds: input.experimentIds, filter: input.filter, orderBy: input.orderBy, viewType: input.viewType, maxResults: input.maxResults, offset };
    if (deps.legacyRunsTable) return sendJson(ctx.res, 200, legacyRunsTable(tracking, request));
    // Checked and compiled here, so a bad filter is a 400 before any worker is
    // asked; the rows and the JSON are written on a worker thread (see
    // runsTableQuery.ts), so a large table never blocks ingestion. The body's
    // shape is native.RunsTableResponse.
    const body = await deps.table.queryJson(compileRunsTable(request));
    ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.byteLength });
    ctx.res.end(body);
  });

  router.on('GET', '/api/v1/events', (ctx) => deps.events.subscribe(ctx.req, ctx.res, ctx.url));
}

/**
 * The runs table as it was answered before runsTableQuery.ts: full runs loaded
 * and serialised on the main thread. Kept only so the benchmark can measure both
 * in one run (MLOPS_RUNS_TABLE_LEGACY=1); the answer is the same.
 */
function legacyRunsTable(tracking: TrackingStore, request: RunsTableInput): native.RunsTableResponse {
  const page = tracking.searchRuns(request);
  const columns = { params: new Set<string>(), metrics: new Set<string>(), tags: new Set<string>() };
  const runs: native.RunsTableRow[] = page.runs.map((run) => {
    const row: native.RunsTableRow = {
      runId: run.info.runId,
      runName: run.info.runName,
      experimentId: run.info.experimentId,
      status: run.info.status,
      lifecycleStage: run.info.lifecycleStage,
      startTime: run.info.startTime,
      endTime: run.info.endTime,
      userId: run.info.userId,
      params: {},
      tags: {},
      metrics: {},
    };
    for (const p of run.data.params) (row.params[p.key] = p.value), columns.params.add(p.key);
    for (const t of run.data.tags) (row.tags[t.key] = t.value), columns.tags.add(t.key);
    for (const m of run.data.metrics) (row.metrics[m.key] = encodeDouble(m.value)), columns.metrics.add(m.key);
    return row;
  });
  return {
    runs,
    nextPageToken: page.nextOffset === undefined ? undefined : encodePageToken(page.nextOffset),
    columns: { params: [...columns.params].sort(), metrics: [...columns.metrics].sort(), tags: [...columns.tags].sort() },
  };
}
