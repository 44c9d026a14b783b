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
 * The rows a request brings, or undefined when its feeds disagree on the row
 * count (it is then run alone). Which requests stack is stackable()'s question.
 */
export function batchRowsOf(feeds: NamedTensors, inputOrder: readonly string[]): number | undefined {
  let rows: number | undefined;
  for (const name of inputOrder) {
    const t = feeds[name];
    if (!t || t.dims.length === 0) return undefined;
    if (rows === undefined) rows = t.dims[0];
    else if (t.dims[0] !== rows) return undefined;
  }
  return rows === undefined || rows === 0 ? undefined : rows;
}

/**
 * Whether two requests' feeds can be stacked: the same element types and the
 * same trailing dimensions in every input. Compared in place rather than through
 * a key string, which every request would have to build.
 */
export function stackable(a: NamedTensors, b: NamedTensors, inputOrder: readonly string[]): boolean {
  for (const name of inputOrder) {
    const x = a[name];
    const y = b[name];
    if (x.type !== y.type || x.dims.length !== y.dims.length) return false;
    for (let d = 1; d < x.dims.length; d++) if (x.dims[d] !== y.dims[d]) return false;
  }
  return true;
}
