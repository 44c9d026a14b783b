import type { PackedSeriesResponse } from './seriesQuery';

// Series as the JSON the editor receives, written where the query ran (a
// worker thread): a chart response can be 15 MB, and serialising it on the
// server's main thread would stall ingestion for as long as that takes.

/** JSON numbers; NaN and +-Infinity as the strings MLflow uses ("NaN", "Infinity", "-Infinity"). */
function numberList(values: Float64Array, start: number, end: number, special: boolean): string {
  const slice = values.subarray(start, end);
  // JSON.stringify of a plain array of numbers is V8's fastest way to print
  // doubles; it would print NaN and Infinity as null, so those take the slow path.
  if (!special || slice.every(Number.isFinite)) return JSON.stringify(Array.from(slice));
  const parts = new Array<string>(end - start);
  for (let i = start; i < end; i++) {
    const v = values[i];
    parts[i - start] = !special || Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
  }
  return `[${parts.join(',')}]`;
}

/**
 * The elements of the response's `series` array, comma-separated (no brackets),
 * so parts computed on several threads join with a comma. Same shape as
 * SeriesData: {runId, key, total, downsampled, x, y, steps}, except that
 * `steps` is left out when x is the step (it would repeat `x`).
 */
export function seriesElementsJson(packed: PackedSeriesResponse): string {
  const out: string[] = [];
  let offset = 0;
  for (const s of packed.series) {
    const end = offset + s.length;
    const steps = numberList(packed.steps, offset, end, false);
    // With x = step the steps are x already: sent once, a third less to write and parse.
    const xAndSteps = packed.x ? `"x":${numberList(packed.x, offset, end, false)},"steps":${steps}` : `"x":${steps}`;
    out.push(
      `{"runId":${JSON.stringify(s.runId)},"key":${JSON.stringify(s.key)},"total":${s.total},"downsampled":${s.downsampled},` +
        `${xAndSteps},"y":${numberList(packed.y, offset, end, true)}}`,
    );
    offset = end;
  }
  return out.join(',');
}

/** Joins parts from seriesElementsJson into the whole response body. */
export function seriesResponseJson(parts: Uint8Array[]): Buffer {
  const chunks: Uint8Array[] = [Buffer.from('{"series":[')];
  for (const part of parts) {
    if (part.length === 0) continue;
    if (chunks.length > 1) chunks.push(Buffer.from(','));
    chunks.push(part);
  }
  chunks.push(Buffer.from(']}'));
  return Buffer.concat(chunks);
}
