// JSON values <-> typed tensor data, shared by every codec (OIP, MLflow, KServe v1):
// the same element rules and the same error messages whichever protocol a value
// came through.
import { float16Bits, float16Value } from './float16';
import { RequestError } from './servingResult';
import { allocate, type ElementType, type TensorData, type TensorValue } from './tensorTypes';

const INT_RANGE: Partial<Record<ElementType, [number, number]>> = {
  uint8: [0, 0xff],
  uint16: [0, 0xffff],
  uint32: [0, 0xffffffff],
  int8: [-0x80, 0x7f],
  int16: [-0x8000, 0x7fff],
  int32: [-0x80000000, 0x7fffffff],
};

const INT64_RANGE = { int64: [-(2n ** 63n), 2n ** 63n - 1n], uint64: [0n, 2n ** 64n - 1n] } as const;

/** JSON has no NaN or infinities; clients (numpy's json, pandas) write them as these strings. */
const SPECIAL_FLOATS: Record<string, number> = { NaN: NaN, nan: NaN, Infinity: Infinity, inf: Infinity, '-Infinity': -Infinity, '-inf': -Infinity };

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === undefined) return 'nothing';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    return 'a value nested too deeply to show'; // JSON.stringify overflows the stack on thousands of levels
  }
  return s && s.length > 40 ? `${s.slice(0, 40)}…` : String(s);
}

/**
 * Fills a typed array from a flat list of JSON values. `where` names the tensor
 * (or column) in the messages; `nullAsNaN` lets tabular inputs keep pandas'
 * reading of an empty cell as a missing float.
 */
export function tensorDataFrom(values: readonly unknown[], type: ElementType, where: string, options: { nullAsNaN?: boolean; unit?: string } = {}): TensorData {
  // Plain loops, no closures: this fills every input of every request.
  const out = allocate(type, values.length);
  const n = values.length;
  if (type === 'string') {
    const strings = out as string[];
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'string') badElement(values, i, 'a string (BYTES elements are JSON strings)', where, options.unit);
      strings[i] = v as string;
    }
    return out;
  }
  if (type === 'bool') {
    const bytes = out as Uint8Array;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === true || v === 1) bytes[i] = 1;
      else if (v === false || v === 0) bytes[i] = 0;
      else badElement(values, i, 'a boolean (true or false)', where, options.unit);
    }
    return out;
  }
  if (type === 'int64' || type === 'uint64') {
    const [lo, hi] = INT64_RANGE[type];
    const big = out as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      // A decimal string keeps 64-bit values that a JSON number would round.
      let b: bigint | undefined;
      if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
      else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) b = BigInt(v.trim());
      if (b === undefined) return badElement(values, i, `an integer (${type})`, where, options.unit);
      if (b < lo || b > hi) badElement(values, i, `within ${type}'s range`, where, options.unit);
      big[i] = b;
    }
    return out;
  }
  const range = INT_RANGE[type];
  if (range) {
    const ints = out as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isInteger(v)) return badElement(values, i, `an integer (${type})`, where, options.unit);
      if (v < range[0] || v > range[1]) badElement(values, i, `within ${type}'s range ${range[0]}..${range[1]}`, where, options.unit);
      ints[i] = v;
    }
    return out;
  }
  // float16 / float32 / float64
  const floats = out as Float32Array | Float64Array | Uint16Array;
  const toBits = type === 'float16';
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let x: number;
    if (typeof v === 'number') x = v;
    else if (typeof v === 'string' && v in SPECIAL_FLOATS) x = SPECIAL_FLOATS[v];
    else if (v === null && options.nullAsNaN) x = NaN;
    else return badElement(values, i, 'a number', where, options.unit);
    floats[i] = toBits ? float16Bits(x) : x;
  }
  return out;
}

function badElement(values: readonly unknown[], i: number, want: string, where: string, unit = 'element'): never {
  throw new RequestError(`${where}: ${unit} ${i} is ${describe(values[i])}, not ${want}.`);
}

/** JSON-ready elements of a result tensor. 64-bit integers beyond 2^53 become decimal strings rather than silently rounded numbers. */
export function jsonValuesOf(tensor: TensorValue): (number | boolean | string)[] {
  const { type, data } = tensor;
  if (type === 'string') return [...(data as string[])];
  if (type === 'bool') return Array.from(data as Uint8Array, (b) => b !== 0);
  if (type === 'float16') return Array.from(data as Uint16Array, float16Value);
  if (type === 'int64' || type === 'uint64') {
    return Array.from(data as BigInt64Array, (b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString()));
  }
  return Array.from(data as Float32Array);
}

/**
 * Deeper nesting than any tensor a model takes (ONNX models rarely pass 8
 * dimensions). Bounding it keeps a request nested thousands deep from
 * exhausting the stack: it gets a 400 that says why.
 */
export const MAX_TENSOR_DEPTH = 64;

function tooDeep(where: string): RequestError {
  return new RequestError(`${where}: the data is nested more than ${MAX_TENSOR_DEPTH} levels deep; a tensor here has at most ${MAX_TENSOR_DEPTH} dimensions.`);
}

/** Flattens nested arrays in row-major order (the caller checks the count); nesting is bounded by MAX_TENSOR_DEPTH. */
export function flattenRowMajor(data: unknown, where = 'Input'): unknown[] {
  if (!Array.isArray(data)) return [data];
  if (!data.some(Array.isArray)) return data;
  const out: unknown[] = [];
  // An explicit stack of (array, next index): no recursion however deep the data.
  const arrays: unknown[][] = [data];
  const positions: number[] = [0];
  while (arrays.length > 0) {
    const top = arrays.length - 1;
    const array = arrays[top];
    const i = positions[top];
    if (i === array.length) {
      arrays.pop();
      positions.pop();
      continue;
    }
    positions[top] = i + 1;
    const v = array[i];
    if (!Array.isArray(v)) out.push(v);
    else if (arrays.length >= MAX_TENSOR_DEPTH) throw tooDeep(where);
    else {
      arrays.push(v);
      positions.push(0);
    }
  }
  return out;
}

/**
 * The shape of a rectangular nested array ([[1,2],[3,4]] -> [2, 2]), for formats
 * that carry no shape (MLflow's `inputs`/`instances`). Ragged nesting is an error.
 */
export function nestedShape(data: unknown, where: string): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    if (shape.length === MAX_TENSOR_DEPTH) throw tooDeep(where);
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  // Recursion as deep as the shape, which is bounded above.
  const check = (v: unknown, depth: number, path: string) => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new RequestError(`${where}: ${path} is nested deeper than the rest of the data; every row must have the same shape.`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new RequestError(
        `${where}: ${path} has ${Array.isArray(v) ? `${v.length} elements` : 'a single value'} where ${shape[depth]} were expected; every row must have the same shape (got a ragged array).`,
      );
    }
    v.forEach((x, i) => check(x, depth + 1, `${path}[${i}]`));
  };
  check(data, 0, 'data');
  return shape;
}

/** A result tensor as nested JSON arrays (row-major), for the formats that nest (MLflow, KServe v1). */
export function nestedValuesOf(tensor: TensorValue): unknown {
  const flat = jsonValuesOf(tensor);
  if (tensor.dims.length === 0) return flat[0];
  let pos = 0;
  const build = (depth: number): unknown[] => {
    const n = tensor.dims[depth];
    if (depth === tensor.dims.length - 1) {
      const part = flat.slice(pos, pos + n);
      pos += n;
      return part;
    }
    return Array.from({ length: n }, () => build(depth + 1));
  };
  return build(0);
}

/**
 * Rows [start, end) of a tensor whose first dimension is the batch. Numeric data
 * is a view into the tensor's buffer, not a copy: a merged run's callers each get
 * their rows without copying them (whoever keeps or transfers rows copies first).
 */
export function sliceRows(tensor: TensorValue, start: number, end: number): TensorValue {
  const dims = tensor.dims.slice();
  let rowSize = 1;
  for (let i = 1; i < dims.length; i++) rowSize *= dims[i];
  dims[0] = end - start;
  const data = tensor.data;
  const part = Array.isArray(data) ? data.slice(start * rowSize, end * rowSize) : (data as Float32Array).subarray(start * rowSize, end * rowSize);
  return { type: tensor.type, dims, data: part as TensorData };
}

/** Stacks tensors of equal trailing dims along the first dimension. */
export function concatRows(parts: readonly TensorValue[]): TensorValue {
  const first = parts[0];
  const rows = parts.reduce((n, p) => n + p.dims[0], 0);
  const dims = [rows, ...first.dims.slice(1)];
  if (first.type === 'string') return { type: 'string', dims, data: parts.flatMap((p) => p.data as string[]) };
  const total = parts.reduce((n, p) => n + p.data.length, 0);
  const data = allocate(first.type, total) as Exclude<TensorData, string[]>;
  let offset = 0;
  for (const p of parts) {
    (data as Float32Array).set(p.data as Float32Array, offset);
    offset += p.data.length;
  }
  return { type: first.type, dims, data };
}
