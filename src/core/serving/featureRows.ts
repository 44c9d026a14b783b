// What monitoring reads from a served request: its rows as named feature values,
// and one prediction per row. A single tensor input [N, W] is named column by
// column through the version's feature schema; models whose inputs are each one
// column ([N] or [N, 1]) name their features by input. The prediction is the
// positive-class probability of a [N, 2] probabilities output, else the first
// output holding one number per row.
import type { FeatureSchema } from '../registry/featureSchema';
import type { ServingTensorSpec } from './modelSession';
import { allocate, type ElementType, type NamedTensors, type TensorData } from './tensorTypes';

export interface FeatureRows {
  rows: number;
  /** Row-major rows × names.length. */
  values: Float64Array;
  /** One per row, or undefined when the model has no single numeric output. */
  predictions: Float64Array | undefined;
}

export interface FeatureLayout {
  names: string[];
  categorical: boolean[];
  /** Reads a request's rows; undefined when the tensors do not have the expected layout. */
  read(feeds: NamedTensors, results: NamedTensors): FeatureRows | undefined;
  /** The model's inputs for rows of feature values (row-major), e.g. to predict on a reference. */
  feeds(values: Float64Array, rows: number): NamedTensors;
}

const NUMERIC = new Set(['bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float32', 'float64']);
const PROBABILITY_NAME = /^(probabilities|probability|output_probability|probs?)$/i;

function numberAt(data: TensorData, i: number): number {
  const v = data[i];
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN;
}

/** One prediction per row from the results, following the rule above. */
function readPredictions(outputs: readonly ServingTensorSpec[], results: NamedTensors, rows: number): Float64Array | undefined {
  const byName = outputs.map((o) => results[o.name]).filter((t) => t !== undefined && NUMERIC.has(t.type));
  const probability = outputs.find((o) => PROBABILITY_NAME.test(o.name));
  const probabilities = probability && results[probability.name];
  if (probabilities && NUMERIC.has(probabilities.type) && probabilities.dims.length === 2 && probabilities.dims[0] === rows && probabilities.dims[1] === 2) {
    return Float64Array.from({ length: rows }, (_, r) => numberAt(probabilities.data, r * 2 + 1));
  }
  const single = byName.find((t) => t.dims[0] === rows && t.dims.slice(1).every((d) => d === 1));
  return single ? Float64Array.from({ length: rows }, (_, r) => numberAt(single.data, r)) : undefined;
}

/** A tensor of `type` holding `count` numbers taken by `at(i)`. */
function tensorOf(type: string, dims: number[], count: number, at: (i: number) => number): NamedTensors[string] {
  const data = allocate(type as ElementType, count);
  for (let i = 0; i < count; i++) {
    const v = at(i);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.round(Number.isFinite(v) ? v : 0));
    else (data as Float64Array)[i] = v;
  }
  return { type: type as ElementType, dims, data };
}

export type FeatureLayoutResult = { ok: true; layout: FeatureLayout } | { ok: false; error: string };

export function featureLayout(signature: { inputs: readonly ServingTensorSpec[]; outputs: readonly ServingTensorSpec[] }, features: FeatureSchema | undefined): FeatureLayoutResult {
  const outputs = signature.outputs;
  if (features) {
    const input = signature.inputs.find((i) => i.name === features.input);
    if (!input) return { ok: false, error: `the feature schema names input '${features.input}', which the model does not have` };
    if (!NUMERIC.has(input.type)) return { ok: false, error: `input '${input.name}' holds ${input.type}, not numbers` };
    const ordered = [...features.features].sort((a, b) => a.index - b.index);
    const width = ordered.length;
    return {
      ok: true,
      layout: {
        names: ordered.map((f) => f.name),
        categorical: ordered.map((f) => f.categorical),
        read(feeds, results) {
          const t = feeds[features.input];
          if (!t || t.dims.length !== 2 || t.dims[1] !== width) return undefined;
          const rows = t.dims[0];
          const values = new Float64Array(rows * width);
          for (let i = 0; i < values.length; i++) values[i] = numberAt(t.data, i);
          return { rows, values, predictions: readPredictions(outputs, results, rows) };
        },
        feeds(values, rows) {
          return { [input.name]: tensorOf(input.type, [rows, width], rows * width, (i) => values[i]) };
        },
      },
    };
  }
  const columnar = signature.inputs.every((i) => NUMERIC.has(i.type) && (i.shape.length === 1 || (i.shape.length === 2 && i.shape[1] === 1)));
  if (!columnar) {
    const wide = signature.inputs.find((i) => i.shape.length === 2 && i.shape[1] !== 1);
    return {
      ok: false,
      error: wide
        ? `input '${wide.name}' has ${String(wide.shape[1])} columns and the version has no feature schema to name them: register it with --features (or log the training CSV with the run)`
        : 'the model takes inputs that are not numeric columns',
    };
  }
  const names = signature.inputs.map((i) => i.name);
  return {
    ok: true,
    layout: {
      names,
      categorical: names.map(() => false),
      read(feeds, results) {
        const tensors = names.map((n) => feeds[n]);
        if (tensors.some((t) => !t)) return undefined;
        const rows = tensors[0].dims[0];
        if (tensors.some((t) => t.dims[0] !== rows)) return undefined;
        const values = new Float64Array(rows * names.length);
        for (let r = 0; r < rows; r++) tensors.forEach((t, c) => (values[r * names.length + c] = numberAt(t.data, r)));
        return { rows, values, predictions: readPredictions(outputs, results, rows) };
      },
      feeds(values, rows) {
        const feeds: NamedTensors = {};
        signature.inputs.forEach((input, c) => {
          const dims = input.shape.length === 1 ? [rows] : [rows, 1];
          feeds[input.name] = tensorOf(input.type, dims, rows, (r) => values[r * names.length + c]);
        });
        return feeds;
      },
    },
  };
}
