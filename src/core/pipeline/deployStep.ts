import type { KeyValue } from '../tracking/types';
import type { DeploySpec, PipelineFile } from './pipelineTypes';
import type { StepResult } from './runPipeline';
import type { StepProcessHost } from './stepProcess';

export interface DeployStepOutcome {
  failed: boolean;
  reason: string;
  lines: string[];
  tags: KeyValue[];
}

/**
 * A deploy step: serves models:/MODEL@ALIAS (champion by default) as the champion
 * of its deployment through the backend, which redeploys a running deployment in
 * place (no request dropped) or starts it. After a register step whose gate did
 * not hold it deploys nothing: the gate said this model is not good enough.
 */
export async function deployStep(spec: DeploySpec, step: string, pipeline: PipelineFile, results: ReadonlyMap<string, StepResult>, host: StepProcessHost): Promise<DeployStepOutcome> {
  const alias = spec.alias ?? 'champion';
  const modelUri = `models:/${spec.model}@${alias}`;
  const deployment = spec.deployment ?? spec.model;
  const tags: KeyValue[] = [
    { key: 'mlops.deploy.deployment', value: deployment },
    { key: 'mlops.deploy.modelUri', value: modelUri },
  ];
  const heldBack = upstreamRegisterSteps(step, pipeline).find((s) => results.get(s)?.registered === false);
  if (heldBack) {
    const reason = `not deployed: register step ${heldBack}'s gate did not hold`;
    tags.push({ key: 'mlops.deploy.decision', value: 'skipped' }, { key: 'mlops.deploy.reason', value: reason });
    return { failed: false, reason, lines: [reason], tags };
  }
  if (!host.deploy) {
    const reason = 'deploy steps need the workspace backend (run the pipeline with mlops pipeline run)';
    return { failed: true, reason, lines: [reason], tags: [...tags, { key: 'mlops.deploy.decision', value: 'failed' }] };
  }
  try {
    const d = await host.deploy({ deployment, modelUri });
    const reason = `${d.action === 'started' ? 'started' : 'redeployed'} deployment ${deployment} at ${d.url}: ${modelUri} is ${d.model} v${d.version}`;
    tags.push(
      { key: 'mlops.deploy.decision', value: d.action },
      { key: 'mlops.deploy.version', value: d.version },
      { key: 'mlops.deploy.url', value: d.url },
      { key: 'mlops.deploy.reason', value: reason },
    );
    return { failed: false, reason, lines: [reason], tags };
  } catch (err) {
    const reason = `could not deploy ${modelUri} as ${deployment}: ${(err as Error).message}`;
    tags.push({ key: 'mlops.deploy.decision', value: 'failed' }, { key: 'mlops.deploy.reason', value: reason.slice(0, 5000) });
    return { failed: true, reason, lines: [reason], tags };
  }
}

/** The register steps a step needs, directly or through other steps. */
function upstreamRegisterSteps(step: string, pipeline: PipelineFile): string[] {
  const seen = new Set<string>();
  const walk = (s: string): void => {
    for (const n of pipeline.steps[s]?.needs ?? []) {
      if (seen.has(n)) continue;
      seen.add(n);
      walk(n);
    }
  };
  walk(step);
  return [...seen].filter((s) => pipeline.steps[s]?.register !== undefined);
}
