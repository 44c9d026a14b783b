import type { Router } from '../http/router';
import { sendJson } from '../http/body';
import { encodeDouble } from '../../protocol/mlflowValues';
import type { ModelsResponse, ModelSourceRun, ModelSummary, ModelVersionSummary } from '../../protocol/native';
import type { KeyValue } from '../../core/tracking/types';
import { ALIAS_MOVE_TAG, GATE_RESULT_TAG, GATE_TAG, GATE_VALUES_TAG, PIPELINE_RUN_TAG } from '../../core/pipeline/registerStep';
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import type { Run } from '../../core/tracking/types';

/**
 * GET /api/v1/models[?name=NAME]: every registered model (or one) with its
 * versions, aliases, source runs and their latest metrics, in one answer, so
 * the Models view and the registry panel need no follow-up requests.
 */
export function registerModelsRoute(router: Router, registry: ModelRegistry): void {
  router.on('GET', '/api/v1/models', (ctx) => {
    const name = ctx.url.searchParams.get('name');
    sendJson(ctx.res, 200, modelsOverview(registry, name ?? undefined) satisfies ModelsResponse);
  });
}

export function modelsOverview(registry: ModelRegistry, name?: string): ModelsResponse {
  // One snapshot: the CLI registers a version and sets its alias in other transactions.
  return registry.tracking.store.read(() => overviewOf(registry, name));
}

function overviewOf(registry: ModelRegistry, name?: string): ModelsResponse {
  const models = name ? [registry.getModel(name)] : registry.listModels();
  const perModel = models.map((m) => ({ model: m, versions: registry.listVersions(m.name) }));
  const runIds = [...new Set(perModel.flatMap((p) => p.versions.map((v) => v.runId).filter((id): id is string => !!id)))];
  const runs = new Map(registry.tracking.runs.getMany(runIds).map((r) => [r.info.runId, sourceRun(r)]));
  return {
    models: perModel.map(({ model, versions }): ModelSummary => ({
      name: model.name,
      description: model.description,
      creationTimestamp: model.creationTimestamp,
      lastUpdatedTimestamp: model.lastUpdatedTimestamp,
      tags: Object.fromEntries(model.tags.map((t) => [t.key, t.value])),
      aliases: Object.fromEntries(model.aliases.map((a) => [a.alias, String(a.version)])),
      versions: versions.map((v) => ({
        version: String(v.version),
        uri: `models:/${v.name}/${v.version}`,
        creationTimestamp: v.creationTimestamp,
        lastUpdatedTimestamp: v.lastUpdatedTimestamp,
        stage: v.currentStage,
        status: v.status,
        statusMessage: v.statusMessage,
        description: v.description,
        source: v.source,
        runId: v.runId,
        aliases: v.aliases,
        tags: Object.fromEntries(v.tags.map((t) => [t.key, t.value])),
        format: v.format,
        servable: v.servable,
        primaryPath: v.primaryPath,
        sha256: v.sha256,
        size: v.size,
        fileCount: v.fileCount,
        signature: v.signature,
        features: v.features,
        run: (v.runId && runs.get(v.runId)) || null,
        ...pipelineFacts(v.tags, v.aliases),
      })),
    })),
  };
}

/** What a pipeline's register step recorded on the version: its gate, and the aliases it moved here. */
function pipelineFacts(tagList: readonly KeyValue[], aliases: readonly string[]): Pick<ModelVersionSummary, 'gate' | 'aliasMoves'> {
  const tags = new Map(tagList.map((t) => [t.key, t.value]));
  const json = (value: string | undefined): unknown => {
    try {
      return value === undefined ? undefined : JSON.parse(value);
    } catch {
      return undefined;
    }
  };
  const when = tags.get(GATE_TAG);
  const read = json(tags.get(GATE_VALUES_TAG));
  const metrics = read && typeof read === 'object' && !Array.isArray(read) ? Object.entries(read as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number') : [];
  const gate = when
    ? { when, result: tags.get(GATE_RESULT_TAG) ?? '', metrics: Object.fromEntries(metrics.map(([k, x]) => [k, encodeDouble(x) as number | 'NaN' | 'Infinity' | '-Infinity'])), pipelineRunId: tags.get(PIPELINE_RUN_TAG) ?? null }
    : null;
  // Only the aliases the version still has: a move recorded here is history once the alias went on elsewhere.
  const aliasMoves: NonNullable<ModelVersionSummary['aliasMoves']> = {};
  for (const alias of aliases) {
    const m = json(tags.get(`${ALIAS_MOVE_TAG}${alias}`)) as { from?: unknown; at?: unknown; by?: unknown } | undefined;
    if (m && typeof m.from === 'string' && typeof m.at === 'number') aliasMoves[alias] = { from: m.from, at: m.at, by: typeof m.by === 'string' ? m.by : '' };
  }
  return { gate, aliasMoves };
}

function sourceRun(r: Run): ModelSourceRun {
  return {
    runId: r.info.runId,
    runName: r.info.runName,
    experimentId: r.info.experimentId,
    status: r.info.status,
    lifecycleStage: r.info.lifecycleStage,
    startTime: r.info.startTime,
    endTime: r.info.endTime,
    metrics: Object.fromEntries(r.data.metrics.filter((m) => !m.key.startsWith('system/')).map((m) => [m.key, encodeDouble(m.value) as number | 'NaN' | 'Infinity' | '-Infinity'])),
  };
}
