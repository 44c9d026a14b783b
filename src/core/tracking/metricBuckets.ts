import type { MetricPoint } from './types';

// Step buckets of this width carry M4 summaries. 64 steps gives ~300 rows for a
// 20,000-step series: enough resolution for a 1,000-point chart, few enough rows
// to read 500 series in one request.
export const BUCKET_WIDTH = 64;

export interface BucketPoint {
  step: number;
  timestamp: number;
  value: number;
}

export interface BucketSummary {
  bucket: number;
  n: number;
  first?: BucketPoint;
  last?: BucketPoint;
  min?: BucketPoint;
  max?: BucketPoint;
}

export function bucketOf(step: number): number {
  return Math.floor(step / BUCKET_WIDTH);
}

/** M4 summary per bucket of one series' points; NaN points count but are not summarised. */
export function summarizeBuckets(points: MetricPoint[]): BucketSummary[] {
  const buckets = new Map<number, BucketSummary>();
  for (const p of points) {
    const id = bucketOf(p.step);
    let b = buckets.get(id);
    if (!b) buckets.set(id, (b = { bucket: id, n: 0 }));
    b.n++;
    if (Number.isNaN(p.value)) continue;
    const point = { step: p.step, timestamp: p.timestamp, value: p.value };
    if (!b.first || p.step < b.first.step || (p.step === b.first.step && p.timestamp < b.first.timestamp)) b.first = point;
    if (!b.last || p.step > b.last.step || (p.step === b.last.step && p.timestamp >= b.last.timestamp)) b.last = point;
    if (!b.min || p.value < b.min.value) b.min = point;
    if (!b.max || p.value > b.max.value) b.max = point;
  }
  return [...buckets.values()];
}
