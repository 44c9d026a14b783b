import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { positionOf } from './pipelineSource';
import type { PipelineDiagnostic, PipelineFile } from './pipelineTypes';

/**
 * Deps that do not exist, at their list items (when the pipeline came from
 * parsePipelineFile). Separate from parsing because it reads the disk; a dep
 * that some step lists in its outs is not missing, the run will make it.
 */
export function checkDeps(pipeline: PipelineFile, folder: string): PipelineDiagnostic[] {
  const trim = (p: string): string => p.replace(/^\.\//, '').replace(/\/+$/, '');
  const outs = new Set(Object.values(pipeline.steps).flatMap((s) => s.outs ?? []).map(trim));
  const diagnostics: PipelineDiagnostic[] = [];
  for (const [name, step] of Object.entries(pipeline.steps)) {
    (step.deps ?? []).forEach((dep, i) => {
      if (outs.has(trim(dep)) || existsSync(isAbsolute(dep) ? dep : resolve(folder, dep))) return;
      diagnostics.push({
        message: `step "${name}" depends on "${dep}", which does not exist and is no step's out`,
        severity: 'error',
        code: 'missing-dep',
        ...positionOf(pipeline, ['steps', name, 'deps', i]),
      });
    });
  }
  return diagnostics;
}
