import type { Statement } from 'better-sqlite3';
import type { Store } from '../store/store';
import { StoreError } from '../store/storeErrors';
import type { ChangeLog } from './changeLog';
import { validateKey } from './limits';
import type { MetricPoint } from './types';
import { BUCKET_WIDTH, summarizeBuckets, type BucketSummary } from './metricBuckets';

// Rows per multi-row INSERT of points: one native call binds this many rows.
const POINT_CHUNK = 100;

// The ingest hot path. A batch is written with prepared statements in the
// caller's transaction: points, then one "latest" update per series, then one
// upsert per touched step bucket (the M4 summaries charts read).
export class MetricStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly insertSeries: Statement;
  private readonly selectSeries: Statement;
  /** Multi-row point INSERTs by row count (POINT_CHUNK, and the remainders seen). */
  private readonly insertPointsBySize: Statement[] = [];
  private readonly pointArgs: unknown[] = new Array(POINT_CHUNK * 5);
  private readonly updateLatest: Statement;
  private readonly upsertBucket: Statement;
  private readonly historyPage: Statement;
  private readonly historyFrom: Statement;
  private readonly historyAfter: Statement;
  private readonly seriesOf: Statement;
  private readonly latestOfSeries: Statement;

  constructor(
    private readonly store: Store,
    private readonly changes: ChangeLog,
  ) {
    const db = store.db;
    this.insertSeries = db.prepare('INSERT INTO metric_series (run_uuid, key) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.selectSeries = db.prepare('SELECT series_id FROM metric_series WHERE run_uuid = ? AND key = ?').pluck();
    // MLflow's "latest": highest step, then timestamp, then value.
    this.updateLatest = db.prepare(`
      UPDATE metric_series SET
        point_count = point_count + @n,
        latest_step  = CASE WHEN @better THEN @step  ELSE latest_step  END,
        latest_ts    = CASE WHEN @better THEN @ts    ELSE latest_ts    END,
        latest_value = CASE WHEN @better THEN @value ELSE latest_value END,
        latest_is_nan = CASE WHEN @better THEN @isNan ELSE latest_is_nan END
      WHERE series_id = @seriesId`);
    this.upsertBucket = db.prepare(`
      INSERT INTO metric_buckets (series_id, bucket, n,
        first_step, first_ts, first_value, last_step, last_ts, last_value,
        min_step, min_ts, min_value, max_step, max_ts, max_value)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (series_id, bucket) DO UPDATE SET
        n = n + excluded.n,
        first_step  = CASE WHEN first_step IS NULL OR (excluded.first_step IS NOT NULL AND (excluded.first_step < first_step OR (excluded.first_step = first_step AND excluded.first_ts < first_ts))) THEN excluded.first_step  ELSE first_step  END,
        first_ts    = CASE WHEN first_step IS NULL OR (excluded.first_step IS NOT NULL AND (excluded.first_step < first_step OR (excluded.first_step = first_step AND excluded.first_ts < first_ts))) THEN excluded.first_ts    ELSE first_ts    END,
        first_value = CASE WHEN first_step IS NULL OR (excluded.first_step IS NOT NULL AND (excluded.first_step < first_step OR (excluded.first_step = first_step AND excluded.first_ts < first_ts))) THEN excluded.first_value ELSE first_value END,
        last_step  = CASE WHEN last_step IS NULL OR (excluded.last_step IS NOT NULL AND (excluded.last_step > last_step OR (excluded.last_step = last_step AND excluded.last_ts >= last_ts))) THEN excluded.last_step  ELSE last_step  END,
        last_ts    = CASE WHEN last_step IS NULL OR (excluded.last_step IS NOT NULL AND (excluded.last_step > last_step OR (excluded.last_step = last_step AND excluded.last_ts >= last_ts))) THEN excluded.last_ts    ELSE last_ts    END,
        last_value = CASE WHEN last_step IS NULL OR (excluded.last_step IS NOT NULL AND (excluded.last_step > last_step OR (excluded.last_step = last_step AND excluded.last_ts >= last_ts))) THEN excluded.last_value ELSE last_value END,
        min_step  = CASE WHEN min_value IS NULL OR excluded.min_value < min_value THEN excluded.min_step  ELSE min_step  END,
        min_ts    = CASE WHEN min_value IS NULL OR excluded.min_value < min_value THEN excluded.min_ts    ELSE min_ts    END,
        min_value = CASE WHEN min_value IS NULL OR excluded.min_value < min_value THEN excluded.min_value ELSE min_value END,
        max_step  = CASE WHEN max_value IS NULL OR excluded.max_value > max_value THEN excluded.max_step  ELSE max_step  END,
        max_ts    = CASE WHEN max_value IS NULL OR excluded.max_value > max_value THEN excluded.max_ts    ELSE max_ts    END,
        max_value = CASE WHEN max_value IS NULL OR excluded.max_value > max_value THEN excluded.max_value ELSE max_value END`);
    this.historyPage = db.prepare(
      `SELECT step, ts, value, is_nan FROM metric_points WHERE series_id = ? ORDER BY step, ts, rowid LIMIT ? OFFSET ?`,
    );
    this.historyFrom = db.prepare(
      `SELECT rowid AS id, step, ts, value, is_nan FROM metric_points WHERE series_id = ? ORDER BY step, ts, rowid LIMIT ? OFFSET ?`,
    );
    this.historyAfter = db.prepare(
      `SELECT rowid AS id, step, ts, value, is_nan FROM metric_points WHERE series_id = ? AND (step, ts, rowid) > (?, ?, ?) ORDER BY step, ts, rowid LIMIT ?`,
    );
    this.seriesOf = db.prepare('SELECT series_id FROM metric_series WHERE run_uuid = ? AND key = ?').pluck();
    this.latestOfSeries = db.prepare('SELECT latest_step, latest_ts, latest_value, latest_is_nan FROM metric_series WHERE series_id = ?');
  }

  /** Validates a batch without writing (so a bad point rejects the whole request). */
  validate(points: MetricPoint[]): void {
    // A batch repeats a few keys many times; each distinct key is checked once
    // (validateKey is pure), and the first bad point still raises the error.
    let lastKey: string | undefined;
    let checked: Set<string> | undefined;
    for (const p of points) {
      if (p.key !== lastKey) {
        if (!checked?.has(p.key)) {
          validateKey('metric', p.key);
          (checked ??= new Set()).add(p.key);
        }
        lastKey = p.key;
      }
      if (!Number.isSafeInteger(p.step)) throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid metric step ${p.step} for '${p.key}': must be an integer.`);
      if (!Number.isSafeInteger(p.timestamp)) throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid metric timestamp ${p.timestamp} for '${p.key}': must be an integer (milliseconds).`);
      if (typeof p.value !== 'number') throw new StoreError('INVALID_PARAMETER_VALUE', `Got invalid value ${String(p.value)} for metric '${p.key}' (expected a number).`);
    }
  }

  /** Writes validated points for an active run; call inside `store.write`. */
  insert(runId: string, experimentId: number, points: MetricPoint[]): void {
    if (points.length === 0) return;
    // Points go in as multi-row INSERTs (one native call per POINT_CHUNK rows
    // instead of per row), in the order given, so rowids are as one-by-one.
    const bySeries = new Map<number, MetricPoint[]>();
    const byKey = new Map<string, { id: number; list: MetricPoint[] }>();
    const args = this.pointArgs;
    let lastKey: string | undefined;
    let list: MetricPoint[] = [];
    let seriesId = 0;
    let n = 0;
    for (const p of points) {
      if (p.key !== lastKey) {
        let known = byKey.get(p.key);
        if (!known) {
          known = { id: this.seriesId(runId, p.key), list: [] };
          byKey.set(p.key, known);
          bySeries.set(known.id, known.list);
        }
        seriesId = known.id;
        list = known.list;
        lastKey = p.key;
      }
      list.push(p);
      const nan = Number.isNaN(p.value);
      const o = n * 5;
      args[o] = seriesId;
      args[o + 1] = p.step;
      args[o + 2] = p.timestamp;
      args[o + 3] = nan ? null : p.value;
      args[o + 4] = nan ? 1 : 0;
      if (++n === POINT_CHUNK) {
        this.insertPoints(POINT_CHUNK).run(args);
        n = 0;
      }
    }
    if (n > 0) this.insertPoints(n).run(n === POINT_CHUNK ? args : args.slice(0, n * 5));
    for (const [id, seriesPoints] of bySeries) {
      const latest = latestOf(seriesPoints);
      const nan = Number.isNaN(latest.value);
      this.updateLatest.run({
        seriesId: id,
        n: seriesPoints.length,
        step: latest.step,
        ts: latest.timestamp,
        value: nan ? null : latest.value,
        isNan: nan ? 1 : 0,
        better: this.isBetterThanStored(id, latest) ? 1 : 0,
      });
      for (const bucket of summarizeBuckets(seriesPoints)) this.upsertBucket.run(bucketParams(id, bucket));
    }
    this.changes.record('metrics', experimentId, runId);
  }

  /** The INSERT of `rows` points, prepared once per row count. */
  private insertPoints(rows: number): Statement {
    let statement = this.insertPointsBySize[rows];
    if (!statement) {
      const values = new Array<string>(rows).fill('(?, ?, ?, ?, ?)').join(', ');
      statement = this.store.db.prepare(`INSERT INTO metric_points (series_id, step, ts, value, is_nan) VALUES ${values}`);
      this.insertPointsBySize[rows] = statement;
    }
    return statement;
  }

  private isBetterThanStored(seriesId: number, p: MetricPoint): boolean {
    const row = this.latestOfSeries.get(seriesId) as { latest_step: number | null; latest_ts: number; latest_value: number | null; latest_is_nan: number };
    if (row.latest_step === null) return true;
    return compareLatest(p, { step: row.latest_step, timestamp: row.latest_ts, value: row.latest_is_nan ? NaN : (row.latest_value as number) }) > 0;
  }

  private seriesId(runId: string, key: string): number {
    const cacheKey = `${runId}\u0000${key}`;
    let id = this.seriesIds.get(cacheKey);
    if (id === undefined) {
      this.insertSeries.run(runId, key);
      id = this.selectSeries.get(runId, key) as number;
      if (this.seriesIds.size > 100_000) this.seriesIds.clear();
      this.seriesIds.set(cacheKey, id);
    }
    return id;
  }

  /** Every point of one series, ordered by step, paged by offset. */
  history(runId: string, key: string, limit: number, offset: number): MetricPoint[] {
    const seriesId = this.seriesOf.get(runId, key) as number | undefined;
    if (seriesId === undefined) return [];
    return (this.historyPage.all(seriesId, limit, offset) as PointRow[]).map((r) => toPoint(key, r));
  }

  /**
   * Every point of one series from `offset` on, in history order, `pageSize` at
   * a time. Each page is its own query that continues after the last point of
   * the one before: no statement stays open between pages (the connection
   * serves other requests meanwhile), and no page costs more than the first.
   */
  *historyPages(runId: string, key: string, offset = 0, pageSize = 10_000): Generator<MetricPoint[]> {
    const seriesId = this.seriesOf.get(runId, key) as number | undefined;
    if (seriesId === undefined) return;
    let rows = this.historyFrom.all(seriesId, pageSize, offset) as (PointRow & { id: number })[];
    while (rows.length > 0) {
      yield rows.map((r) => toPoint(key, r));
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      rows = this.historyAfter.all(seriesId, last.step, last.ts, last.id, pageSize) as (PointRow & { id: number })[];
    }
  }

  /**
   * MLflow's get-history-bulk-interval: up to `maxResults` steps sampled evenly
   * across the union of the runs' steps in the interval (always keeping the
   * first and last), and every point of each run at those steps.
   */
  sampledInterval(runIds: string[], key: string, maxResults: number, startStep?: number, endStep?: number): (MetricPoint & { runId: string })[] {
    const lo = startStep ?? Number.MIN_SAFE_INTEGER;
    const hi = endStep ?? Number.MAX_SAFE_INTEGER;
    const series = runIds.flatMap((runId) => {
      const seriesId = this.seriesOf.get(runId, key) as number | undefined;
      return seriesId === undefined ? [] : [{ runId, seriesId }];
    });
    if (series.length === 0) return [];
    const db = this.store.db;
    const marks = series.map(() => '?').join(',');
    const steps = db
      .prepare(`SELECT DISTINCT step FROM metric_points WHERE series_id IN (${marks}) AND step BETWEEN ? AND ? ORDER BY step`)
      .pluck()
      .all(...series.map((s) => s.seriesId), lo, hi) as number[];
    const wanted = new Set(sampleEvenly(steps, maxResults));
    const inRange = db.prepare(`SELECT step, ts, value, is_nan FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step, ts`);
    const out: (MetricPoint & { runId: string })[] = [];
    for (const { runId, seriesId } of series) {
      for (const r of inRange.all(seriesId, lo, hi) as PointRow[]) {
        if (wanted.has(r.step)) out.push({ ...toPoint(key, r), runId });
      }
    }
    return out;
  }
}

/** Up to `n` items spread evenly over `items`, always including the first and last. */
export function sampleEvenly<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  if (n <= 1) return items.slice(0, n);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.round((i * (items.length - 1)) / (n - 1))]);
  return out;
}

interface PointRow {
  step: number;
  ts: number;
  value: number | null;
  is_nan: number;
}

function toPoint(key: string, r: PointRow): MetricPoint {
  return { key, step: r.step, timestamp: r.ts, value: r.is_nan ? NaN : (r.value as number) };
}

/** >0 when `a` is "later" than `b` by MLflow's rule (step, timestamp, value). */
export function compareLatest(a: Pick<MetricPoint, 'step' | 'timestamp' | 'value'>, b: Pick<MetricPoint, 'step' | 'timestamp' | 'value'>): number {
  if (a.step !== b.step) return a.step - b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  // NaN ranks below every number, so a real value wins a full tie.
  const av = Number.isNaN(a.value) ? -Infinity : a.value;
  const bv = Number.isNaN(b.value) ? -Infinity : b.value;
  return av === bv ? 0 : av > bv ? 1 : -1;
}

function latestOf(points: MetricPoint[]): MetricPoint {
  let best = points[0];
  for (let i = 1; i < points.length; i++) if (compareLatest(points[i], best) > 0) best = points[i];
  return best;
}

/** The upsertBucket parameters, in column order. */
function bucketParams(seriesId: number, b: BucketSummary): unknown[] {
  return [
    seriesId, b.bucket, b.n,
    b.first?.step ?? null, b.first?.timestamp ?? null, b.first?.value ?? null,
    b.last?.step ?? null, b.last?.timestamp ?? null, b.last?.value ?? null,
    b.min?.step ?? null, b.min?.timestamp ?? null, b.min?.value ?? null,
    b.max?.step ?? null, b.max?.timestamp ?? null, b.max?.value ?? null,
  ];
}

export { BUCKET_WIDTH };
