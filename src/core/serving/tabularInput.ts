// A table (named columns of rows, as MLflow's dataframe_split, dataframe_records
// and CSV bodies carry) -> the model's feeds. Columns are matched by name:
// - a single 2-D input with a feature schema: the schema's names, in the schema's
//   column order (Feature.index), whatever order the client sent;
// - a single 2-D input without one: the columns as sent, in order (the width must fit);
// - several inputs: one column per input, named after it (MLflow's ONNX flavor does the same).
// A missing column is an error naming it. Extra columns are ignored, as MLflow 2.x's
// schema enforcement drops them; they are reported so the server can log them.
import type { FeatureSchema } from '../registry/featureSchema';
import type { ServingSignature, ServingTensorSpec } from './modelSession';
import { RequestError } from './servingResult';
import { checkShape, formatShape } from './shapeCheck';
import { allocate, type NamedTensors } from './tensorTypes';
import { tensorDataFrom } from './tensorValues';

export interface ScoringModel {
  signature: ServingSignature;
  /** The version's feature schema (registry), when it has one. */
  features?: FeatureSchema;
}

export interface TableInput {
  /** Column names; undefined when the client sent none (dataframe_split without "columns"): positional. */
  columns: string[] | undefined;
  /** Row-major cells; each row as long as `columns`. */
  rows: unknown[][];
}

export interface TabularFeeds {
  feeds: NamedTensors;
  rows: number;
  ignoredColumns: string[];
}

export function tableToFeeds(table: TableInput, model: ScoringModel): TabularFeeds {
  const { signature } = model;
  const n = table.rows.length;
  if (n === 0) throw new RequestError('The input has no rows.');
  const width = table.columns?.length ?? table.rows[0].length;
  for (let i = 0; i < n; i++) {
    const r = table.rows[i];
    if (r.length !== width) throw new RequestError(`Row ${i} has ${r.length} values, but there are ${width} columns.`);
  }
  const column = (c: number) => table.rows.map((r) => r[c]);

  if (signature.inputs.length > 1) {
    if (!table.columns) throw new RequestError(`This model has ${signature.inputs.length} inputs (${names(signature.inputs)}); name one column after each.`);
    const feeds: NamedTensors = {};
    const bindings = new Map<string, { value: number; input: string }>();
    const missing = signature.inputs.filter((s) => !table.columns!.includes(s.name));
    if (missing.length) throw new RequestError(`Missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.name).join(', ')}: this model's inputs are ${names(signature.inputs)}, one column each.`);
    for (const spec of signature.inputs) {
      const dims = spec.shape.length === 2 ? [n, 1] : [n];
      checkShape(spec, dims, bindings);
      feeds[spec.name] = { type: spec.type, dims, data: tensorDataFrom(column(table.columns.indexOf(spec.name)), spec.type, `Column ${spec.name}`, { nullAsNaN: true, unit: 'row' }) };
    }
    return { feeds, rows: n, ignoredColumns: table.columns.filter((c) => !signature.inputs.some((s) => s.name === c)) };
  }

  const spec = signature.inputs[0];
  if (spec.shape.length !== 2) {
    throw new RequestError(`Tabular input needs a model input of shape [rows, columns], but ${spec.name} has shape ${formatShape(spec.shape)}; send it with "inputs" instead.`);
  }
  const expectedWidth = spec.shape[1];
  let picked: { name: string; from: number }[];
  let ignoredColumns: string[] = [];
  const features = model.features?.input === spec.name ? model.features : undefined;
  if (features && table.columns) {
    const known = orderedFeatures(features);
    // Clients send the same columns request after request: the last mapping is reused when they match.
    const mapping = sameColumns(known.lastColumns, table.columns) ? known.lastMapping! : columnMapping(known, table.columns);
    known.lastColumns = table.columns;
    known.lastMapping = mapping;
    picked = mapping.picked;
    ignoredColumns = mapping.ignoredColumns;
  } else {
    if (typeof expectedWidth === 'number' && width !== expectedWidth) {
      const why = features ? 'the columns are unnamed, so they are taken in order' : 'the model version has no feature schema, so columns are taken in the order sent';
      throw new RequestError(`Wrong number of columns: ${spec.name} has ${expectedWidth} columns (shape ${formatShape(spec.shape)}) but the input has ${width}; ${why}.`);
    }
    picked = Array.from({ length: width }, (_, c) => ({ name: table.columns?.[c] ?? String(c), from: c }));
  }
  const w = picked.length;
  checkShape(spec, [n, w], new Map());
  // The cells in the input's row-major order, converted in one pass; only a bad
  // cell goes through the columns one by one, for a message naming its column and row.
  const cells = new Array<unknown>(n * w);
  for (let r = 0; r < n; r++) {
    const row = table.rows[r];
    for (let c = 0; c < w; c++) cells[r * w + c] = row[picked[c].from];
  }
  try {
    const data = tensorDataFrom(cells, spec.type, spec.name, { nullAsNaN: true });
    return { feeds: { [spec.name]: { type: spec.type, dims: [n, w], data } }, rows: n, ignoredColumns };
  } catch (err) {
    if (err instanceof RequestError) for (const p of picked) tensorDataFrom(column(p.from), spec.type, `Column ${p.name}`, { nullAsNaN: true, unit: 'row' });
    throw err;
  }
}

interface ColumnMapping {
  picked: { name: string; from: number }[];
  ignoredColumns: string[];
}

interface KnownFeatures {
  ordered: string[];
  wanted: Set<string>;
  lastColumns?: readonly string[];
  lastMapping?: ColumnMapping;
}

/** A feature schema's names in input order, once per schema (it lives as long as its model). */
const orderedBySchema = new WeakMap<FeatureSchema, KnownFeatures>();
function orderedFeatures(features: FeatureSchema): KnownFeatures {
  let found = orderedBySchema.get(features);
  if (!found) {
    const ordered = [...features.features].sort((a, b) => a.index - b.index).map((f) => f.name);
    orderedBySchema.set(features, (found = { ordered, wanted: new Set(ordered) }));
  }
  return found;
}

/** Where each feature is among the sent columns; a missing one is the client's error. */
function columnMapping(known: KnownFeatures, columns: readonly string[]): ColumnMapping {
  const at = new Map<string, number>();
  columns.forEach((c, i) => at.has(c) || at.set(c, i));
  const missing = known.ordered.filter((name) => !at.has(name));
  if (missing.length) {
    throw new RequestError(`Missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the model expects the columns ${known.ordered.join(', ')} (its feature schema).`);
  }
  return {
    picked: known.ordered.map((name) => ({ name, from: at.get(name)! })),
    ignoredColumns: columns.length !== known.ordered.length ? columns.filter((c) => !known.wanted.has(c)) : [],
  };
}

function sameColumns(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const names = (specs: readonly ServingTensorSpec[]) => specs.map((s) => s.name).join(', ');
