import { encodeDouble } from '../../protocol/mlflowValues';
import type { Experiment, MetricPoint, Run, RunInfo, KeyValue, DatasetInput } from '../../core/tracking/types';

// Domain records → MLflow's JSON. Like protobuf's JSON mapping as MLflow's
// server emits it, unset fields and empty lists are left out.

type Json = Record<string, unknown>;

function compact(obj: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

export function encodeExperiment(e: Experiment): Json {
  return compact({
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: e.tags.map(encodeKeyValue),
  });
}

export function encodeRunInfo(i: RunInfo): Json {
  return compact({
    run_uuid: i.runId,
    run_name: i.runName,
    experiment_id: i.experimentId,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    end_time: i.endTime,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
    run_id: i.runId,
  });
}

export function encodeMetric(m: MetricPoint): Json {
  return { key: m.key, value: encodeDouble(m.value), timestamp: m.timestamp, step: m.step };
}

function encodeKeyValue(kv: KeyValue): Json {
  return { key: kv.key, value: kv.value };
}

function encodeDatasetInput(d: DatasetInput): Json {
  return compact({
    tags: d.tags.map(encodeKeyValue),
    dataset: compact({
      name: d.dataset.name,
      digest: d.dataset.digest,
      source_type: d.dataset.sourceType,
      source: d.dataset.source,
      schema: d.dataset.schema,
      profile: d.dataset.profile,
    }),
  });
}

export function encodeRun(r: Run): Json {
  return {
    info: encodeRunInfo(r.info),
    data: compact({
      metrics: r.data.metrics.map(encodeMetric),
      params: r.data.params.map(encodeKeyValue),
      tags: r.data.tags.map(encodeKeyValue),
    }),
    inputs: compact({ dataset_inputs: r.inputs.datasetInputs.map(encodeDatasetInput) }),
  };
}
