import type { SeriesResponse } from '../../protocol/native';
import type { PackedSeries } from '../../protocol/seriesMessages';

/** The backend's series as one binary block (see packedSeries); non-finite values become NaN. */
export function packSeries(series: SeriesResponse['series']): PackedSeries {
  let n = 0;
  for (const s of series) n += s.x.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const withSteps = series.some((s) => s.steps);
  const steps = withSteps ? new Float64Array(n) : null;
  const slices: PackedSeries['slices'] = [];
  let offset = 0;
  for (const s of series) {
    if (s.x.length === 0) continue;
    slices.push({ runId: s.runId, key: s.key, total: s.total, downsampled: s.downsampled, offset, length: s.x.length });
    x.set(s.x, offset);
    for (let i = 0; i < s.y.length; i++) {
      const v = s.y[i];
      y[offset + i] = typeof v === 'number' ? v : NaN;
    }
    if (steps && s.steps) steps.set(s.steps, offset);
    offset += s.x.length;
  }
  return { slices, x, y, steps };
}
