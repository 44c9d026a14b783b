import { isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node } from 'yaml';

export type Range = readonly [number, number];

// Checks that run after parsing (checkDeps, later the runner) point at the file
// too; the parsed document stays attached to the pipeline object it produced so
// their signatures need not carry it around.
const sources = new WeakMap<object, { doc: Document; lineCounter: LineCounter }>();

export function rememberSource(pipeline: object, doc: Document, lineCounter: LineCounter): void {
  sources.set(pipeline, { doc, lineCounter });
}

/** 1-based start and exclusive end of the node at a data path; line 1 column 1 for a pipeline not parsed from text. */
export function positionOf(pipeline: object, path: readonly (string | number)[], atKey = false): { line: number; column: number; endLine: number; endColumn: number } {
  const src = sources.get(pipeline);
  if (!src) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
  const [s, e] = locate(src.doc, path, atKey);
  const a = src.lineCounter.linePos(s);
  const b = src.lineCounter.linePos(e);
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/**
 * The source range of the node at a data path. A path that runs out (a missing
 * key) points at the nearest key that exists; a collection is pointed at by its
 * key, since the block itself spans many lines.
 */
export function locate(doc: Document, path: readonly (string | number)[], atKey: boolean): Range {
  let node: unknown = doc.contents;
  let keyRange: Range | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      // String(): a YAML key `1:` or `true:` is a number or boolean, the data path's a string.
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) break;
      keyRange = isScalar(pair.key) && pair.key.range ? [pair.key.range[0], pair.key.range[1]] : keyRange;
      node = pair.value;
      if (node === null) break;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      keyRange = undefined;
      node = item;
    } else break;
  }
  // A key missing from the top level: its first key, not the whole file, shows where.
  if (!keyRange && isMap(node) && isScalar(node.items[0]?.key) && node.items[0].key.range) return [node.items[0].key.range[0], node.items[0].key.range[1]];
  const valueRange = (node as Node | null)?.range;
  // An empty value ("steps:" and nothing) has a zero-width range: its key is what to underline.
  if (keyRange && (atKey || isMap(node) || isSeq(node) || !valueRange || valueRange[0] === valueRange[1])) return keyRange;
  if (valueRange) return [valueRange[0], valueRange[1]];
  return [0, 0];
}

/**
 * Maps offsets inside a string value (a gate, a command) onto the file. Exact for
 * plain and quoted scalars without escapes; otherwise (block scalars, escapes)
 * every range is the whole value, still on the right lines.
 */
export function rangeWithin(doc: Document, path: readonly (string | number)[], value: string): (start: number, end: number) => Range {
  const node = doc.getIn(path, true) as Node | undefined;
  const whole: Range = node?.range ? [node.range[0], node.range[1]] : locate(doc, path, false);
  let inner: number | undefined;
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    if (node.type === Scalar.PLAIN && end - start === value.length) inner = start;
    if ((node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) && end - start === value.length + 2) inner = start + 1;
  }
  return (start, end) => (inner === undefined ? whole : [inner + start, inner + Math.max(end, start + 1)]);
}
