// The series of one answer from the host (one binary block for all of them) as
// a chart reads them: views into the block, one per run and key, no copies.
import type { PackedSeries } from '../../src/protocol/seriesMessages';
import type { RunSeries } from './metricChart';

export interface SeriesPart {
  runId: string;
  key: string;
  series: RunSeries;
  /** Points stored in the series (in the range asked for); more than drawn when downsampled. */
  total: number;
  downsampled: boolean;
}

export function seriesParts(packed: PackedSeries): SeriesPart[] {
  const { slices, x, y, steps } = packed;
  return slices.map((s) => {
    const end = s.offset + s.length;
    return { runId: s.runId, key: s.key, total: s.total, downsampled: s.downsampled, series: { x: x.subarray(s.offset, end), y: y.subarray(s.offset, end), steps: steps?.subarray(s.offset, end) } };
  });
}
