import type { Db } from '../store/openDatabase';
import { BUCKET_WIDTH } from './metricBuckets';

export interface SeriesRequest {
  runIds: string[];
  keys: string[];
  maxPoints: number;
  x: 'step' | 'time';
  startStep?: number;
  endStep?: number;
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

// Downsampled series for charts: for each (run, key), at most `maxPoints`
// points that keep the shape of the curve (M4: every bucket keeps its first,
// last, min and max point). Long series are answered from the step-bucket
// summaries maintained at ingest; short ones, or a zoom finer than a bucket,
// from the raw points.

interface Point {
  step: number;
  ts: number;
  value: number;
}

interface M4 {
  first: Point;
  last: Point;
  min: Point;
  max: Point;
}

type Series = SeriesData;

export class SeriesQuery {
  private readonly seriesOf;
  private readonly rangeOf;
  private readonly countInRange;
  private readonly rawPoints;
  private readonly bucketRows;

  constructor(db: Db) {
    this.seriesOf = db.prepare('SELECT series_id, point_count FROM metric_series WHERE run_uuid = ? AND key = ?');
    this.rangeOf = db.prepare('SELECT MIN(step) AS lo, MAX(step) AS hi FROM metric_points WHERE series_id = ?');
    this.countInRange = db.prepare('SELECT COUNT(*) FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ?').pluck();
    this.rawPoints = db.prepare('SELECT step, ts, value, is_nan FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step, ts').raw();
    this.bucketRows = db
      .prepare(
        `SELECT bucket, first_step, first_ts, first_value, last_step, last_ts, last_value,
                min_step, min_ts, min_value, max_step, max_ts, max_value
         FROM metric_buckets WHERE series_id = ? AND bucket BETWEEN ? AND ? AND first_step IS NOT NULL ORDER BY bucket`,
      )
      .raw();
  }

  run(request: SeriesRequest): SeriesResponse {
    const series: Series[] = [];
    for (const runId of request.runIds) {
      for (const key of request.keys) {
        const s = this.one(runId, key, request);
        if (s) series.push(s);
      }
    }
    return { series };
  }

  private one(runId: string, key: string, request: SeriesRequest): Series | undefined {
    const row = this.seriesOf.get(runId, key) as { series_id: number; point_count: number } | undefined;
    if (!row || row.point_count === 0) return undefined;
    const id = row.series_id;
    let lo = request.startStep;
    let hi = request.endStep;
    let total = row.point_count;
    if (lo === undefined || hi === undefined) {
      const range = this.rangeOf.get(id) as { lo: number; hi: number };
      lo ??= range.lo;
      hi ??= range.hi;
    }
    if (request.startStep !== undefined || request.endStep !== undefined) total = this.countInRange.get(id, lo, hi) as number;
    const out: Series = { runId, key, total, downsampled: false, x: [], y: [], steps: [] };
    if (total <= request.maxPoints) {
      for (const [step, ts, value, isNan] of this.rawPoints.all(id, lo, hi) as [number, number, number | null, number][]) {
        push(out, request.x, step, ts, isNan ? NaN : (value as number));
      }
      return out;
    }
    out.downsampled = true;
    const bucketCount = Math.max(1, Math.floor(request.maxPoints / 4));
    const width = Math.ceil((hi - lo + 1) / bucketCount);
    const buckets = width >= BUCKET_WIDTH ? this.fromSummaries(id, lo, hi, width) : this.fromRaw(id, lo, hi, width);
    for (const b of buckets) emit(out, request.x, b);
    return out;
  }

  /** Merges stored 64-step summaries into `width`-step buckets; partial edge buckets use raw points. */
  private fromSummaries(id: number, lo: number, hi: number, width: number): M4[] {
    const firstFull = Math.ceil(lo / BUCKET_WIDTH);
    const lastFull = Math.floor((hi + 1) / BUCKET_WIDTH) - 1;
    const merged = new Map<number, M4>();
    const add = (p: Point) => mergePoint(merged, Math.floor((p.step - lo) / width), p);
    if (firstFull > lastFull) return [...this.fromRaw(id, lo, hi, width)];
    for (const r of this.bucketRows.all(id, firstFull, lastFull) as number[][]) {
      const summary: M4 = {
        first: { step: r[1], ts: r[2], value: r[3] },
        last: { step: r[4], ts: r[5], value: r[6] },
        min: { step: r[7], ts: r[8], value: r[9] },
        max: { step: r[10], ts: r[11], value: r[12] },
      };
      const index = Math.floor((r[0] * BUCKET_WIDTH - lo) / width);
      const existing = merged.get(index);
      merged.set(index, existing ? mergeM4(existing, summary) : summary);
    }
    // Edges not covered by whole stored buckets.
    const edges: [number, number][] = [];
    if (firstFull * BUCKET_WIDTH > lo) edges.push([lo, firstFull * BUCKET_WIDTH - 1]);
    if ((lastFull + 1) * BUCKET_WIDTH <= hi) edges.push([(lastFull + 1) * BUCKET_WIDTH, hi]);
    for (const [a, b] of edges) {
      for (const [step, ts, value, isNan] of this.rawPoints.all(id, a, b) as [number, number, number | null, number][]) {
        if (!isNan) add({ step, ts, value: value as number });
      }
    }
    return [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
  }

  private fromRaw(id: number, lo: number, hi: number, width: number): M4[] {
    const merged = new Map<number, M4>();
    for (const [step, ts, value, isNan] of this.rawPoints.all(id, lo, hi) as [number, number, number | null, number][]) {
      if (!isNan) mergePoint(merged, Math.floor((step - lo) / width), { step, ts, value: value as number });
    }
    return [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
  }
}

function isBefore(a: Point, b: Point): boolean {
  return a.step < b.step || (a.step === b.step && a.ts < b.ts);
}

function mergeM4(a: M4, b: M4): M4 {
  return {
    first: isBefore(b.first, a.first) ? b.first : a.first,
    last: isBefore(a.last, b.last) ? b.last : a.last,
    min: b.min.value < a.min.value ? b.min : a.min,
    max: b.max.value > a.max.value ? b.max : a.max,
  };
}

function mergePoint(buckets: Map<number, M4>, index: number, p: Point): void {
  const existing = buckets.get(index);
  buckets.set(index, existing ? mergeM4(existing, { first: p, last: p, min: p, max: p }) : { first: p, last: p, min: p, max: p });
}

/** The bucket's distinct points in step order. */
function emit(out: Series, x: 'step' | 'time', b: M4): void {
  const points = [b.first, b.min, b.max, b.last].sort((p, q) => p.step - q.step || p.ts - q.ts);
  let previous: Point | undefined;
  for (const p of points) {
    if (previous && previous.step === p.step && previous.ts === p.ts && previous.value === p.value) continue;
    push(out, x, p.step, p.ts, p.value);
    previous = p;
  }
}

function push(out: Series, x: 'step' | 'time', step: number, ts: number, value: number): void {
  out.x.push(x === 'step' ? step : ts);
  out.steps.push(step);
  out.y.push(value);
}
