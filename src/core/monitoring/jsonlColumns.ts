// JSON Lines data sets (one object per line), for references and for the requests a
// deployment records. A line's keys are its columns; a recorded request keeps its
// inputs under "features" and its output under "prediction", which are flattened so
// `mlops monitor report --current requests.jsonl` compares them like a CSV's columns.
import type { CsvColumns, CsvOptions } from './csvColumns';
import type { Category } from './categoryCounts';
import type { Columns, FeatureType } from './driftTypes';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A line's columns: its keys, or a recorded request's features plus its prediction. */
function flatten(row: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(row.features)) return row;
  return row.prediction === undefined ? row.features : { ...row.features, prediction: row.prediction };
}

export function parseJsonlColumns(bytes: Uint8Array, options: CsvOptions = {}): CsvColumns {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const rows: Record<string, unknown>[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new SyntaxError(`line ${lineNo} is not JSON: ${(err as Error).message}`);
    }
    if (!isRecord(value)) throw new SyntaxError(`line ${lineNo} is not a JSON object (one object per line, its keys are the columns)`);
    rows.push(flatten(value));
  }
  const header: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) if (!seen.has(key)) (seen.add(key), header.push(key));
  const columns: Columns = {};
  const types: Record<string, FeatureType> = {};
  for (const name of header) {
    const values = rows.map((r) => r[name]);
    const declared = options.types?.[name];
    const numeric = values.every((v) => v === null || v === undefined || typeof v === 'number');
    if (declared === 'numerical' && !numeric) {
      const row = values.findIndex((v) => !(v === null || v === undefined || typeof v === 'number'));
      throw new RangeError(`column '${name}' is declared numerical but row ${row + 1} holds ${JSON.stringify(values[row])}`);
    }
    types[name] = declared ?? (numeric ? 'numerical' : 'categorical');
    columns[name] =
      types[name] === 'numerical'
        ? Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN))
        : // As text, the way a CSV's categories read: 1 in a JSON line and 1 in a CSV are the same category.
          values.map((v): Category | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v)));
  }
  return { header, rows: rows.length, columns, types };
}
