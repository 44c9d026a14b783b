// Where a deployment's reference data set is: a workspace file the spec names, or
// ("training") the CSV logged as the training data set of the run that made the
// champion's model version. Either it is found, or monitoring is off and the
// message says what to give.
import { existsSync } from 'node:fs';
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import { findRunDatasetFile } from '../../core/registry/runDataset';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { workspaceFile } from '../workspaceFile';

export type ReferenceLocation = { ok: true; file: string; source: string } | { ok: false; message: string };

export function locateReference(o: { registry: ModelRegistry; tracking: TrackingStore; workspace: string; reference: string; model: string; version: string }): ReferenceLocation {
  if (o.reference === 'training') {
    const version = o.registry.resolveModelUri(`models:/${o.model}/${o.version}`);
    const how = 'log it in the training script with mw.log_dataset("train.csv", context="training"), or serve with --reference FILE';
    if (!version.runId) return { ok: false, message: `No reference data set: ${o.model}/${o.version} was registered without a run, so it has no training data set; ${how}.` };
    const found = findRunDatasetFile(o.tracking, version.runId);
    if (!found) return { ok: false, message: `No reference data set: run ${version.runId.slice(0, 8)}, which made ${o.model}/${o.version}, logged no training CSV; ${how}.` };
    return { ok: true, file: found.file, source: `training data set '${found.dataset}' (${found.path}) of run ${version.runId.slice(0, 8)}` };
  }
  return locateReferenceFile(o.workspace, o.reference);
}

/** A reference named as a file: in the workspace and there (the backend checks this before it starts a deployment). */
export function locateReferenceFile(workspace: string, reference: string): ReferenceLocation {
  const located = workspaceFile(workspace, reference);
  if (!located.ok) return { ok: false, message: `The reference ${reference} ${located.why === 'outside' ? 'is outside the workspace' : 'links outside the workspace'} (${workspace}); give a data set file in the workspace.` };
  if (!existsSync(located.path)) return { ok: false, message: `The reference ${reference} does not exist (looked for ${located.path}).` };
  return { ok: true, file: located.path, source: reference };
}
