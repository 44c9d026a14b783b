// MLflow 2.x scoring server bodies (POST /invocations) -> feeds, and its response.
// JSON: an object with exactly one of dataframe_split, dataframe_records,
// instances, inputs (plus optional "params"); CSV: a header row then rows, read as
// pandas.read_csv would. DataFrame forms map columns through the feature schema
// (tabularInput.ts); tensor forms are named or unnamed nested arrays (tensorInput.ts).
// "instances" and "inputs" keyed by feature names are read as a DataFrame, since
// that is what MLflow does for a model with a column-based signature.
import { parseCsvRows } from '../registry/featureSchema';
import { asResult, RequestError, type ServingResult } from './servingResult';
import { tableToFeeds, type ScoringModel, type TableInput } from './tabularInput';
import { instancesToFeeds, namedTensorsToFeeds, unnamedTensorToFeeds } from './tensorInput';
import type { ElementType, NamedTensors } from './tensorTypes';
import { nestedValuesOf } from './tensorValues';

export const MLFLOW_INPUT_FIELDS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** 'dataframe' results are answered as records, 'tensor' results as named arrays (what MLflow's ONNX flavor returns for each). */
export type ScoringInputKind = 'dataframe' | 'tensor';

export interface ParsedScoringInput {
  feeds: NamedTensors;
  kind: ScoringInputKind;
  /** Columns a DataFrame input carried that the model does not take (ignored, as MLflow does). */
  ignoredColumns: string[];
  /** MLflow's inference params, passed through (ONNX models take none). */
  params?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The body kind a Content-Type names, or undefined for one MLflow refuses (the HTTP layer answers 415). */
export function invocationsContentKind(contentType: string | undefined): 'json' | 'csv' | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'text/csv') return 'csv';
  return undefined;
}

export function parseInvocationsJson(body: unknown, model: ScoringModel): ServingResult<ParsedScoringInput> {
  return asResult(() => {
    if (!isObject(body)) throw new RequestError(`The body must be a JSON object with exactly one of ${MLFLOW_INPUT_FIELDS.join(', ')}.`);
    const present = MLFLOW_INPUT_FIELDS.filter((f) => f in body);
    const others = Object.keys(body).filter((k) => k !== 'params' && !(MLFLOW_INPUT_FIELDS as readonly string[]).includes(k));
    if (present.length !== 1 || others.length) {
      throw new RequestError(
        `The body must be a JSON object with exactly one of ${MLFLOW_INPUT_FIELDS.join(', ')} (and optionally params); it has ${Object.keys(body).join(', ') || 'no fields'}.`,
      );
    }
    if (body.params !== undefined && !isObject(body.params)) throw new RequestError('"params" must be an object.');
    const params = body.params as Record<string, unknown> | undefined;
    const field = present[0];
    const value = body[field];
    let parsed: Omit<ParsedScoringInput, 'params'>;
    switch (field) {
      case 'dataframe_split':
        parsed = fromTable(splitTable(value), model);
        break;
      case 'dataframe_records':
        parsed = fromTable(recordsTable(value), model);
        break;
      case 'instances':
        if (!Array.isArray(value)) throw new RequestError('"instances" must be a list.');
        if (value.length > 0 && value.every(isObject) && namesFeatures(value.flatMap((v) => Object.keys(v)), model)) parsed = fromTable(recordsTable(value), model);
        else parsed = { feeds: instancesToFeeds(value, model.signature), kind: 'tensor', ignoredColumns: [] };
        break;
      case 'inputs':
        if (Array.isArray(value)) parsed = { feeds: unnamedTensorToFeeds(value, model.signature, 'inputs'), kind: 'tensor', ignoredColumns: [] };
        else if (isObject(value) && namesFeatures(Object.keys(value), model)) parsed = fromTable(columnsTable(value), model);
        else if (isObject(value)) parsed = { feeds: namedTensorsToFeeds(value, model.signature, 'inputs'), kind: 'tensor', ignoredColumns: [] };
        else throw new RequestError('"inputs" must be a list (one tensor) or an object of named tensors.');
        break;
    }
    return { ...parsed, ...(params ? { params } : {}) };
  });
}

export function parseInvocationsCsv(text: string, model: ScoringModel): ServingResult<ParsedScoringInput> {
  return asResult(() => {
    const rows = parseCsvRows(text, Number.MAX_SAFE_INTEGER).filter((r) => !(r.length === 1 && r[0].trim() === ''));
    if (rows.length === 0) throw new RequestError('The CSV body is empty: its first line should name the columns.');
    const columns = rows[0].map((h) => h.trim());
    const types = cellTypes(columns, model);
    const body = rows.slice(1).map((r, i) => {
      if (r.length !== columns.length) throw new RequestError(`CSV line ${i + 2} has ${r.length} fields, but the header has ${columns.length}.`);
      return r.map((cell, c) => csvCell(cell, types[c]));
    });
    return fromTable({ columns, rows: body }, model);
  });
}

/** {"predictions": ...}: records for DataFrame inputs, {output: nested array} for tensor inputs. */
export function encodeMlflowPredictions(results: NamedTensors, kind: ScoringInputKind): { predictions: unknown } {
  const names = Object.keys(results);
  if (kind === 'tensor') return { predictions: Object.fromEntries(names.map((n) => [n, nestedValuesOf(results[n])])) };
  const perOutput = names.map((n) => rowValues(nestedValuesOf(results[n])));
  const rows = perOutput[0]?.length ?? 0;
  // A record per row, built by plain loops: this answers every DataFrame request.
  const predictions = new Array<Record<string, unknown>>(rows);
  for (let r = 0; r < rows; r++) {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) record[names[i]] = perOutput[i][r];
    predictions[r] = record;
  }
  return { predictions };
}

/** One value per row: a row of one element is that element (a column of a DataFrame), a wider one stays a list. */
function rowValues(nested: unknown): unknown[] {
  if (!Array.isArray(nested)) return [nested];
  return nested.map((row) => (Array.isArray(row) && row.length === 1 && !Array.isArray(row[0]) ? row[0] : row));
}

function fromTable(table: TableInput, model: ScoringModel): Omit<ParsedScoringInput, 'params'> {
  const { feeds, ignoredColumns } = tableToFeeds(table, model);
  return { feeds, kind: 'dataframe', ignoredColumns };
}

/** pandas' orient="split": {columns?, data, index?}; the index only labels rows, so it is ignored. */
function splitTable(value: unknown): TableInput {
  if (!isObject(value) || !Array.isArray(value.data)) throw new RequestError('"dataframe_split" must be an object {"columns": [...], "data": [[...], ...]}.');
  if (value.columns !== undefined && !(Array.isArray(value.columns) && value.columns.every((c) => typeof c === 'string'))) {
    throw new RequestError('"dataframe_split.columns" must be a list of column names.');
  }
  const rows = value.data.map((r, i) => {
    if (!Array.isArray(r)) throw new RequestError(`"dataframe_split.data" row ${i} must be a list of values.`);
    return r;
  });
  return { columns: value.columns as string[] | undefined, rows };
}

/** pandas' orient="records": [{column: value}]; a column absent from a record is missing there (NaN), as pandas reads it. */
function recordsTable(value: unknown): TableInput {
  if (!Array.isArray(value) || !value.every(isObject)) throw new RequestError('"dataframe_records" must be a list of objects, one per row: [{"column": value, ...}].');
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const rec of value) {
    for (const k of Object.keys(rec)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  return { columns, rows: value.map((rec) => columns.map((c) => (c in rec ? rec[c] : null))) };
}

/**
 * Objects keyed by the version's feature names rather than by input names are a
 * DataFrame (rows for "instances", columns for "inputs"), as MLflow reads them
 * against a column-based signature; keyed by input names they are tensors.
 */
function namesFeatures(keys: string[], model: ScoringModel): boolean {
  if (!model.features) return false;
  const inputs = new Set(model.signature.inputs.map((i) => i.name));
  const features = new Set(model.features.features.map((f) => f.name));
  return keys.some((k) => !inputs.has(k)) && keys.some((k) => features.has(k));
}

/** {"column": [values...]}: a DataFrame by columns, every column as long. */
function columnsTable(value: Record<string, unknown>): TableInput {
  const columns = Object.keys(value);
  const lists = columns.map((c) => {
    const v = value[c];
    return Array.isArray(v) ? v : [v];
  });
  const rows = lists[0].length;
  lists.forEach((l, i) => {
    if (l.length !== rows) throw new RequestError(`Column ${columns[i]} has ${l.length} values, but column ${columns[0]} has ${rows}; every column needs one value per row.`);
  });
  return { columns, rows: Array.from({ length: rows }, (_, r) => lists.map((l) => l[r])) };
}

/** The element type each CSV column will be read as (the model's input type), so cells are parsed for it. */
function cellTypes(columns: string[], model: ScoringModel): ElementType[] {
  const { inputs } = model.signature;
  return columns.map((c) => (inputs.length > 1 ? (inputs.find((s) => s.name === c)?.type ?? 'string') : inputs[0].type));
}

const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;

/** A CSV cell as pandas would type it for a numeric column: empty is missing, numbers are numbers; anything else stays text (and is refused with its row). */
function csvCell(cell: string, type: ElementType): unknown {
  if (type === 'string') return cell;
  const v = cell.trim();
  if (type === 'bool') return /^(true|1)$/i.test(v) ? true : /^(false|0)$/i.test(v) ? false : v;
  if (v === '') return null;
  if (type === 'int64' || type === 'uint64') return /^[+-]?\d+$/.test(v) ? v.replace(/^\+/, '') : v;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return Number(v);
  if (SPECIAL.test(v)) return v.toLowerCase().includes('nan') ? 'NaN' : v.startsWith('-') ? '-Infinity' : 'Infinity';
  return v;
}
