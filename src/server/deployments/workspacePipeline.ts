// Which file the backend runs when a spec (monitoring.onDrift) or a request
// (POST …/retrain) names a pipeline. Running a file is running a shell: anyone
// with the workspace token can put bytes under .mlops/ (an uploaded artifact lands
// there as a blob), so only the workspace's own pipeline files run, judged by
// where they really are, after symlinks.
import { realpathSync, statSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import { workspaceFile } from '../workspaceFile';

const PIPELINE_FILE = /\.pipeline\.ya?ml$/i;

export type PipelineLocation = { ok: true; path: string } | { ok: false; message: string };

/** A pipeline named by a spec or a request, resolved in the workspace, or why it may not run. */
export function locatePipeline(workspace: string, pipeline: string): PipelineLocation {
  const refuse = (message: string): PipelineLocation => ({ ok: false, message });
  const located = workspaceFile(workspace, pipeline);
  if (!located.ok) return refuse(`The pipeline ${pipeline} is ${located.why === 'outside' ? 'outside the workspace' : 'a link outside the workspace'} (${workspace}); only workspace pipelines run.`);
  if (inStoreFolder(relative(workspace, located.path))) return refuse(`The pipeline ${pipeline} is inside .mlops/, the store's own folder (uploaded artifacts land there); only the workspace's pipeline files run.`);
  if (!PIPELINE_FILE.test(basename(located.path))) return refuse(`The pipeline ${pipeline} is not a pipeline file: only *.pipeline.yaml or *.pipeline.yml files run.`);
  let real: string;
  try {
    if (!statSync(located.path).isFile()) return refuse(`The pipeline ${pipeline} is not a file (looked for ${located.path}).`);
    real = realpathSync(located.path);
  } catch {
    return refuse(`The pipeline ${pipeline} does not exist (looked for ${located.path}).`);
  }
  // A link with a pipeline's name may point at a blob or any other file.
  const realInWorkspace = relative(realpathSync(workspace), real);
  if (inStoreFolder(realInWorkspace)) return refuse(`The pipeline ${pipeline} links to ${realInWorkspace}, inside .mlops/, the store's own folder; only the workspace's pipeline files run.`);
  if (!PIPELINE_FILE.test(basename(real))) return refuse(`The pipeline ${pipeline} links to ${realInWorkspace}, which is not a pipeline file: only *.pipeline.yaml or *.pipeline.yml files run.`);
  return located;
}

/** Whether a workspace-relative path goes through a .mlops folder (this store's, or a nested workspace's). */
function inStoreFolder(relativePath: string): boolean {
  return relativePath.split(sep).some((segment) => segment.toLowerCase() === '.mlops');
}
