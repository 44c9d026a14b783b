import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeyValue } from '../tracking/types';
import type { TrackingStore } from '../tracking/trackingStore';
import type { ModelRegistry } from '../registry/modelRegistry';
import { evaluateGate } from './gateEvaluate';
import { gateReferences, parseGate } from './gateParser';
import type { ParamValue, PipelineStepSpec, RegisterSpec } from './pipelineTypes';
import { stepMetricKey } from './pipelineResults';

/** An alias the step moved from one version of the model to another. */
export interface AliasMove {
  model: string;
  alias: string;
  from: string;
  to: string;
}

/** Version tag: where the alias came from when a pipeline moved it here, JSON `{from, at, by}`. */
export const ALIAS_MOVE_TAG = 'mlops.aliasMove.';
/** Version tags: the register gate that let the version in, what it found, and the metrics it read (JSON `{"<step>/<key>": value}`). */
export const GATE_TAG = 'mlops.gate';
export const GATE_RESULT_TAG = 'mlops.gate.result';
export const GATE_VALUES_TAG = 'mlops.gate.metrics';
/** Version tag: the pipeline run that registered it (or last registered the same file again). */
export const PIPELINE_RUN_TAG = 'mlops.pipeline.runId';

export interface RegisterOutcome {
  /** Undefined when the step failed before deciding. */
  registered?: boolean;
  /** The gate held but the model already had a version with this very file: that version was reused (and the alias moved). */
  reused?: boolean;
  failed: boolean;
  reason: string;
  lines: string[];
  tags: KeyValue[];
  aliasMove?: AliasMove;
}

const trim = (p: string): string => p.replace(/^\.\//, '').replace(/\/+$/, '');

/**
 * A register step: evaluates its gate on the upstream steps' runs (their latest
 * metrics) and the params, and when it holds registers the model file with
 * lineage to the run of the step that produced it, then sets the alias.
 */
export async function registerStep(a: {
  spec: RegisterSpec;
  steps: Record<string, PipelineStepSpec>;
  /** Run id of each step that finished in this pipeline run. */
  upstream: Map<string, string>;
  params: Record<string, ParamValue>;
  folder: string;
  tracking: TrackingStore;
  registry: ModelRegistry;
  userId?: string;
  /** The pipeline run this step is part of: recorded on the version, and named when an alias moves. */
  pipeline?: { name: string; runId: string };
}): Promise<RegisterOutcome> {
  const { spec } = a;
  const lines: string[] = [];
  const tags: KeyValue[] = [
    { key: 'mlops.register.model', value: spec.model },
    { key: 'mlops.register.path', value: spec.path },
  ];
  const metrics: Record<string, Record<string, number>> = {};
  for (const [step, runId] of a.upstream) {
    metrics[step] = Object.fromEntries(a.tracking.runs.get(runId).data.metrics.map((m) => [m.key, m.value]));
  }
  let gateStep: string | undefined;
  const versionTags: KeyValue[] = a.pipeline ? [{ key: PIPELINE_RUN_TAG, value: a.pipeline.runId }] : [];
  if (spec.when) {
    const ast = parseGate(spec.when);
    const refs = gateReferences(ast);
    gateStep = refs.find((r) => r.kind === 'metric')?.step;
    const gate = evaluateGate(ast, { metrics, params: a.params });
    // The version keeps what let it in: the registry shows the gate's metric (a test AUC) beside the training run's.
    const read = Object.fromEntries(refs.flatMap((r) => (r.kind === 'metric' && typeof metrics[r.step]?.[r.key] === 'number' ? [[stepMetricKey(r.step, r.key), metrics[r.step][r.key]]] : [])));
    versionTags.push({ key: GATE_TAG, value: spec.when.slice(0, 5000) }, { key: GATE_RESULT_TAG, value: gate.explanation.slice(0, 5000) }, { key: GATE_VALUES_TAG, value: JSON.stringify(read).slice(0, 5000) });
    tags.push({ key: 'mlops.register.gate', value: spec.when }, { key: 'mlops.register.gateResult', value: gate.explanation });
    lines.push(`gate ${spec.when}: ${gate.explanation}`);
    if (!gate.value) {
      const reason = `not registered: gate ${spec.when} did not hold (${gate.explanation})`;
      lines.push(reason);
      tags.push({ key: 'mlops.register.decision', value: 'skipped' }, { key: 'mlops.register.reason', value: reason.slice(0, 5000) });
      return { registered: false, failed: false, reason, lines, tags };
    }
  }
  // Lineage: the step whose outs include the path, else the step the gate reads.
  const producer = Object.entries(a.steps).find(([name, s]) => a.upstream.has(name) && (s.outs ?? []).some((o) => trim(o) === trim(spec.path)))?.[0] ?? gateStep;
  const producerRun = producer ? a.upstream.get(producer) : undefined;
  try {
    try {
      a.registry.createModel(spec.model);
    } catch (err) {
      if ((err as { code?: string }).code !== 'RESOURCE_ALREADY_EXISTS') throw err;
    }
    // The same bytes again (a cached re-run, or a retrain that changed nothing that
    // matters): answer with the version that has them rather than piling up
    // identical versions. A new version is a different model.
    const same = await sameVersion(a.registry, spec.model, resolve(a.folder, spec.path), producerRun);
    if (same) {
      for (const t of versionTags) a.registry.setVersionTag(spec.model, same.version, t.key, t.value);
      const aliasMove = spec.alias && !same.aliases.includes(spec.alias) ? moveAlias(a.registry, spec.model, spec.alias, String(same.version), a.pipeline) : undefined;
      const origin = same.runId && same.runId === producerRun ? 'the same file from the same run' : `the same file (sha256 ${same.sha256!.slice(0, 12)}) as that version${same.runId ? `, from run ${same.runId}` : ''}`;
      const reason = `already registered as models:/${spec.model}/${same.version}${spec.alias ? ` (@${spec.alias})` : ''}: ${origin}${spec.when ? ' (gate held)' : ''}`;
      lines.push(reason);
      if (aliasMove) lines.push(aliasMoveLine(aliasMove));
      tags.push(
        ...aliasMoveTags(aliasMove),
        { key: 'mlops.register.decision', value: 'reused' },
        { key: 'mlops.register.version', value: String(same.version) },
        { key: 'mlops.register.reason', value: reason },
        ...(producerRun ? [{ key: 'mlops.register.sourceRunId', value: producerRun }] : []),
      );
      return { registered: true, reused: true, failed: false, reason, lines, tags, aliasMove };
    }
    const version = await a.registry.createVersion({
      name: spec.model,
      source: resolve(a.folder, spec.path),
      allowLocal: true,
      runId: producerRun,
      featuresSpec: spec.features?.join(','),
      userId: a.userId,
      tags: versionTags,
    });
    const aliasMove = spec.alias ? moveAlias(a.registry, spec.model, spec.alias, String(version.version), a.pipeline) : undefined;
    const uri = `models:/${spec.model}/${version.version}`;
    const reason = `registered ${uri}${spec.alias ? ` as @${spec.alias}` : ''}${producer ? ` from step ${producer}'s run ${producerRun}` : ''}${spec.when ? ' (gate held)' : ''}`;
    lines.push(reason);
    if (aliasMove) lines.push(aliasMoveLine(aliasMove));
    tags.push(
      ...aliasMoveTags(aliasMove),
      { key: 'mlops.register.decision', value: 'registered' },
      { key: 'mlops.register.version', value: String(version.version) },
      { key: 'mlops.register.reason', value: reason },
      ...(producerRun ? [{ key: 'mlops.register.sourceRunId', value: producerRun }] : []),
    );
    return { registered: true, failed: false, reason, lines, tags, aliasMove };
  } catch (err) {
    const reason = `could not register ${spec.path} as ${spec.model}: ${(err as Error).message}`;
    lines.push(reason);
    tags.push({ key: 'mlops.register.decision', value: 'failed' }, { key: 'mlops.register.reason', value: reason.slice(0, 5000) });
    return { failed: true, reason, lines, tags };
  }
}

/**
 * Points the alias at `to`. When it pointed at another version, says so: on the
 * version (tag ALIAS_MOVE_TAG + alias, so the registry can tell where it came
 * from) and in the answer (the run's output prints it).
 */
function moveAlias(registry: ModelRegistry, model: string, alias: string, to: string, pipeline: { name: string; runId: string } | undefined): AliasMove | undefined {
  const from = registry.getModel(model).aliases.find((x) => x.alias === alias)?.version;
  const moved = from !== undefined && String(from) !== to;
  // The record first: whoever sees the alias move (the editor, between the two writes) finds why.
  if (moved) {
    const by = pipeline ? `pipeline ${pipeline.name} (run ${pipeline.runId})` : 'a pipeline run';
    registry.setVersionTag(model, to, `${ALIAS_MOVE_TAG}${alias}`, JSON.stringify({ from: String(from), at: Date.now(), by }));
  }
  registry.setAlias(model, alias, to);
  return moved ? { model, alias, from: String(from), to } : undefined;
}

export function aliasMoveLine(m: AliasMove): string {
  return `@${m.alias} moved from v${m.from} to v${m.to} (models:/${m.model}@${m.alias} is now v${m.to})`;
}

function aliasMoveTags(m: AliasMove | undefined): KeyValue[] {
  return m ? [{ key: 'mlops.register.aliasMovedFrom', value: m.from }] : [];
}

/** The model's version holding exactly this file (by sha256): one from this run first, else the newest. */
async function sameVersion(registry: ModelRegistry, model: string, file: string, runId: string | undefined) {
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return undefined; // registration itself reports the missing file
  }
  if (!isFile) return undefined; // a model folder: always a new version
  const candidates = registry.listVersions(model).filter((v) => v.sha256);
  if (candidates.length === 0) return undefined;
  const sha256 = await new Promise<string>((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(file).on('data', (chunk) => hash.update(chunk)).on('error', fail).on('end', () => done(hash.digest('hex')));
  });
  const matches = candidates.filter((v) => v.sha256 === sha256);
  return matches.find((v) => runId && v.runId === runId) ?? matches.sort((x, y) => Number(y.version) - Number(x.version))[0];
}
