import type { Router } from '../http/router';
import { readJson, sendJson } from '../http/body';
import { HttpError } from '../http/httpError';
import * as native from '../../protocol/native';
import { encodeDouble } from '../../protocol/mlflowValues';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { SeriesReader } from '../../core/tracking/seriesReader';
import { decodePageToken, encodePageToken } from '../../core/tracking/pageToken';
import { SCHEMA_VERSION } from '../../core/store/schema';
import type { EventStream } from './eventStream';

export interface NativeDeps {
  tracking: TrackingStore;
  series: SeriesReader;
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
    const page = tracking.searchRuns({ experimentIds: input.experimentIds, filter: input.filter, orderBy: input.orderBy, viewType: input.viewType, maxResults: input.maxResults, offset });
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
    const response: native.RunsTableResponse = {
      runs,
      nextPageToken: page.nextOffset === undefined ? undefined : encodePageToken(page.nextOffset),
      columns: { params: [...columns.params].sort(), metrics: [...columns.metrics].sort(), tags: [...columns.tags].sort() },
    };
    sendJson(ctx.res, 200, response);
  });

  router.on('GET', '/api/v1/events', (ctx) => deps.events.subscribe(ctx.req, ctx.res, ctx.url));
}
