// MLflow's MLmodel file for ONNX models: written so an unmodified MLflow client can
// load a model registered here (`mlflow.pyfunc.load_model`, `mlflow models serve`),
// and read so a model logged by `mlflow.onnx.log_model` registers with its signature.
// The format is MLflow's: YAML with keys sorted (MLflow writes with PyYAML's
// safe_dump), signature schemas as JSON strings inside the YAML.
import { randomUUID } from 'node:crypto';
import { LineCounter, parseDocument, stringify, type Document } from 'yaml';
import type { FeatureSchema } from './featureSchema';
import type { OnnxSignature, TensorSpec } from './onnxSignature';

/** The MLflow release whose MLmodel layout this writes; MLflow clients only warn on a mismatch. */
export const MLFLOW_COMPAT_VERSION = '2.16.2';
/** Written as onnx_version when the caller does not know which onnx wrote the file. */
export const DEFAULT_ONNX_VERSION = '1.16.0';
/** Key under the MLmodel's free-form `metadata` that carries our feature schema. */
export const FEATURES_METADATA_KEY = 'mlops_feature_schema';

export class MlmodelError extends Error {
  override readonly name = 'MlmodelError';
  constructor(
    message: string,
    /** 1-based line in the MLmodel text, when the problem has one. */
    readonly line?: number,
  ) {
    super(line !== undefined ? `MLmodel line ${line}: ${message}` : `MLmodel: ${message}`);
  }
}

// ---------------------------------------------------------------------------
// Element types: ours (onnxruntime's names) <-> MLflow tensor-spec dtypes (numpy's
// names) and MLflow column types.

/** numpy spells most types as onnxruntime does; strings are object arrays in MLflow's ONNX flavor. */
const TO_NUMPY: Record<string, string> = { string: 'object' };
const FROM_NUMPY: Record<string, string> = { object: 'string', str: 'string', '<U0': 'string', bytes: 'string', '|S0': 'string' };

/** MLflow ColSpec types (mlflow.types.DataType) and the tensor element type each is read into. */
const COLUMN_TYPES: Record<string, string> = {
  boolean: 'bool',
  integer: 'int32',
  long: 'int64',
  float: 'float32',
  double: 'float64',
  string: 'string',
  binary: 'binary',
  datetime: 'datetime',
};

// ---------------------------------------------------------------------------
// Writing

export interface MlmodelOptions {
  runId?: string;
  artifactPath?: string;
  onnxVersion?: string;
  pythonVersion?: string;
  modelSizeBytes?: number;
  /** Fixed in tests; a fresh uuid4 hex otherwise. */
  modelUuid?: string;
  now?: Date;
}

/** MLflow's tensor-spec: symbolic and unknown dimensions are both -1 (MLflow keeps no names). */
function tensorSpecJson(specs: TensorSpec[]): string {
  return pythonJson(
    specs.map((s) => ({
      type: 'tensor',
      'tensor-spec': { dtype: TO_NUMPY[s.elementType] ?? s.elementType, shape: s.shape.map((d) => (typeof d === 'number' ? d : -1)) },
      name: s.name,
    })),
  );
}

/** JSON with Python json.dumps's separators (", " and ": "), so the file diffs cleanly against MLflow's. */
function pythonJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pythonJson(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

/** MLflow's utc_time_created: 'YYYY-MM-DD HH:MM:SS.ffffff'. */
function mlflowTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '000');
}

/**
 * The MLmodel text `mlflow.onnx.log_model` would write for `fileName` (e.g. 'model.onnx')
 * with `signature`. No conda/virtualenv files are written beside it, so
 * python_function names no `env` (`mlflow models serve --env-manager local` works).
 */
export function mlmodelForOnnx(fileName: string, signature: OnnxSignature, features?: FeatureSchema, options: MlmodelOptions = {}): string {
  const pythonFunction: Record<string, unknown> = { data: fileName, loader_module: 'mlflow.onnx' };
  if (options.pythonVersion) pythonFunction.python_version = options.pythonVersion;
  const doc: Record<string, unknown> = {
    flavors: {
      onnx: {
        code: null,
        data: fileName,
        onnx_session_options: null,
        onnx_version: options.onnxVersion ?? DEFAULT_ONNX_VERSION,
        // mlflow.onnx's default; onnxruntime skips providers it does not have.
        providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
      },
      python_function: pythonFunction,
    },
    mlflow_version: MLFLOW_COMPAT_VERSION,
    model_uuid: options.modelUuid ?? randomUUID().replace(/-/g, ''),
    signature: {
      inputs: tensorSpecJson(signature.inputs),
      // MLflow writes null for a signature without outputs; an empty list would not read back.
      outputs: signature.outputs.length ? tensorSpecJson(signature.outputs) : null,
      params: null,
    },
    utc_time_created: mlflowTime(options.now ?? new Date()),
  };
  if (options.artifactPath) doc.artifact_path = options.artifactPath;
  if (options.runId) doc.run_id = options.runId;
  if (options.modelSizeBytes !== undefined) doc.model_size_bytes = options.modelSizeBytes;
  if (features) doc.metadata = { [FEATURES_METADATA_KEY]: features };
  // PyYAML's layout: sorted keys, sequences not indented under their key.
  return stringify(doc, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

// ---------------------------------------------------------------------------
// Reading

export interface ColumnSpec {
  /** MLflow allows unnamed columns; feature names need names. */
  name?: string;
  /** Our element type ('float64', 'int64', 'string', ...). */
  elementType: string;
  /** MLflow's own type ('double', 'long', ...). */
  mlflowType: string;
  required: boolean;
}

/** One side of an MLflow signature: all tensors or all columns (MLflow forbids a mix). */
export type SignatureSchema = { kind: 'tensor'; tensors: TensorSpec[] } | { kind: 'column'; columns: ColumnSpec[] };

export interface MlmodelSignature {
  inputs: SignatureSchema;
  outputs?: SignatureSchema;
}

export interface ParsedMlmodel {
  flavors: Record<string, Record<string, unknown>>;
  /** The ONNX file, relative to the model folder: the onnx flavor's data (or python_function's, for loader mlflow.onnx). */
  onnxFile?: string;
  signature?: MlmodelSignature;
  features?: FeatureSchema;
  modelUuid?: string;
  runId?: string;
  artifactPath?: string;
  mlflowVersion?: string;
  utcTimeCreated?: string;
}

/** The line where the value at `path` starts, for errors about it. */
function lineOf(doc: Document, lines: LineCounter, path: string[]): number | undefined {
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  return node?.range ? lines.linePos(node.range[0]).line : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseMlmodel(yamlText: string): ParsedMlmodel {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new MlmodelError(`not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, e.linePos?.[0].line);
  }
  let root: unknown;
  try {
    // MLflow writes no anchors at all: a few are tolerated, a YAML bomb ("billion laughs") is not.
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof ReferenceError) throw new MlmodelError('YAML expands its anchors (&name / *name) into too many copies; MLflow writes none: write the values out');
    throw err;
  }
  if (!isRecord(root)) throw new MlmodelError('expected a mapping of keys (flavors, signature, ...), as MLflow writes');
  const fail = (path: string[], message: string): never => {
    throw new MlmodelError(message, lineOf(doc, lines, path));
  };

  if (!isRecord(root.flavors) || Object.keys(root.flavors).length === 0) fail(['flavors'], 'no flavors: an MLmodel file lists at least one under "flavors:"');
  const flavors = root.flavors as Record<string, unknown>;
  for (const [name, value] of Object.entries(flavors)) {
    if (!isRecord(value)) fail(['flavors', name], `flavor "${name}" should be a mapping of its settings`);
  }

  const result: ParsedMlmodel = { flavors: flavors as Record<string, Record<string, unknown>> };
  const onnx = result.flavors.onnx;
  const pyfunc = result.flavors.python_function;
  const onnxPath = onnx?.data !== undefined ? ['flavors', 'onnx', 'data'] : pyfunc?.loader_module === 'mlflow.onnx' ? ['flavors', 'python_function', 'data'] : undefined;
  if (onnxPath) {
    const data = doc.getIn(onnxPath);
    if (typeof data !== 'string' || data === '') fail(onnxPath, 'the model file should be a file name such as model.onnx');
    // The registry resolves it inside the model's folder: never let it point elsewhere.
    if (/^([/\\]|[A-Za-z]:)/.test(data as string) || (data as string).split(/[/\\]/).includes('..')) {
      fail(onnxPath, `the model file "${data}" must be a path inside the model folder`);
    }
    result.onnxFile = data as string;
  }

  if (root.signature !== undefined && root.signature !== null) {
    if (!isRecord(root.signature)) fail(['signature'], 'signature should be a mapping with inputs and outputs');
    const sig = root.signature as Record<string, unknown>;
    if (sig.inputs === undefined || sig.inputs === null) fail(['signature'], 'signature has no inputs');
    const inputs = parseSchema(sig.inputs, (m) => fail(['signature', 'inputs'], `signature inputs: ${m}`));
    const outputs =
      sig.outputs === undefined || sig.outputs === null ? undefined : parseSchema(sig.outputs, (m) => fail(['signature', 'outputs'], `signature outputs: ${m}`));
    result.signature = outputs ? { inputs, outputs } : { inputs };
  }

  const features = isRecord(root.metadata) ? root.metadata[FEATURES_METADATA_KEY] : undefined;
  if (features !== undefined) result.features = parseFeatures(features, (m) => fail(['metadata', FEATURES_METADATA_KEY], m));

  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const optional: Partial<ParsedMlmodel> = {
    modelUuid: str(root.model_uuid),
    runId: str(root.run_id),
    artifactPath: str(root.artifact_path),
    mlflowVersion: str(root.mlflow_version),
    utcTimeCreated: str(root.utc_time_created),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (result as unknown as Record<string, unknown>)[k] = v;
  return result;
}

/** A schema as MLflow writes it (a JSON string) or as a person might (a YAML list). */
function parseSchema(value: unknown, fail: (message: string) => never): SignatureSchema {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message})`);
    }
  }
  if (!Array.isArray(list) || list.length === 0) fail('expected a non-empty list of specs');
  const items = list as unknown[];
  const isTensor = (x: unknown) => isRecord(x) && x.type === 'tensor';
  if (items.some(isTensor) !== items.every(isTensor)) fail('mixes tensor and column specs, which MLflow does not allow');

  if (items.every(isTensor)) {
    const tensors = items.map((x, i): TensorSpec => {
      const spec = (x as Record<string, unknown>)['tensor-spec'];
      if (!isRecord(spec) || typeof spec.dtype !== 'string' || !Array.isArray(spec.shape)) {
        fail(`tensor ${i + 1} needs "tensor-spec": {"dtype": ..., "shape": [...]}`);
      }
      const { dtype, shape } = spec as { dtype: string; shape: unknown[] };
      if (!shape.every((d) => Number.isInteger(d) && (d as number) >= -1)) fail(`tensor ${i + 1}: shape should list integers, -1 for a variable dimension`);
      const name = (x as Record<string, unknown>).name;
      return {
        // MLflow allows one unnamed tensor: the model's only input, whatever its name.
        name: typeof name === 'string' ? name : '',
        elementType: FROM_NUMPY[dtype] ?? dtype,
        shape: (shape as number[]).map((d) => (d === -1 ? null : d)),
      };
    });
    return { kind: 'tensor', tensors };
  }

  const columns = items.map((x, i): ColumnSpec => {
    if (!isRecord(x) || typeof x.type !== 'string') fail(`column ${i + 1} needs a "type" (double, long, string, ...)`);
    const c = x as Record<string, unknown>;
    const column: ColumnSpec = {
      elementType: COLUMN_TYPES[c.type as string] ?? (c.type as string),
      mlflowType: c.type as string,
      required: c.required !== false,
    };
    if (typeof c.name === 'string') column.name = c.name;
    return column;
  });
  return { kind: 'column', columns };
}

/** Our own metadata: checked by hand, since core does not use the protocol's zod schemas. */
function parseFeatures(value: unknown, fail: (message: string) => never): FeatureSchema {
  if (!isRecord(value) || typeof value.input !== 'string' || !Array.isArray(value.features)) {
    fail('the feature schema needs "input" and a list of "features"');
  }
  const v = value as { input: string; features: unknown[] };
  const features = v.features.map((f, i) => {
    if (!isRecord(f) || typeof f.name !== 'string' || typeof f.categorical !== 'boolean') fail(`feature ${i + 1} needs a name and categorical: true/false`);
    const ff = f as { name: string; categorical: boolean; index?: unknown };
    if (ff.index !== undefined && ff.index !== i) fail(`feature "${ff.name}" has index ${String(ff.index)}, expected ${i}`);
    return { name: ff.name, categorical: ff.categorical, index: i };
  });
  return { input: v.input, features };
}
