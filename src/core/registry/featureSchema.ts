// The names of the columns of a model's single tensor input (e.g. float_input [N, 20]):
// an ONNX model only knows "20 floats", but drift reports, the serving test form and
// /invocations with a DataFrame need "age, income, city". Three sources, in the order
// a user meets them: the MLmodel's column signature, a CLI flag, a logged CSV's header.
import type { TensorSpec } from './onnxSignature';

export interface Feature {
  name: string;
  /** Encoded as a number in the tensor but compared as categories (drift uses a chi-squared test, not K-S). */
  categorical: boolean;
  /** Position in the tensor's last dimension. */
  index: number;
}

export interface FeatureSchema {
  features: Feature[];
  /** Name of the tensor input the features are the columns of. */
  input: string;
}

export class FeatureSchemaError extends Error {
  override readonly name = 'FeatureSchemaError';
}

/** Checks the names against the input tensor's width and numbers them. */
function build(input: TensorSpec, columns: { name: string; categorical: boolean }[], source: string): FeatureSchema {
  if (input.shape.length !== 2) {
    throw new FeatureSchemaError(
      `features name the columns of a two-dimensional input [batch, width], but ${input.name} has shape [${input.shape.map(String).join(', ')}]`,
    );
  }
  const width = input.shape[1];
  // A symbolic or unknown width cannot be checked here; serving checks each request.
  if (typeof width === 'number' && width !== columns.length) {
    throw new FeatureSchemaError(
      `${source} names ${columns.length} feature${columns.length === 1 ? '' : 's'} but ${input.name} has ${width} columns (shape [${input.shape.map(String).join(', ')}])`,
    );
  }
  const seen = new Set<string>();
  for (const c of columns) {
    if (!c.name) throw new FeatureSchemaError(`${source} has an empty feature name`);
    if (seen.has(c.name)) throw new FeatureSchemaError(`${source} names the feature "${c.name}" twice`);
    seen.add(c.name);
  }
  return { input: input.name, features: columns.map((c, index) => ({ name: c.name, categorical: c.categorical, index })) };
}

/** MLflow column types that are categories rather than quantities. */
const CATEGORICAL_TYPES = new Set(['string', 'boolean', 'bool', 'binary']);

/** (a) From an MLmodel column-based signature: `[{"name": "age", "type": "double"}, ...]`. */
export function featureSchemaFromColumns(columns: { name?: string; mlflowType: string }[], input: TensorSpec): FeatureSchema {
  const unnamed = columns.findIndex((c) => !c.name);
  if (unnamed >= 0) throw new FeatureSchemaError(`the MLmodel signature's column ${unnamed + 1} has no name`);
  return build(
    input,
    columns.map((c) => ({ name: c.name!, categorical: CATEGORICAL_TYPES.has(c.mlflowType) })),
    'the MLmodel signature',
  );
}

/** (b) From a CLI string: `age,income,city:categorical` (`:cat` and `:numeric` also accepted). */
export function featureSchemaFromCli(spec: string, input: TensorSpec): FeatureSchema {
  const columns = spec.split(',').map((part) => {
    const [rawName, kind, ...rest] = part.split(':').map((s) => s.trim());
    if (rest.length > 0) throw new FeatureSchemaError(`"${part.trim()}": use name or name:categorical`);
    if (kind !== undefined && !['categorical', 'cat', 'numeric', 'num'].includes(kind)) {
      throw new FeatureSchemaError(`"${part.trim()}": unknown kind "${kind}" (use :categorical or :numeric)`);
    }
    return { name: rawName, categorical: kind === 'categorical' || kind === 'cat' };
  });
  return build(input, columns, 'the feature list');
}

export interface CsvFeatureOptions {
  /** Columns of the data set that are not model inputs, e.g. the target. */
  exclude?: string[];
  /** Rows read to guess numeric vs categorical (after the header). */
  sampleRows?: number;
}

/**
 * (c) From a CSV data set logged with the run: the header names the columns; a column
 * is numeric when every non-empty sampled value is a number, else categorical.
 */
export function featureSchemaFromCsv(csvText: string, input: TensorSpec, options: CsvFeatureOptions = {}): FeatureSchema {
  const rows = parseCsvRows(csvText, 1 + (options.sampleRows ?? 100));
  if (rows.length === 0 || rows[0].every((h) => h.trim() === '')) throw new FeatureSchemaError('the CSV file is empty: its first line should name the columns');
  const header = rows[0].map((h) => h.trim());
  const exclude = new Set(options.exclude ?? []);
  const missing = [...exclude].filter((x) => !header.includes(x));
  if (missing.length) throw new FeatureSchemaError(`the CSV header has no column ${missing.map((m) => `"${m}"`).join(', ')} to exclude`);
  const kept = header.map((name, col) => ({ name, col })).filter((c) => !exclude.has(c.name));
  const columns = kept.map(({ name, col }) => ({
    name,
    categorical: rows.slice(1).some((r) => !isNumberCell(r[col])),
  }));
  try {
    return build(input, columns, 'the CSV header');
  } catch (e) {
    if (e instanceof FeatureSchemaError && typeof input.shape[1] === 'number' && columns.length === input.shape[1] + 1) {
      throw new FeatureSchemaError(`${e.message}; if one of them is the target (e.g. "${header[header.length - 1]}"), exclude it`);
    }
    throw e;
  }
}

/** Empty and NA-style cells say nothing about the column's kind. */
function isNumberCell(cell: string | undefined): boolean {
  const v = (cell ?? '').trim();
  if (v === '' || /^(na|nan|null|none|n\/a)$/i.test(v)) return true;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) || /^[+-]?inf(inity)?$/i.test(v);
}

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF, newlines inside quotes), at most maxRows. */
export function parseCsvRows(text: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a BOM from Excel is not part of the first name
  for (; i < text.length && rows.length < maxRows; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if ((field !== '' || row.length > 0) && rows.length < maxRows) rows.push([...row, field]);
  return rows;
}
