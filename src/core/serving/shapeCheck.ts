// A request's tensor shape against the model's: the rank must match, fixed
// dimensions are enforced, symbolic ones are free but bind to one value across all
// inputs of a request (x [batch, 3] and count [batch, 1] must agree on batch),
// and unknown ones are free.
import { RequestError } from './servingResult';
import type { ServingTensorSpec } from './modelSession';

export const formatShape = (shape: readonly (number | string | null)[]) => `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;

/** `bindings` carries the symbolic dimensions bound so far by the request's other inputs. */
export function checkShape(spec: ServingTensorSpec, dims: readonly number[], bindings: Map<string, { value: number; input: string }>): void {
  // Messages are built only on failure: this runs for every input of every request.
  const expected = () => `${spec.name} expects shape ${formatShape(spec.shape)}`;
  if (dims.length !== spec.shape.length) {
    throw new RequestError(`Wrong shape for input ${spec.name}: got ${formatShape(dims)} (${dims.length} dimensions), but ${expected()} (${spec.shape.length} dimensions).`);
  }
  for (let i = 0; i < dims.length; i++) {
    const want = spec.shape[i];
    const got = dims[i];
    if (typeof want === 'number' && got !== want) {
      throw new RequestError(`Wrong shape for input ${spec.name}: got ${formatShape(dims)}, but ${expected()}; dimension ${i} must be ${want}.`);
    }
    if (typeof want === 'string') {
      const bound = bindings.get(want);
      if (bound && bound.value !== got) {
        throw new RequestError(
          `Wrong shape for input ${spec.name}: its dimension ${i} (${want}) is ${got}, but input ${bound.input} gives ${want} = ${bound.value}; inputs sharing a dimension must agree.`,
        );
      }
      if (!bound) bindings.set(want, { value: got, input: spec.name });
    }
  }
}

export function isDimList(shape: unknown): shape is number[] {
  if (!Array.isArray(shape)) return false;
  for (const d of shape) if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return false;
  return true;
}
