import type { Db } from '../store/openDatabase';
import { BUCKET_WIDTH } from './metricBuckets';

export interface SeriesRequest {
  runIds: string[];
  keys: string[];
  maxPoints: number;
  x: 'step' | 'time';
  startStep?: number;
  endStep?: number;
  /** Per-run step ranges (a zoom on a time axis maps to different steps in each run); they override startStep/endStep. */
  runRanges?: Record<string, { startStep: number; endStep: number }>;
}

export interface SeriesData {
  runId: string;
  key: string;
  /** Points stored in the series (in the requested step range when given). */
  total: number;
  /** True when the points are an M4 summary rather than every point. */
  downsampled: boolean;
  x: number[];
  y: number[];
  steps: number[];
}

export interface SeriesResponse {
  series: SeriesData[];
}

/**
 * A response with every series' points in flat Float64Arrays (series after
 * series, `length` points each), so a worker thread can hand it over by
 * transferring buffers instead of copying 1.5 M numbers one by one. `x` is
 * only there for x = 'time'; for x = 'step' it is `steps`.
 */
export interface PackedSeriesResponse {
  series: { runId: string; key: string; total: number; downsampled: boolean; length: number }[];
  x?: Float64Array;
  y: Float64Array;
  steps: Float64Array;
}

// Downsampled series for charts: for each (run, key), at most `maxPoints`
// points that keep the shape of the curve (M4: every bucket keeps its first,
// last, min and max point). Long series are answered from the step-bucket
// summaries maintained at ingest; short ones, or a zoom finer than a bucket,
// from the raw points.
//
// The hot loop avoids per-point objects: bucket summaries merge into flat
// typed arrays and points are appended to growable Float64Arrays.

type RawRow = [number, number, number | null, number];

// Below the summaries' resolution, raw points are read only up to this many times maxPoints.
const RAW_READ_FACTOR = 4;

// Flag bit in stepBucketRows' packed steps: two points of the bucket share a step, not a timestamp.
const TS_MATTERS = 1 << 24;
// Six bits per packed step offset: the packed form needs buckets of at most 64 steps.
const PACKABLE = BUCKET_WIDTH <= 64;

export class SeriesQuery {
  private readonly seriesOf;
  private readonly rangeOf;
  private readonly countInRange;
  private readonly rawPoints;
  private readonly bucketRows;
  private readonly stepBucketRows;
  private readonly m4 = new M4Accumulator();

  constructor(db: Db) {
    this.seriesOf = db.prepare('SELECT series_id, point_count FROM metric_series WHERE run_uuid = ? AND key = ?').raw();
    // Two subqueries: SQLite answers a lone MIN or MAX from the index's end, but
    // MIN and MAX together in one SELECT scan every point of the series.
    this.rangeOf = db
      .prepare('SELECT (SELECT MIN(step) FROM metric_points WHERE series_id = @id), (SELECT MAX(step) FROM metric_points WHERE series_id = @id)')
      .raw();
    this.countInRange = db.prepare('SELECT COUNT(*) FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ?').pluck();
    this.rawPoints = db.prepare('SELECT step, ts, value, is_nan FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step, ts').raw();
    this.bucketRows = db
      .prepare(
        `SELECT bucket, first_step, first_ts, first_value, last_step, last_ts, last_value,
                min_step, min_ts, min_value, max_step, max_ts, max_value
         FROM metric_buckets WHERE series_id = ? AND bucket BETWEEN ? AND ? AND first_step IS NOT NULL ORDER BY bucket`,
      )
      .raw();
    // The same summaries for a chart over steps, in 6 columns instead of 13
    // (fetching values, not scanning, is what costs): a stored bucket's four
    // steps are 0..63 from its start, packed into one integer, with bit 24 set
    // when two of its points share a step but not a timestamp. Without that
    // flag the timestamps cannot change the answer (points from different
    // buckets never share a step), so they are not read; with it, the series is
    // read again from bucketRows.
    const offset = (point: string) => `(${point}_step - bucket * ${BUCKET_WIDTH})`;
    const sameStepOtherTs = (a: string, b: string) => `(${a}_step = ${b}_step AND ${a}_ts <> ${b}_ts)`;
    this.stepBucketRows = db
      .prepare(
        `SELECT bucket,
                ${offset('first')} | (${offset('last')} << 6) | (${offset('min')} << 12) | (${offset('max')} << 18)
                | (CASE WHEN ${sameStepOtherTs('first', 'last')} OR ${sameStepOtherTs('first', 'min')} OR ${sameStepOtherTs('first', 'max')}
                        OR ${sameStepOtherTs('last', 'min')} OR ${sameStepOtherTs('last', 'max')} OR ${sameStepOtherTs('min', 'max')}
                   THEN ${TS_MATTERS} ELSE 0 END),
                first_value, last_value, min_value, max_value
         FROM metric_buckets WHERE series_id = ? AND bucket BETWEEN ? AND ? AND first_step IS NOT NULL ORDER BY bucket`,
      )
      .raw();
  }

  run(request: SeriesRequest): SeriesResponse {
    return unpackSeries(this.runPacked(request));
  }

  runPacked(request: SeriesRequest): PackedSeriesResponse {
    const time = request.x === 'time';
    const out = new PointBuffer(Math.min(1 << 20, Math.max(1024, request.runIds.length * request.keys.length * Math.min(request.maxPoints, 4096))), time);
    const series: PackedSeriesResponse['series'] = [];
    for (const runId of request.runIds) {
      for (const key of request.keys) {
        const before = out.length;
        const meta = this.one(runId, key, request, out);
        if (meta) series.push({ ...meta, length: out.length - before });
      }
    }
    const n = out.length;
    return { series, x: time ? out.x.subarray(0, n) : undefined, y: out.y.subarray(0, n), steps: out.steps.subarray(0, n) };
  }

  private one(runId: string, key: string, request: SeriesRequest, out: PointBuffer): { runId: string; key: string; total: number; downsampled: boolean } | undefined {
    const row = this.seriesOf.get(runId, key) as [number, number] | undefined;
    if (!row || row[1] === 0) return undefined;
    const [id, pointCount] = row;
    const own = request.runRanges?.[runId];
    const from = own ? own.startStep : request.startStep;
    const to = own ? own.endStep : request.endStep;
    let total = pointCount;
    const [min, max] = this.rangeOf.get({ id }) as [number, number];
    // A range reaching past the series is clamped to it, so the buckets cover only steps that exist.
    const lo = from === undefined ? min : Math.max(from, min);
    const hi = to === undefined ? max : Math.min(to, max);
    if (from !== undefined || to !== undefined) {
      if (lo > hi) return { runId, key, total: 0, downsampled: false };
      total = this.countInRange.get(id, lo, hi) as number;
    }
    const time = request.x === 'time';
    if (total <= request.maxPoints) {
      for (const [step, ts, value, isNan] of this.rawPoints.all(id, lo, hi) as RawRow[]) {
        out.push(time ? ts : step, step, isNan ? NaN : (value as number));
      }
      return { runId, key, total, downsampled: false };
    }
    const width = bucketWidth(lo, hi, total, request.maxPoints);
    const m4 = this.m4;
    m4.reset(Math.floor((hi - lo) / width) + 1);
    if (width >= BUCKET_WIDTH) this.fromSummaries(id, lo, hi, width, time);
    else this.fromRaw(id, lo, hi, width);
    m4.emit(out, time);
    return { runId, key, total, downsampled: true };
  }

  /** Merges stored 64-step summaries into `width`-step buckets; partial edge buckets use raw points. */
  private fromSummaries(id: number, lo: number, hi: number, width: number, time: boolean): void {
    const firstFull = Math.ceil(lo / BUCKET_WIDTH);
    const lastFull = Math.floor((hi + 1) / BUCKET_WIDTH) - 1;
    if (firstFull > lastFull) return this.fromRaw(id, lo, hi, width);
    const m4 = this.m4;
    const packed = time || !PACKABLE ? undefined : (this.stepBucketRows.all(id, firstFull, lastFull) as number[][]);
    if (packed && !packed.some((r) => r[1] >= TS_MATTERS)) {
      // Timestamps stand in as 0: only ever compared between points of one
      // stored bucket that share a step, and then they are equal.
      for (const r of packed) {
        const start = r[0] * BUCKET_WIDTH;
        const p = r[1];
        m4.add(Math.floor((start - lo) / width), start + (p & 63), 0, r[2], start + ((p >> 6) & 63), 0, r[3], start + ((p >> 12) & 63), 0, r[4], start + ((p >> 18) & 63), 0, r[5]);
      }
    } else {
      for (const r of this.bucketRows.all(id, firstFull, lastFull) as number[][]) {
        m4.add(Math.floor((r[0] * BUCKET_WIDTH - lo) / width), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12]);
      }
    }
    // Edges not covered by whole stored buckets, merged after the summaries.
    if (firstFull * BUCKET_WIDTH > lo) this.rawInto(id, lo, firstFull * BUCKET_WIDTH - 1, lo, width);
    if ((lastFull + 1) * BUCKET_WIDTH <= hi) this.rawInto(id, (lastFull + 1) * BUCKET_WIDTH, hi, lo, width);
  }

  private fromRaw(id: number, lo: number, hi: number, width: number): void {
    this.rawInto(id, lo, hi, lo, width);
  }

  private rawInto(id: number, from: number, to: number, lo: number, width: number): void {
    const m4 = this.m4;
    for (const [step, ts, value, isNan] of this.rawPoints.all(id, from, to) as RawRow[]) {
      if (!isNan) m4.addPoint(Math.floor((step - lo) / width), step, ts, value as number);
    }
  }
}

/** Back to one object per series with plain arrays (what the HTTP layer serialises). */
export function unpackSeries(packed: PackedSeriesResponse): SeriesResponse {
  let offset = 0;
  const series = packed.series.map((s): SeriesData => {
    const end = offset + s.length;
    const steps = toArray(packed.steps, offset, end);
    const data: SeriesData = {
      runId: s.runId,
      key: s.key,
      total: s.total,
      downsampled: s.downsampled,
      x: packed.x ? toArray(packed.x, offset, end) : steps.slice(),
      y: toArray(packed.y, offset, end),
      steps,
    };
    offset = end;
    return data;
  });
  return { series };
}

/** A plain (packed-elements) array of part of a typed array; quick to map and stringify. */
function toArray(source: Float64Array, start: number, end: number): number[] {
  const n = end - start;
  // Array.apply builds the array in one step; Array(n) with a single argument
  // would mean "length n", and very long argument lists can overflow the stack.
  if (n >= 2 && n <= 30_000) return Array.apply(null, source.subarray(start, end) as unknown as number[]) as number[];
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(source[i]);
  return out;
}

/** Growable steps/y columns, and x when it is the time rather than the step. */
class PointBuffer {
  x: Float64Array;
  y: Float64Array;
  steps: Float64Array;
  length = 0;

  constructor(
    capacity: number,
    private readonly time: boolean,
  ) {
    this.x = new Float64Array(time ? capacity : 0);
    this.y = new Float64Array(capacity);
    this.steps = new Float64Array(capacity);
  }

  /** One point; `x` is ignored unless the buffer was made for x = 'time'. */
  push(x: number, step: number, y: number): void {
    const i = this.length;
    if (i === this.y.length) this.grow();
    if (this.time) this.x[i] = x;
    this.steps[i] = step;
    this.y[i] = y;
    this.length = i + 1;
  }

  private grow(): void {
    const capacity = this.y.length * 2;
    const copy = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    if (this.time) this.x = copy(this.x);
    this.y = copy(this.y);
    this.steps = copy(this.steps);
  }
}

// Slots of one M4 bucket in M4Accumulator.data: (step, ts, value) of the
// first, last, min and max points.
const FS = 0, FT = 1, FV = 2, LS = 3, LT = 4, LV = 5, NS = 6, NT = 7, NV = 8, XS = 9, XT = 10, XV = 11;
const SLOTS = 12;

/**
 * M4 buckets of one series, by output bucket index. Merging follows the rule
 * of the summaries: first = earliest (step, then ts), last = latest, min and
 * max keep the bucket already held on a tie.
 */
class M4Accumulator {
  private data = new Float64Array(256 * SLOTS);
  private used = new Uint8Array(256);
  private size = 0;

  reset(size: number): void {
    if (size > this.used.length) {
      this.used = new Uint8Array(size);
      this.data = new Float64Array(size * SLOTS);
    } else {
      this.used.fill(0, 0, size);
    }
    this.size = size;
  }

  add(i: number, fs: number, ft: number, fv: number, ls: number, lt: number, lv: number, ns: number, nt: number, nv: number, xs: number, xt: number, xv: number): void {
    const d = this.data;
    const o = i * SLOTS;
    if (!this.used[i]) {
      this.used[i] = 1;
      d[o + FS] = fs; d[o + FT] = ft; d[o + FV] = fv;
      d[o + LS] = ls; d[o + LT] = lt; d[o + LV] = lv;
      d[o + NS] = ns; d[o + NT] = nt; d[o + NV] = nv;
      d[o + XS] = xs; d[o + XT] = xt; d[o + XV] = xv;
      return;
    }
    if (fs < d[o + FS] || (fs === d[o + FS] && ft < d[o + FT])) {
      d[o + FS] = fs; d[o + FT] = ft; d[o + FV] = fv;
    }
    if (d[o + LS] < ls || (d[o + LS] === ls && d[o + LT] < lt)) {
      d[o + LS] = ls; d[o + LT] = lt; d[o + LV] = lv;
    }
    if (nv < d[o + NV]) {
      d[o + NS] = ns; d[o + NT] = nt; d[o + NV] = nv;
    }
    if (xv > d[o + XV]) {
      d[o + XS] = xs; d[o + XT] = xt; d[o + XV] = xv;
    }
  }

  addPoint(i: number, step: number, ts: number, value: number): void {
    this.add(i, step, ts, value, step, ts, value, step, ts, value, step, ts, value);
  }

  /** Each bucket's distinct points in (step, ts) order, buckets in index order. */
  emit(out: PointBuffer, time: boolean): void {
    const d = this.data;
    // The four candidates in the order first, min, max, last; sorted stably.
    const order = [0, 0, 0, 0];
    const base = [FS, NS, XS, LS];
    for (let i = 0; i < this.size; i++) {
      if (!this.used[i]) continue;
      const o = i * SLOTS;
      for (let k = 0; k < 4; k++) {
        const slot = o + base[k];
        let j = k;
        // Insertion sort: move left past candidates that sort after this one.
        while (j > 0) {
          const prev = order[j - 1];
          const cmp = d[prev] - d[slot] || d[prev + 1] - d[slot + 1];
          if (!(cmp > 0)) break;
          order[j] = prev;
          j--;
        }
        order[j] = slot;
      }
      let previous = -1;
      for (let k = 0; k < 4; k++) {
        const p = order[k];
        if (previous >= 0 && d[previous] === d[p] && d[previous + 1] === d[p + 1] && d[previous + 2] === d[p + 2]) continue;
        out.push(time ? d[p + 1] : d[p], d[p], d[p + 2]);
        previous = p;
      }
    }
  }
}

/**
 * Steps per output bucket (each keeps up to 4 points). A request finer than the
 * stored 64-step summaries is answered from raw points only while that stays a
 * small read (a zoom); over a long range it uses the summaries as they are,
 * returning fewer points than asked rather than reading every point (10x slower).
 */
export function bucketWidth(lo: number, hi: number, total: number, maxPoints: number): number {
  const width = Math.ceil((hi - lo + 1) / Math.max(1, Math.floor(maxPoints / 4)));
  return width < BUCKET_WIDTH && total > RAW_READ_FACTOR * maxPoints ? BUCKET_WIDTH : width;
}
