// What onnxruntime does not tell about a model, read from the ONNX protobuf itself:
// the producer, the opset, and the types of non-tensor inputs/outputs (sklearn's
// ZipMap output is a sequence of maps, for which the runtime only says "not a tensor").
//
// It walks the protobuf wire format by hand, reading the file in small windows, so a
// 1 GB model costs a few reads: the weights (graph initializers) and nodes are
// skipped by their length prefix, never loaded. Only ModelProto's top-level fields
// and GraphProto's input/output lists are decoded. Field numbers are onnx.proto's.
import { open, type FileHandle } from 'node:fs/promises';

export interface OnnxModelHeader {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  /** Version of the default ('' / 'ai.onnx') operator set. */
  opset?: number;
  /** Graph inputs and outputs by name, as ONNX type strings: 'tensor(float)', 'seq(map(int64,tensor(float)))'. */
  valueTypes: Map<string, string>;
}

/** Malformed protobuf: the runtime's own load error is the one a user sees; this is only a fallback. */
export class OnnxHeaderError extends Error {}

const WINDOW = 64 * 1024;

/** Random access to a file through one cached window, so per-field reads stay cheap. */
class WindowedFile {
  private buf = Buffer.alloc(0);
  private start = 0;
  constructor(private readonly fh: FileHandle, readonly size: number) {}

  async bytes(pos: number, n: number): Promise<Buffer> {
    if (pos < 0 || pos + n > this.size) throw new OnnxHeaderError('truncated protobuf');
    if (pos < this.start || pos + n > this.start + this.buf.length) {
      this.buf = Buffer.alloc(Math.max(WINDOW, n));
      const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, pos);
      this.buf = this.buf.subarray(0, bytesRead);
      this.start = pos;
    }
    return this.buf.subarray(pos - this.start, pos - this.start + n);
  }

  /** A varint at pos: its value and the position after it. */
  async varint(pos: number): Promise<[number, number]> {
    const b = await this.bytes(pos, Math.min(10, this.size - pos));
    return decodeVarint(b, 0, pos);
  }
}

function decodeVarint(b: Uint8Array, at: number, filePos = at): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < b.length && i < at + 10; i++) {
    value += (b[i] & 0x7f) * scale; // numbers, not bit ops: 64-bit ints exceed 32 bits
    scale *= 128;
    if ((b[i] & 0x80) === 0) return [value, filePos + (i - at) + 1];
  }
  throw new OnnxHeaderError('bad varint');
}

type Field = { field: number; wire: number; value: number; start: number; end: number };

/** The fields of a message in [pos, end): varints carry their value, length-delimited fields their byte range. */
async function* fields(f: WindowedFile, pos: number, end: number): AsyncGenerator<Field> {
  while (pos < end) {
    const [tag, afterTag] = await f.varint(pos);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const [value, next] = await f.varint(afterTag);
      yield { field, wire, value, start: afterTag, end: next };
      pos = next;
    } else if (wire === 2) {
      const [len, dataStart] = await f.varint(afterTag);
      yield { field, wire, value: len, start: dataStart, end: dataStart + len };
      pos = dataStart + len;
    } else if (wire === 1 || wire === 5) {
      pos = afterTag + (wire === 1 ? 8 : 4);
    } else {
      throw new OnnxHeaderError(`unsupported wire type ${wire}`);
    }
    if (pos > end) throw new OnnxHeaderError('truncated protobuf');
  }
}

/** In-memory field walk for the small messages (ValueInfoProto and below). */
function* memFields(b: Uint8Array): Generator<{ field: number; wire: number; value: number; data: Uint8Array }> {
  let pos = 0;
  while (pos < b.length) {
    const [tag, p1] = decodeVarint(b, pos);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const [value, p2] = decodeVarint(b, p1);
      yield { field, wire, value, data: b.subarray(0, 0) };
      pos = p2;
    } else if (wire === 2) {
      const [len, p2] = decodeVarint(b, p1);
      if (p2 + len > b.length) throw new OnnxHeaderError('truncated protobuf');
      yield { field, wire, value: len, data: b.subarray(p2, p2 + len) };
      pos = p2 + len;
    } else if (wire === 1 || wire === 5) {
      pos = p1 + (wire === 1 ? 8 : 4);
    } else {
      throw new OnnxHeaderError(`unsupported wire type ${wire}`);
    }
  }
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** ONNX's TensorProto.DataType numbers to the names in onnx's own type strings. */
const ONNX_ELEM: Record<number, string> = {
  1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

/** TypeProto -> 'tensor(float)', 'seq(map(int64,tensor(float)))', ... (onnxruntime's Python API spells them so). */
function typeString(b: Uint8Array): string {
  for (const f of memFields(b)) {
    if (f.field === 1 || f.field === 8) {
      let elem = 'undefined';
      for (const t of memFields(f.data)) if (t.field === 1) elem = ONNX_ELEM[t.value] ?? `type${t.value}`;
      return `${f.field === 8 ? 'sparse_tensor' : 'tensor'}(${elem})`;
    }
    if (f.field === 4) {
      for (const s of memFields(f.data)) if (s.field === 1) return `seq(${typeString(s.data)})`;
      return 'seq(unknown)';
    }
    if (f.field === 5) {
      let key = 'unknown';
      let value = 'unknown';
      for (const m of memFields(f.data)) {
        if (m.field === 1) key = ONNX_ELEM[m.value] ?? `type${m.value}`;
        if (m.field === 2) value = typeString(m.data);
      }
      return `map(${key},${value})`;
    }
    if (f.field === 9) {
      for (const o of memFields(f.data)) if (o.field === 1) return `optional(${typeString(o.data)})`;
      return 'optional(unknown)';
    }
  }
  return 'unknown';
}

function valueInfo(b: Uint8Array): [string, string] {
  let name = '';
  let type = 'unknown';
  for (const f of memFields(b)) {
    if (f.field === 1) name = text(f.data);
    if (f.field === 2) type = typeString(f.data);
  }
  return [name, type];
}

export async function readOnnxModelHeader(file: string): Promise<OnnxModelHeader> {
  const fh = await open(file, 'r');
  try {
    const f = new WindowedFile(fh, (await fh.stat()).size);
    const header: OnnxModelHeader = { valueTypes: new Map() };
    for await (const m of fields(f, 0, f.size)) {
      if (m.field === 1 && m.wire === 0) header.irVersion = m.value;
      else if (m.field === 2 && m.wire === 2) header.producerName = text(await f.bytes(m.start, m.value));
      else if (m.field === 3 && m.wire === 2) header.producerVersion = text(await f.bytes(m.start, m.value));
      else if (m.field === 8 && m.wire === 2) {
        let domain = '';
        let version: number | undefined;
        for (const o of memFields(await f.bytes(m.start, m.value))) {
          if (o.field === 1) domain = text(o.data);
          if (o.field === 2) version = o.value;
        }
        if ((domain === '' || domain === 'ai.onnx') && version !== undefined) header.opset = version;
      } else if (m.field === 7 && m.wire === 2) {
        for await (const g of fields(f, m.start, m.end)) {
          // 11: input, 12: output (ValueInfoProto); everything else (nodes, weights) is skipped.
          if ((g.field === 11 || g.field === 12) && g.wire === 2) {
            const [name, type] = valueInfo(await f.bytes(g.start, g.value));
            header.valueTypes.set(name, type);
          }
        }
      }
    }
    return header;
  } finally {
    await fh.close();
  }
}
