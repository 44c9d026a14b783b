// Whether a model's first dimension is a batch dimension, i.e. whether rows of
// different requests may be stacked into one run and split back. Only when every
// input and every output starts with the same symbolic dimension (skl2onnx's
// [N, 4] -> [N, 1]): a fixed first dimension (an input of [1, 3, 224, 224]) cannot
// grow, an unknown one says nothing, and a symbolic one the outputs do not share
// (a sequence length, a reduction over rows) would mix requests' rows together.
import type { ServingSignature } from './modelSession';
import type { NamedTensors } from './tensorTypes';

/** The batch dimension's name, or undefined when the model must not be batched. */
export function batchDimensionOf(signature: ServingSignature): string | undefined {
  const first = signature.inputs[0]?.shape[0];
  if (typeof first !== 'string') return undefined;
  const all = [...signature.inputs, ...signature.outputs];
  return all.every((t) => t.shape.length > 0 && t.shape[0] === first) ? first : undefined;
}

/**
 * The rows a request brings and the key of the requests it can be stacked with
 * (same types and same trailing dimensions in every input); undefined when the
 * feeds disagree on the row count, so the request is run alone.
 */
export function batchKeyOf(feeds: NamedTensors, inputOrder: readonly string[]): { rows: number; key: string } | undefined {
  let rows: number | undefined;
  const parts: string[] = [];
  for (const name of inputOrder) {
    const t = feeds[name];
    if (!t || t.dims.length === 0) return undefined;
    if (rows === undefined) rows = t.dims[0];
    else if (t.dims[0] !== rows) return undefined;
    parts.push(`${t.type}[${t.dims.slice(1).join(',')}]`);
  }
  if (rows === undefined || rows === 0) return undefined;
  return { rows, key: parts.join(';') };
}
