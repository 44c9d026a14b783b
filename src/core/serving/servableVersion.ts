import type { ModelVersion } from '../registry/types';

/**
 * Why a registered version cannot be served (not READY, not an ONNX model file);
 * undefined when it can. The backend asks before it starts a deployment, the
 * deployment process again before it loads the file.
 */
export function servingProblem(uri: string, version: ModelVersion): string | undefined {
  if (version.status !== 'READY') return `${uri} is model version ${version.name}/${version.version}, which is ${version.status}, not READY.`;
  if (!version.servable) return `${uri} is model version ${version.name}/${version.version} (${version.format}), which cannot be served: only ONNX model files are.`;
  return undefined;
}
