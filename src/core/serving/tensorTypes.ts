// The element types serving handles, named three ways: onnxruntime's ('float32'),
// the Open Inference Protocol's ('FP32'), and the typed array that holds them. One
// table so the codecs, the session and the batcher cannot disagree.

/** onnxruntime-node's tensor element types that serving accepts and returns. */
export type ElementType =
  | 'bool'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'string';

/** Open Inference Protocol datatypes (the spec's Tensor Data Types table). */
export type OipDatatype = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

const OIP_OF: Record<ElementType, OipDatatype> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};

const ELEMENT_OF = new Map(Object.entries(OIP_OF).map(([e, o]) => [o, e as ElementType]));

export const OIP_DATATYPES: readonly OipDatatype[] = Object.values(OIP_OF);

export function oipDatatypeOf(type: ElementType): OipDatatype {
  return OIP_OF[type];
}

export function elementTypeOfOip(datatype: string): ElementType | undefined {
  return ELEMENT_OF.get(datatype as OipDatatype);
}

export function isElementType(type: string): type is ElementType {
  return Object.prototype.hasOwnProperty.call(OIP_OF, type);
}

/**
 * How onnxruntime-node holds each type. bool is bytes (0/1); float16 is raw IEEE
 * half bits in a Uint16Array because Node 20 has no Float16Array (see float16.ts).
 */
export type TensorData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | string[];

type ArrayMaker = (length: number) => TensorData;

const MAKERS: Record<ElementType, ArrayMaker> = {
  bool: (n) => new Uint8Array(n),
  uint8: (n) => new Uint8Array(n),
  uint16: (n) => new Uint16Array(n),
  uint32: (n) => new Uint32Array(n),
  uint64: (n) => new BigUint64Array(n),
  int8: (n) => new Int8Array(n),
  int16: (n) => new Int16Array(n),
  int32: (n) => new Int32Array(n),
  int64: (n) => new BigInt64Array(n),
  float16: (n) => new Uint16Array(n),
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  string: (n) => new Array<string>(n).fill(''),
};

export function allocate(type: ElementType, length: number): TensorData {
  return MAKERS[type](length);
}

/**
 * A tensor as serving passes it between codecs, batcher and session: plain data,
 * so nothing but ModelSession needs the native runtime loaded.
 */
export interface TensorValue {
  type: ElementType;
  dims: number[];
  data: TensorData;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

/** Feeds or results by tensor name. */
export type NamedTensors = Record<string, TensorValue>;
