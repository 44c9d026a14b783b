import type { FeatureSchema } from './featureSchema';
import type { RunDatasetCsv } from './runDataset';
import type { ModelFormat, ModelSignature } from './types';

// The seam between the registry and what model files are. Registration asks an
// `InspectModel` function what a version's files are; it may refuse them (throw)
// before anything is stored. The server and the CLI use the ONNX inspector
// (onnxInspector.ts: signatures read by onnxruntime, generated MLmodel files,
// feature schemas). The default below, for core tests and tools that must not
// load onnxruntime, only looks at file names: a directory with an MLmodel file
// is an 'mlflow-model', a .onnx file is 'onnx', anything else 'other'; it reads
// no signature, stores no features and claims nothing is servable.
// Pass another as `new ModelRegistry(tracking, { inspectModel })`.

export interface InspectedFile {
  /** Relative to the version's root, e.g. 'model.onnx' or 'MLmodel'. */
  path: string;
  /** A readable local copy (a verified blob of the content-addressed store). */
  localPath: string;
  size: number;
}

export interface ModelInspectionInput {
  /** The file chosen as the model itself (see choosePrimaryFile). */
  primary: InspectedFile;
  files: InspectedFile[];
  /** True when the source was a directory (an MLflow model folder, say). */
  isDirectory: boolean;
  /** The features given at registration, as written (`a,b,c:categorical`). */
  featuresSpec?: string;
  /** The run that produced the version, when known. */
  runId?: string;
  /** The CSV of a data set logged with that run (the rule is in runDataset.ts); read only when asked. */
  runDatasetCsv?: () => Promise<RunDatasetCsv | undefined>;
}

export interface ModelInspection {
  format: ModelFormat;
  servable: boolean;
  signature: ModelSignature | null;
  /** The feature schema to store (e.g. featureSchemaFromCli(featuresSpec, signature.inputs[0])); none when undefined. */
  features?: FeatureSchema;
  /** The model file, when the inspector knows better than choosePrimaryFile (an MLmodel names it). */
  primaryPath?: string;
  /** A file to add to the version (e.g. a generated MLmodel for a bare .onnx); content as UTF-8 text. */
  extraFiles?: { path: string; content: string }[];
}

export type InspectModel = (input: ModelInspectionInput) => Promise<ModelInspection>;

/** The default: the format from file names only, no signature, not servable. */
export const inspectByFileName: InspectModel = async ({ primary, files }) => {
  const hasMlmodel = files.some((f) => f.path === 'MLmodel');
  const format: ModelFormat = hasMlmodel ? 'mlflow-model' : primary.path.toLowerCase().endsWith('.onnx') ? 'onnx' : 'other';
  return { format, servable: false, signature: null };
};

// Files of an MLflow model folder that describe the model rather than being it.
const METADATA_FILES = new Set(['MLmodel', 'conda.yaml', 'python_env.yaml', 'requirements.txt', 'input_example.json', 'serving_input_example.json', 'registered_model_meta']);

/**
 * The model file of a version: a single file is itself; in a directory the
 * .onnx file (model.onnx first, else the largest), else the largest file that
 * is not MLflow metadata, else the largest file.
 */
export function choosePrimaryFile<T extends { path: string; size: number }>(files: readonly T[]): T {
  if (files.length === 1) return files[0];
  const largest = (list: readonly T[]) => [...list].sort((a, b) => b.size - a.size || a.path.localeCompare(b.path))[0];
  const onnx = files.filter((f) => f.path.toLowerCase().endsWith('.onnx'));
  if (onnx.length) return onnx.find((f) => f.path === 'model.onnx') ?? largest(onnx);
  const payload = files.filter((f) => !METADATA_FILES.has(f.path.split('/').pop() ?? f.path));
  return largest(payload.length ? payload : files);
}
