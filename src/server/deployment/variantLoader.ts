// Turns a spec's variants (models:/ URIs) into loaded models. A URI is resolved
// against the registry at deploy time (an alias moves, a redeploy picks it up) and
// the version's file is integrity-checked before onnxruntime ever sees it.
import type { DeploymentSpec, ServedVariant } from '../../protocol/deployments';
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import { servingProblem } from '../../core/serving/servableVersion';
import { ServedModel } from '../../core/serving/servedModel';
import type { BatchRecord } from '../../core/serving/batchStats';
import type { NamedTensors } from '../../core/serving/tensorTypes';

export interface LoadedVariant extends ServedVariant {
  served: ServedModel;
  /** "model/version", as the X-MLOps-Model-Version header says it. */
  label: string;
}

export async function loadVariants(
  registry: ModelRegistry,
  spec: DeploymentSpec,
  onBatch: (variant: 'champion' | 'challenger', record: BatchRecord) => void,
  /** Every answered request's tensors, by variant (monitoring records them). */
  observe?: (variant: 'champion' | 'challenger', feeds: NamedTensors, results: NamedTensors) => void,
): Promise<LoadedVariant[]> {
  const resolved = spec.variants.map((v) => {
    const version = registry.resolveModelUri(v.modelUri);
    const problem = servingProblem(v.modelUri, version);
    if (problem) throw new Error(problem);
    return { spec: v, version };
  });
  const loaded: LoadedVariant[] = [];
  try {
    for (const { spec: v, version } of resolved) {
      const file = await registry.openModelVersionFile(version.name, version.version);
      // A client may address each version served under this model name.
      const versions = resolved.filter((r) => r.version.name === version.name).map((r) => String(r.version.version));
      const served = await ServedModel.load({
        name: version.name,
        version: String(version.version),
        file,
        ...(version.features ? { features: version.features } : {}),
        versions: [...new Set(versions)],
        threads: spec.intraOpThreads ? { intraOpThreads: spec.intraOpThreads } : undefined,
        batching: { ...spec.batching, onBatch: (record) => onBatch(v.name, record) },
        ...(observe ? { observe: (feeds: NamedTensors, results: NamedTensors) => observe(v.name, feeds, results) } : {}),
      });
      loaded.push({
        name: v.name,
        model: version.name,
        version: String(version.version),
        modelUri: v.modelUri,
        weight: spec.shadow && v.name === 'challenger' ? 0 : v.weight,
        served,
        label: `${version.name}/${version.version}`,
      });
    }
  } catch (err) {
    // Half a deployment is no deployment: release what did load.
    await Promise.all(loaded.map((l) => l.served.dispose()));
    throw err;
  }
  return loaded;
}

export function describeVariants(variants: readonly LoadedVariant[]): ServedVariant[] {
  return variants.map(({ name, model, version, modelUri, weight }) => ({ name, model, version, modelUri, weight }));
}
