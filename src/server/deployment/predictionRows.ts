// One prediction per input row, read back from a protocol's response body, so
// feedback can be matched to what the model said. Only single-output answers
// qualify: with several outputs (label + probabilities) there is no one value
// to hold a label against.
import type { Protocol } from './deploymentMetrics';

export type Prediction = number | boolean | string | number[];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asPrediction(value: unknown): Prediction | undefined {
  if (Array.isArray(value)) {
    if (value.length === 1) return asPrediction(value[0]);
    return value.every((x) => typeof x === 'number') ? (value as number[]) : undefined;
  }
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? value : undefined;
}

function allPredictions(values: unknown[]): Prediction[] | undefined {
  const out = values.map(asPrediction);
  return out.every((p) => p !== undefined) ? (out as Prediction[]) : undefined;
}

export function predictionRows(protocol: Protocol, body: unknown): Prediction[] | undefined {
  if (!isRecord(body)) return undefined;
  if (protocol === 'oip') {
    const outputs = body.outputs;
    if (!Array.isArray(outputs) || outputs.length !== 1) return undefined;
    const { shape, data } = outputs[0] as { shape: number[]; data: unknown[] };
    const rows = shape.length ? shape[0] : 1;
    if (rows === 0) return [];
    const width = data.length / rows;
    return allPredictions(Array.from({ length: rows }, (_, r) => (width === 1 ? data[r] : data.slice(r * width, (r + 1) * width))));
  }
  const predictions = body.predictions;
  if (isRecord(predictions)) {
    // MLflow's tensor-input answer: {output: rows}.
    const names = Object.keys(predictions);
    return names.length === 1 && Array.isArray(predictions[names[0]]) ? allPredictions(predictions[names[0]] as unknown[]) : undefined;
  }
  if (!Array.isArray(predictions)) return undefined;
  if (predictions.every(isRecord)) {
    // Records (MLflow DataFrame answer, KServe v1 with several outputs): one key each, or not single-output.
    const values = predictions.map((p) => (Object.keys(p).length === 1 ? Object.values(p)[0] : undefined));
    return values.some((v) => v === undefined) ? undefined : allPredictions(values);
  }
  return allPredictions(predictions);
}
