// The registry's real inspector (see modelInspector.ts for the seam): what a new
// version's files are, read now so a model that cannot be served is refused at
// registration rather than at deploy time.
//
// - A bare ONNX file (or a folder with one and no MLmodel): onnxruntime reads its
//   signature, or the registration is refused with onnxruntime's reason. It is
//   servable, and an MLmodel is generated beside it so MLflow clients can load
//   the version (`mlflow.pyfunc.load_model("models:/name/1")`).
// - An MLflow model folder (an MLmodel plus files): the MLmodel is parsed; with an
//   onnx flavor, the file it names is read by onnxruntime the same way and the
//   version is servable; without one, it is stored as an MLflow model that we
//   cannot serve.
// - Anything else is stored as 'other', not servable.
//
// The feature schema (names of the single tensor input's columns), first found of:
// --features (refused if it does not fit), the MLmodel's own feature metadata, the
// MLmodel's column signature, the CSV of a data set logged with the source run
// (runDataset.ts). The derived ones are best effort: one that does not fit the
// input is skipped, never a reason to refuse the model.
import { readFile } from 'node:fs/promises';
import { StoreError } from '../store/storeErrors';
import { FeatureSchemaError, featureSchemaFromCli, featureSchemaFromColumns, featureSchemaFromCsv, parseCsvRows, type FeatureSchema } from './featureSchema';
import { MlmodelError, mlmodelForOnnx, parseMlmodel, type ParsedMlmodel } from './mlmodel';
import type { InspectModel, InspectedFile, ModelInspection, ModelInspectionInput } from './modelInspector';
import { ModelLoadError, isOnnxFile, readOnnxSignature, type OnnxSignature, type TensorSpec } from './onnxSignature';

/** Columns a data set carries besides the model's inputs, dropped when the CSV has exactly one column too many. */
const TARGET_COLUMNS = ['target', 'label', 'labels', 'y', 'class', 'outcome'];

const refuse = (message: string) => new StoreError('INVALID_PARAMETER_VALUE', message);

export const inspectOnnxModel: InspectModel = async (input) => {
  const mlmodel = input.files.find((f) => f.path === 'MLmodel');
  if (mlmodel) return inspectMlflowModel(input, mlmodel);

  const { primary } = input;
  // The .onnx extension is a claim: a file making it must load. A file without it
  // that merely looks like ONNX (e.g. "model") is tried, and stays 'other' if it fails.
  const claimsOnnx = primary.path.toLowerCase().endsWith('.onnx');
  if (!claimsOnnx && !(await isOnnxFile(primary.localPath))) return other(input);
  let signature: OnnxSignature;
  try {
    signature = await readOnnxSignature(primary.localPath);
  } catch (err) {
    if (err instanceof ModelLoadError && !claimsOnnx) return other(input);
    throw loadRefusal(primary.path, err);
  }
  const features = await chooseFeatures(input, signature);
  const mlmodelText = mlmodelForOnnx(primary.path, signature, features, { runId: input.runId, modelSizeBytes: primary.size });
  return { format: 'onnx', servable: true, signature, ...(features ? { features } : {}), extraFiles: [{ path: 'MLmodel', content: mlmodelText }] };
};

async function inspectMlflowModel(input: ModelInspectionInput, mlmodelFile: InspectedFile): Promise<ModelInspection> {
  let parsed: ParsedMlmodel;
  try {
    parsed = parseMlmodel(await readFile(mlmodelFile.localPath, 'utf8'));
  } catch (err) {
    if (err instanceof MlmodelError) throw refuse(`The model folder's ${err.message}`);
    throw err;
  }
  if (parsed.onnxFile === undefined) {
    if (input.featuresSpec) throw featuresNeedOnnx(`the MLmodel has no onnx flavor (flavors: ${Object.keys(parsed.flavors).join(', ')})`);
    return { format: 'mlflow-model', servable: false, signature: null };
  }
  const wanted = parsed.onnxFile.replace(/^\.\//, '').replace(/\\/g, '/');
  const onnxFile = input.files.find((f) => f.path === wanted);
  if (!onnxFile) {
    throw refuse(`The MLmodel's onnx flavor names the model file '${parsed.onnxFile}', but the model folder has no such file (it has ${input.files.map((f) => f.path).join(', ')}).`);
  }
  let signature: OnnxSignature;
  try {
    signature = await readOnnxSignature(onnxFile.localPath);
  } catch (err) {
    throw loadRefusal(onnxFile.path, err);
  }
  const features = await chooseFeatures(input, signature, parsed);
  // Not a folder, yet an MLmodel: a copy (models:/...) of a bare .onnx version with the MLmodel generated for it.
  const format = input.isDirectory ? 'mlflow-model' : 'onnx';
  return { format, servable: true, signature, primaryPath: onnxFile.path, ...(features ? { features } : {}) };
}

async function other(input: ModelInspectionInput): Promise<ModelInspection> {
  if (input.featuresSpec) throw featuresNeedOnnx(`${input.primary.path} is not an ONNX model`);
  return { format: 'other', servable: false, signature: null };
}

function featuresNeedOnnx(why: string): StoreError {
  return refuse(`Features name the columns of an ONNX model's input, but ${why}; register without features.`);
}

/** onnxruntime's reason, naming the file by its place in the version (not the blob it is stored as). */
function loadRefusal(path: string, err: unknown): StoreError {
  if (err instanceof ModelLoadError) return refuse(`${path} is not a loadable ONNX model: ${err.reason}`);
  return refuse(`${path} could not be read as an ONNX model: ${(err as Error)?.message ?? String(err)}`);
}

async function chooseFeatures(input: ModelInspectionInput, signature: OnnxSignature, mlmodel?: ParsedMlmodel): Promise<FeatureSchema | undefined> {
  const single: TensorSpec | undefined = signature.inputs.length === 1 ? signature.inputs[0] : undefined;
  if (input.featuresSpec !== undefined) {
    if (!single) {
      throw refuse(
        `Features name the columns of a model's single input, but this model has ${signature.inputs.length} inputs (${signature.inputs.map((i) => i.name).join(', ')}).`,
      );
    }
    try {
      return featureSchemaFromCli(input.featuresSpec, single);
    } catch (err) {
      if (err instanceof FeatureSchemaError) throw refuse(`Invalid features: ${err.message}.`);
      throw err;
    }
  }
  if (!single) return undefined;
  if (mlmodel?.features) {
    const width = single.shape[1];
    const fits = mlmodel.features.input === single.name && single.shape.length === 2 && (typeof width !== 'number' || width === mlmodel.features.features.length);
    if (fits) return mlmodel.features;
  }
  const columns = mlmodel?.signature?.inputs.kind === 'column' ? mlmodel.signature.inputs.columns : undefined;
  if (columns) {
    const fromColumns = bestEffort(() => featureSchemaFromColumns(columns, single));
    if (fromColumns) return fromColumns;
  }
  const csv = await input.runDatasetCsv?.().catch(() => undefined);
  if (csv) return bestEffort(() => featureSchemaFromCsvDropTarget(csv.text, single));
  return undefined;
}

function bestEffort(derive: () => FeatureSchema): FeatureSchema | undefined {
  try {
    return derive();
  } catch (err) {
    if (err instanceof FeatureSchemaError) return undefined;
    throw err;
  }
}

/** All columns when they fit; with one column too many, the target (by a usual name, else the last column) is dropped. */
function featureSchemaFromCsvDropTarget(text: string, input: TensorSpec): FeatureSchema {
  try {
    return featureSchemaFromCsv(text, input);
  } catch (err) {
    const width = input.shape[1];
    const header = (parseCsvRows(text, 1)[0] ?? []).map((h) => h.trim());
    if (!(err instanceof FeatureSchemaError) || typeof width !== 'number' || header.length !== width + 1) throw err;
    const target = header.find((h) => TARGET_COLUMNS.includes(h.toLowerCase())) ?? header[header.length - 1];
    return featureSchemaFromCsv(text, input, { exclude: [target] });
  }
}
