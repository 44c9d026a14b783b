import type { ModelVersion, RegisteredModel } from '../../core/registry/types';
import type { MlflowModelVersion, MlflowRegisteredModel } from '../../protocol/mlflowRegistry';

// Registry records → MLflow's JSON. As protobuf's JSON mapping emits it, unset
// fields and empty lists are left out; versions are strings. Our own fields
// (sha256, format, signature) stay off MLflow's routes: see /api/v1/models.

function orUndefined<T>(list: T[]): T[] | undefined {
  return list.length ? list : undefined;
}

export function encodeModelVersion(v: ModelVersion): MlflowModelVersion {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    user_id: v.userId || undefined,
    current_stage: v.currentStage,
    description: v.description || undefined,
    source: v.source,
    run_id: v.runId || undefined,
    run_link: v.runLink || undefined,
    status: v.status,
    status_message: v.statusMessage || undefined,
    tags: orUndefined(v.tags.map((t) => ({ key: t.key, value: t.value }))),
    aliases: orUndefined(v.aliases),
  };
}

export function encodeRegisteredModel(m: RegisteredModel): MlflowRegisteredModel {
  return {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    description: m.description || undefined,
    latest_versions: orUndefined(m.latestVersions.map(encodeModelVersion)),
    tags: orUndefined(m.tags.map((t) => ({ key: t.key, value: t.value }))),
    aliases: orUndefined(m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) }))),
  };
}
