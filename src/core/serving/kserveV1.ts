// KServe v1 (TensorFlow Serving's row format): POST /v1/models/{name}:predict with
// {"instances": [...]} -> {"predictions": [...]}, one prediction per instance: the
// output's row for a single-output model, else an object of each output's row.
import type { ServingSignature } from './modelSession';
import { asResult, RequestError, type ServingResult } from './servingResult';
import { instancesToFeeds } from './tensorInput';
import type { NamedTensors } from './tensorTypes';
import { nestedValuesOf } from './tensorValues';

export function decodeV1Predict(body: unknown, signature: ServingSignature): ServingResult<NamedTensors> {
  return asResult(() => {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray((body as { instances?: unknown }).instances)) {
      throw new RequestError('The body must be a JSON object {"instances": [...]}, one instance per row.');
    }
    return instancesToFeeds((body as { instances: unknown[] }).instances, signature);
  });
}

export function encodeV1Predictions(results: NamedTensors): { predictions: unknown[] } {
  const names = Object.keys(results);
  const perOutput = names.map((n) => {
    const nested = nestedValuesOf(results[n]);
    return Array.isArray(nested) ? nested : [nested];
  });
  if (names.length === 1) return { predictions: perOutput[0] };
  const rows = perOutput[0].length;
  return { predictions: Array.from({ length: rows }, (_, r) => Object.fromEntries(names.map((n, i) => [n, perOutput[i][r]]))) };
}
