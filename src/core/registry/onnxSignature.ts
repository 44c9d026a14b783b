// The signature of an ONNX model (its inputs and outputs, with element types and
// shapes) as the registry records it and serving validates requests against.
//
// onnxruntime is the authority: if it cannot load the file, the registry must refuse
// it now rather than at deploy time, and the names, types and shapes it reports are
// what a serving session will enforce (for outputs they include its own shape
// inference). The protobuf header adds what the runtime does not expose: producer,
// opset, and the types of non-tensor values.
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { loadOnnxRuntime } from '../serving/onnxRuntime';
import { readOnnxModelHeader, type OnnxModelHeader } from './onnxModelHeader';

export interface TensorSpec {
  name: string;
  /** 'float32', 'int64', 'string', 'bool', ...; for a non-tensor value its ONNX type, e.g. 'seq(map(int64,tensor(float)))'. */
  elementType: string;
  /** A number is fixed, a string is a symbolic dimension's name, null is unknown. */
  shape: (number | string | null)[];
}

export interface OnnxSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Version of the default operator set. */
  opset?: number;
  /** 'skl2onnx 1.16.0', 'pytorch 2.1.0', ... */
  producer?: string;
}

/** The file is not a model onnxruntime can load; the message says why, for a user. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    readonly file: string,
    /** onnxruntime's reason, without its "Load model from <path> failed:" prefix. */
    readonly reason: string,
  ) {
    super(`${basename(file)} is not a loadable ONNX model: ${reason}`);
  }
}

/** onnxruntime prefixes every load error with the full path; the message names the file already. */
function runtimeReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^Load model from .*? failed:\s*/s, '').trim() || 'unknown error';
}

function specOf(meta: InferenceSession.ValueMetadata, header: OnnxModelHeader | undefined): TensorSpec {
  if (!meta.isTensor) {
    return { name: meta.name, elementType: header?.valueTypes.get(meta.name) ?? 'non-tensor', shape: [] };
  }
  // The runtime reports a dimension with neither a value nor a name as ''.
  return { name: meta.name, elementType: meta.type, shape: meta.shape.map((d) => (d === '' ? null : d)) };
}

export async function readOnnxSignature(file: string): Promise<OnnxSignature> {
  try {
    await stat(file);
  } catch {
    throw new ModelLoadError(file, 'the file does not exist or cannot be read');
  }
  // Loaded on first use: the backend should not pay for the native runtime until a model is read.
  const { InferenceSession } = await loadOnnxRuntime();
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(file);
  } catch (err) {
    throw new ModelLoadError(file, runtimeReason(err));
  }
  try {
    // The runtime loaded it, so the protobuf is well formed; a header reader failure
    // (an exotic field) only loses producer and opset, never the signature.
    const header = await readOnnxModelHeader(file).catch(() => undefined);
    const producer = [header?.producerName, header?.producerVersion].filter(Boolean).join(' ');
    return {
      inputs: session.inputMetadata.map((m) => specOf(m, header)),
      outputs: session.outputMetadata.map((m) => specOf(m, header)),
      ...(header?.opset !== undefined ? { opset: header.opset } : {}),
      ...(producer ? { producer } : {}),
    };
  } finally {
    await session.release();
  }
}

/**
 * Whether a file looks like an ONNX model: the .onnx extension, or (for files saved
 * without it, e.g. "model" in an MLflow artifact folder) a start that matches a
 * serialized ModelProto. ONNX has no magic number; a ModelProto writer puts
 * ir_version (field 1, varint) first, then producer/graph/opset fields, so the test
 * is "tag 0x08, a plausible IR version (1-20), then a tag of a ModelProto field".
 * A cheap guess for listings, never a substitute for readOnnxSignature.
 */
export async function isOnnxFile(path: string): Promise<boolean> {
  if (extname(path).toLowerCase() === '.onnx') return true;
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      head = Buffer.alloc(3);
      const { bytesRead } = await fh.read(head, 0, 3, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
  if (head.length < 3 || head[0] !== 0x08 || head[1] < 1 || head[1] > 20) return false;
  // Length-delimited ModelProto fields: producer_name 2, producer_version 3, domain 4,
  // doc_string 6, graph 7, opset_import 8, metadata_props 14; model_version 5 is a varint.
  return [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72].includes(head[2]);
}
