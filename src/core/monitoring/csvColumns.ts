// A fast CSV reader for reference and window files: bytes straight into typed
// columns (Float64Array for numbers, Int32Array codes for categories), so a
// million-row reference neither builds a string per number nor an object per row.
// Quoted fields ("a, b", "say ""hi""") are handled on a slower path. Missing values
// follow pandas' defaults (empty, NA, NaN, null, None, …) so they are dropped like
// Evidently drops them.
import type { Category } from './categoryCounts';
import type { CodedColumn, Columns, FeatureType } from './driftTypes';

export interface CsvColumns {
  header: string[];
  rows: number;
  columns: Columns;
  types: Record<string, FeatureType>;
}

export interface CsvOptions {
  /** Types of some or all columns; the rest are numerical when their first 1000 values all parse as numbers. */
  types?: Record<string, FeatureType>;
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** pandas' default missing-value markers. */
const MISSING = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** A cursor over the bytes: the current field's bounds, or its decoded text when it was quoted. */
class FieldReader {
  pos = 0;
  start = 0;
  end = 0;
  quoted: string | undefined;
  atLineEnd = false;
  constructor(readonly bytes: Uint8Array) {}

  /** Reads the next field; sets atLineEnd when it ended its line (or the data). */
  next(): void {
    const b = this.bytes;
    let p = this.pos;
    this.quoted = undefined;
    if (b[p] === QUOTE) {
      let text = '';
      p++;
      let from = p;
      for (;;) {
        if (p >= b.length) break;
        if (b[p] === QUOTE) {
          text += Buffer.from(b.buffer, b.byteOffset + from, p - from).toString('utf8');
          if (b[p + 1] === QUOTE) {
            text += '"';
            p += 2;
            from = p;
            continue;
          }
          p++;
          break;
        }
        p++;
      }
      this.quoted = text;
      this.start = this.end = p;
    } else {
      this.start = p;
      while (p < b.length && b[p] !== COMMA && b[p] !== LF && b[p] !== CR) p++;
      this.end = p;
    }
    // Skip the separator; a line ends at LF, CRLF or the end of the data.
    if (p < b.length && b[p] === COMMA) {
      this.pos = p + 1;
      this.atLineEnd = false;
      return;
    }
    while (p < b.length && b[p] !== LF) p++;
    this.pos = p + 1;
    this.atLineEnd = true;
  }

  text(): string {
    return this.quoted ?? Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.start, this.end - this.start).toString('utf8');
  }

  /** The field as a number: NaN when missing, undefined when it is text. */
  number(): number | undefined {
    if (this.quoted !== undefined) return parseNumberText(this.quoted);
    const b = this.bytes;
    let p = this.start;
    const end = this.end;
    if (p === end) return NaN;
    let negative = false;
    if (b[p] === 45 || b[p] === 43) {
      negative = b[p] === 45;
      p++;
    }
    // Fast path: at most 15 significant digits and a small exponent, where
    // mantissa ÷ or × a power of ten is one correctly rounded operation.
    let mantissa = 0;
    let digits = 0;
    let exponent = 0;
    let any = false;
    while (p < end && b[p] >= 48 && b[p] <= 57) {
      if (mantissa !== 0 || b[p] !== 48) {
        mantissa = mantissa * 10 + (b[p] - 48);
        digits++;
      }
      any = true;
      p++;
    }
    if (p < end && b[p] === 46) {
      p++;
      while (p < end && b[p] >= 48 && b[p] <= 57) {
        if (mantissa !== 0 || b[p] !== 48) {
          mantissa = mantissa * 10 + (b[p] - 48);
          digits++;
        }
        exponent--;
        any = true;
        p++;
      }
    }
    if (any && p < end && (b[p] === 101 || b[p] === 69)) {
      p++;
      let expNegative = false;
      if (b[p] === 45 || b[p] === 43) {
        expNegative = b[p] === 45;
        p++;
      }
      let e = 0;
      const expStart = p;
      while (p < end && b[p] >= 48 && b[p] <= 57 && e < 10_000) e = e * 10 + (b[p++] - 48);
      if (p === expStart) return parseNumberText(this.text());
      exponent += expNegative ? -e : e;
    }
    if (!any || p !== end || digits > 15 || exponent < -22 || exponent > 22) return parseNumberText(this.text());
    const value = exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent];
    return negative ? -value : value;
  }
}

function parseNumberText(text: string): number | undefined {
  const t = text.trim();
  if (MISSING.has(t)) return NaN;
  if (t === 'inf' || t === '+inf' || t === 'Infinity') return Infinity;
  if (t === '-inf' || t === '-Infinity') return -Infinity;
  const v = Number(t);
  return Number.isNaN(v) || t === '' ? undefined : v;
}

/** Categories of one column, interned by their bytes so a repeated value costs no string. */
class CategoryDictionary {
  readonly categories: Category[] = [];
  private readonly byText = new Map<string, number>();
  /** FNV-1a hash of the bytes -> slots; a slot remembers the bytes and their code (-1: missing). */
  private readonly byHash = new Map<number, number[]>();
  private readonly slotBytes: Uint8Array[] = [];
  private readonly slotCode: number[] = [];

  code(reader: FieldReader): number {
    if (reader.quoted !== undefined) return this.codeOfText(reader.quoted);
    const b = reader.bytes;
    const from = reader.start;
    const len = reader.end - from;
    let h = 0x811c9dc5;
    for (let p = from; p < reader.end; p++) h = Math.imul(h ^ b[p], 0x01000193);
    const slots = this.byHash.get(h);
    if (slots) {
      for (const slot of slots) {
        const r = this.slotBytes[slot];
        if (r.length !== len) continue;
        let i = 0;
        while (i < len && r[i] === b[from + i]) i++;
        if (i === len) return this.slotCode[slot];
      }
    }
    const code = this.codeOfText(reader.text());
    const slot = this.slotBytes.length;
    this.slotBytes.push(b.slice(from, reader.end));
    this.slotCode.push(code);
    if (slots) slots.push(slot);
    else this.byHash.set(h, [slot]);
    return code;
  }

  codeOfText(text: string): number {
    if (MISSING.has(text)) return -1;
    let code = this.byText.get(text);
    if (code === undefined) {
      code = this.categories.length;
      this.categories.push(text);
      this.byText.set(text, code);
    }
    return code;
  }
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  let p = bytes.indexOf(LF);
  while (p !== -1) {
    n++;
    p = bytes.indexOf(LF, p + 1);
  }
  return bytes.length > 0 && bytes[bytes.length - 1] !== LF ? n + 1 : n;
}

const INFER_ROWS = 1000;

/** Numerical unless one of the first rows holds text that is neither a number nor a missing marker. */
function inferTypes(bytes: Uint8Array, from: number, width: number): FeatureType[] {
  const types: FeatureType[] = Array(width).fill('numerical');
  const reader = new FieldReader(bytes);
  reader.pos = from;
  for (let row = 0; row < INFER_ROWS && reader.pos < bytes.length; row++) {
    for (let col = 0; ; col++) {
      reader.next();
      if (col < width && types[col] === 'numerical' && reader.number() === undefined) types[col] = 'categorical';
      if (reader.atLineEnd) break;
    }
  }
  return types;
}

/** Text met in a column read as numbers. */
class NotANumber extends RangeError {
  constructor(readonly column: string, row: number, text: string) {
    super(`row ${row}, column '${column}': '${text}' is not a number (the column is numerical)`);
  }
}

/**
 * Parses CSV bytes (a header line, then one row per line) into typed columns. A
 * column guessed numerical from its first rows that later holds text is read
 * again as categorical; one declared numerical is an error naming the row.
 */
export function parseCsvColumns(bytes: Uint8Array, options: CsvOptions = {}): CsvColumns {
  const declared = { ...options.types };
  for (;;) {
    try {
      return parseWithTypes(bytes, declared);
    } catch (err) {
      if (!(err instanceof NotANumber) || options.types?.[err.column]) throw err;
      declared[err.column] = 'categorical';
    }
  }
}

function parseWithTypes(bytes: Uint8Array, declared: Record<string, FeatureType>): CsvColumns {
  const options = { types: declared };
  const reader = new FieldReader(bytes);
  const header: string[] = [];
  if (bytes.length === 0) return { header, rows: 0, columns: {}, types: {} };
  for (;;) {
    reader.next();
    header.push(reader.text().trim());
    if (reader.atLineEnd) break;
  }
  const width = header.length;
  const bodyStart = reader.pos;
  const inferred = inferTypes(bytes, bodyStart, width);
  const types = header.map((name, i) => options.types?.[name] ?? inferred[i]);
  const capacity = countLines(bytes.subarray(Math.min(bodyStart, bytes.length)));
  const numbers: (Float64Array | undefined)[] = types.map((t) => (t === 'numerical' ? new Float64Array(capacity) : undefined));
  const codes: (Int32Array | undefined)[] = types.map((t) => (t === 'categorical' ? new Int32Array(capacity) : undefined));
  const dictionaries = types.map((t) => (t === 'categorical' ? new CategoryDictionary() : undefined));
  let rows = 0;
  while (reader.pos < bytes.length) {
    // A blank line (e.g. the last one) is no row.
    if (bytes[reader.pos] === LF || (bytes[reader.pos] === CR && bytes[reader.pos + 1] === LF)) {
      reader.pos += bytes[reader.pos] === LF ? 1 : 2;
      continue;
    }
    let col = 0;
    for (;;) {
      reader.next();
      if (col < width) {
        const nums = numbers[col];
        if (nums) {
          const v = reader.number();
          if (v === undefined) throw new NotANumber(header[col], rows + 1, reader.text());
          nums[rows] = v;
        } else (codes[col] as Int32Array)[rows] = (dictionaries[col] as CategoryDictionary).code(reader);
      }
      col++;
      if (reader.atLineEnd) break;
    }
    // Short rows: the fields they lack are missing.
    for (; col < width; col++) {
      const nums = numbers[col];
      if (nums) nums[rows] = NaN;
      else (codes[col] as Int32Array)[rows] = -1;
    }
    rows++;
  }
  const columns: Columns = {};
  const typeByName: Record<string, FeatureType> = {};
  header.forEach((name, i) => {
    typeByName[name] = types[i];
    const nums = numbers[i];
    columns[name] = nums ? nums.subarray(0, rows) : ({ codes: (codes[i] as Int32Array).subarray(0, rows), categories: (dictionaries[i] as CategoryDictionary).categories } satisfies CodedColumn);
  });
  return { header, rows, columns, types: typeByName };
}
