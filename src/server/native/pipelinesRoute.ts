import { readFileSync } from 'node:fs';
import { workspaceFile } from '../workspaceFile';
import { basename, dirname } from 'node:path';
import type { Router } from '../http/router';
import { readJson, sendJson } from '../http/body';
import { HttpError } from '../http/httpError';
import {
  checkDeps,
  FileHashMemo,
  parsePipelineFile,
  pipelineHistory,
  pipelineStatus,
  planPipeline,
  positionOf,
  resolveParams,
  type PipelineDiagnostic,
  type PipelineFile,
} from '../../core/pipeline';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { checkPipelineShape } from '../../protocol/pipelineFile';
import { encodeDouble } from '../../protocol/mlflowValues';
import {
  pipelineCheckRequest,
  pipelineStatusRequest,
  type PipelineCheckResponse,
  type PipelineDiagnosticDto,
  type PipelineStatusResponse,
  type PipelineStepOutline,
} from '../../protocol/pipelineApi';

/**
 * /api/v1/pipelines: the engine's view of a pipeline file for the editor, which
 * cannot load core itself (like a language server, the backend does
 * the work). `check` parses a buffer as you type; `status` adds what a run now
 * would do with each step and what the last runs did.
 */
export function registerPipelinesRoute(router: Router, deps: { tracking: TrackingStore; workspace: string }): void {
  // The editor asks for a status after every run event and dep change: deps and
  // outs that did not change (by stat) are not read again.
  const memo = new FileHashMemo();
  router.on('POST', '/api/v1/pipelines/check', async (ctx) => {
    const input = pipelineCheckRequest.parse(await readJson(ctx.req));
    const path = fileInWorkspace(deps.workspace, input.file);
    const text = input.text ?? readPipelineText(path);
    const { diagnostics, shaped } = analyse(text, path);
    sendJson(ctx.res, 200, { diagnostics, outline: shaped ? { name: shaped.name, steps: outlineOf(shaped) } : null } satisfies PipelineCheckResponse);
  });

  router.on('POST', '/api/v1/pipelines/status', async (ctx) => {
    const input = pipelineStatusRequest.parse(await readJson(ctx.req));
    const path = fileInWorkspace(deps.workspace, input.file);
    const { pipeline, diagnostics, shaped } = analyse(readPipelineText(path), path);
    const errors = diagnostics.filter((d) => d.severity === 'error' && d.code !== 'missing-dep');
    const history = pipelineHistory(deps.tracking, { file: path, experiment: shaped?.experiment, steps: Object.keys(shaped?.steps ?? {}) });
    const lastRun = history.lastRun && { ...history.lastRun, metrics: history.lastRun.metrics.map((m) => ({ ...m, value: encodeDouble(m.value) as number | 'NaN' | 'Infinity' | '-Infinity' })) };
    if (!pipeline || errors.length) {
      sendJson(ctx.res, 200, { file: path, name: shaped?.name ?? basename(path), lastRun, steps: [], diagnostics: errors } satisfies PipelineStatusResponse);
      return;
    }
    let verdicts = new Map<string, Pick<PipelineStatusResponse['steps'][number], 'state' | 'why' | 'differsFromLastRun'>>();
    try {
      const plan = planPipeline(pipeline);
      // The file's params, and what the last run set unlike them: a run with --set is not stale against itself.
      const rows = await pipelineStatus({ pipeline, file: path, folder: dirname(path), plan, params: resolveParams(pipeline, []), tracking: deps.tracking, memo, lastOverrides: lastRun?.overrides });
      verdicts = new Map(
        rows.map((r) => [r.step, { state: r.state, why: r.reason, ...(r.differsFromLastRun ? { differsFromLastRun: r.differsFromLastRun.map((c) => ({ param: c.param, lastRun: c.lastRun, fileDefault: c.now })) } : {}) }]),
      );
    } catch (err) {
      // An unset ${env.X} and the like: the steps are still worth listing.
      const why = (err as Error).message;
      verdicts = new Map(Object.keys(pipeline.steps).map((s) => [s, { state: 'unknown' as const, why }]));
    }
    const steps = outlineOf(pipeline).map((step) => {
      const spec = pipeline.steps[step.name];
      const last = history.steps.get(step.name);
      return {
        ...step,
        ...(verdicts.get(step.name) ?? { state: 'unknown' as const, why: '' }),
        deps: spec.deps ?? [],
        outs: spec.outs ?? [],
        last: last ? { runId: last.runId ?? '', status: last.status, startTime: last.startTime, durationMs: last.durationMs, cached: last.cached, reason: last.reason } : null,
      };
    });
    sendJson(ctx.res, 200, { file: path, name: pipeline.name, lastRun, steps, diagnostics: [] } satisfies PipelineStatusResponse);
  });
}

function analyse(text: string, path: string): { pipeline?: PipelineFile; shaped?: PipelineFile; diagnostics: PipelineDiagnosticDto[] } {
  const parsed = parsePipelineFile(text, basename(path), checkPipelineShape);
  const diagnostics: PipelineDiagnostic[] = [...parsed.diagnostics, ...(parsed.shaped ? checkDeps(parsed.shaped, dirname(path)) : [])];
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { pipeline: parsed.pipeline, shaped: parsed.shaped, diagnostics };
}

function outlineOf(pipeline: PipelineFile): PipelineStepOutline[] {
  return Object.entries(pipeline.steps).map(([name, spec]) => {
    const at = positionOf(pipeline, ['steps', name], true);
    return { name, kind: spec.register ? ('register' as const) : spec.deploy ? ('deploy' as const) : ('run' as const), needs: spec.needs ?? [], line: at.line, column: at.column };
  });
}

/** The path, resolved in the workspace; one outside it (also through a symlink) is refused. */
function fileInWorkspace(workspace: string, file: string): string {
  const found = workspaceFile(workspace, file);
  if (!found.ok) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `file: ${file} ${found.why === 'outside' ? `is outside the workspace ${workspace}` : 'links outside the workspace'}; pipelines are read from the workspace folder only.`);
  return found.path;
}

function readPipelineText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HttpError(404, 'RESOURCE_DOES_NOT_EXIST', `No pipeline file at ${path}.`);
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Cannot read ${path}: ${(err as Error).message}`);
  }
}
