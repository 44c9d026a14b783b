import type { OnnxSignature, TensorSpec } from './modelSchema';

// An example Open Inference Protocol request built from a version's signature:
// what "Copy curl Example" and "Send Test Request" start from (the user edits
// the values). Symbolic dimensions (the batch) become 1.

const OIP_DATATYPE: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

export interface OipExampleInput {
  name: string;
  shape: number[];
  datatype: string;
  data: (number | boolean | string)[];
}

export function oipExampleRequest(signature: OnnxSignature): { inputs: OipExampleInput[] } {
  return { inputs: signature.inputs.map(exampleInput) };
}

function exampleInput(t: TensorSpec): OipExampleInput {
  const shape = t.shape.map((d) => (typeof d === 'number' ? d : 1));
  const count = shape.reduce((a, b) => a * b, 1);
  const datatype = OIP_DATATYPE[t.elementType] ?? 'FP32';
  const value = datatype === 'BOOL' ? false : datatype === 'BYTES' ? '' : 0;
  return { name: t.name, shape, datatype, data: new Array(Math.min(count, 10_000)).fill(value) };
}
