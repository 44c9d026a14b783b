// What the backend checks of a deployment spec before it starts (or redeploys)
// anything: every model URI names a servable version, and the files monitoring
// will read or run are in the workspace. A slip (models:/churn@champoin, a
// reference that is not there) is answered at once with what does exist, rather
// than hidden behind "already running" or left to a process that serves with
// monitoring silently off.
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import { parseModelUri } from '../../core/registry/modelUri';
import { servingProblem } from '../../core/serving/servableVersion';
import { StoreError } from '../../core/store/storeErrors';
import type { DeploymentSpec } from '../../protocol/deployments';
import { HttpError } from '../http/httpError';
import { locateReferenceFile } from '../deployment/monitorReference';
import { locatePipeline } from './workspacePipeline';

export interface SpecCheckContext {
  registry: ModelRegistry;
  workspace: string;
}

/** Throws a 400 naming the first problem of the spec; returns when it can be deployed. */
export function checkDeploymentSpec(spec: DeploymentSpec, o: SpecCheckContext): void {
  const refuse = (message: string): never => {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', message);
  };
  for (const v of spec.variants) {
    const problem = modelUriProblem(o.registry, v.modelUri);
    if (problem) refuse(`The ${v.name}'s model URI ${v.modelUri} cannot be served: ${problem}`);
  }
  const monitoring = spec.monitoring;
  if (!monitoring) return;
  if (monitoring.reference !== 'training') {
    const reference = locateReferenceFile(o.workspace, monitoring.reference);
    if (!reference.ok) refuse(`monitoring.reference: ${reference.message} Give a CSV or JSONL file in the workspace, or "training" (the champion's training data set).`);
  }
  if (monitoring.onDrift) {
    const pipeline = locatePipeline(o.workspace, monitoring.onDrift);
    if (!pipeline.ok) refuse(`monitoring.onDrift: ${pipeline.message} Give a pipeline file in the workspace (e.g. retrain.pipeline.yaml).`);
  }
}

/** Why a models:/ URI names nothing servable, saying what the registry has instead; undefined when it resolves to a servable version. */
export function modelUriProblem(registry: ModelRegistry, uri: string): string | undefined {
  let version;
  try {
    version = registry.resolveModelUri(uri);
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    if (err.code !== 'RESOURCE_DOES_NOT_EXIST') return err.message;
    return missingReference(registry, uri) ?? err.message;
  }
  return servingProblem(uri, version);
}

/** What the registry holds where the URI points at nothing: the models, or the model's aliases and versions. */
function missingReference(registry: ModelRegistry, uri: string): string | undefined {
  const ref = parseModelUri(uri);
  const models = registry.listModels();
  const model = models.find((m) => m.name === ref.name);
  if (!model) {
    if (models.length === 0) return `no model is registered in this workspace yet (mlops models register FILE --name ${ref.name}).`;
    const names = models.slice(0, 20).map((m) => `'${m.name}'`).join(', ') + (models.length > 20 ? `, … (${models.length} in all)` : '');
    return `there is no registered model '${ref.name}'; the registered models are ${names} (mlops models list).`;
  }
  const versions = registry.listVersions(ref.name).map((v) => v.version);
  const aliases = model.aliases.length ? `its aliases are ${model.aliases.map((a) => `${a.alias} → v${a.version}`).join(', ')}` : 'it has no aliases';
  const numbers = versions.length ? `its versions are ${numberRanges(versions)}` : 'it has no versions yet';
  const more = `(mlops models show ${ref.name})`;
  switch (ref.kind) {
    case 'alias':
      return `model '${ref.name}' has no alias '${ref.alias}'; ${aliases}; ${numbers} ${more}.`;
    case 'version':
      return `model '${ref.name}' has no version ${ref.version}; ${numbers}; ${aliases} ${more}.`;
    default:
      return `${uri} names no version of model '${ref.name}'; ${numbers}; ${aliases} ${more}.`;
  }
}

/** "1–3, 5, 7–9": version numbers, ascending, runs collapsed. */
export function numberRanges(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(j === i ? String(sorted[i]) : j === i + 1 ? `${sorted[i]}, ${sorted[j]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}
