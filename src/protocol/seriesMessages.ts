import { z } from 'zod';

// Metric series as the chart panels receive them (the comparison panel and the
// run detail panel's chart): downsampled by the backend, packed into typed arrays.

export const xAxisKind = z.enum(['step', 'wall', 'relative']);
export type XAxisKind = z.infer<typeof xAxisKind>;

// Series travel as three Float64Arrays for all series together (VS Code passes
// typed arrays to webviews as binary, not as JSON number lists), with a small
// index saying which slice is whose: 100 runs x 5 keys x 600 points is ~5 MB.
const float64Array = z.custom<Float64Array>((v) => Object.prototype.toString.call(v) === '[object Float64Array]', 'expected a Float64Array');

export const seriesSlice = z.object({
  runId: z.string(),
  key: z.string(),
  /** Points stored in the series (in the requested step range). */
  total: z.number(),
  downsampled: z.boolean(),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
});
export type SeriesSlice = z.infer<typeof seriesSlice>;

/** Every series of one answer: x (steps or epoch ms), y (NaN where the value was NaN or +-Infinity: a gap), steps (x = time only). */
export const packedSeries = z
  .object({ slices: z.array(seriesSlice), x: float64Array, y: float64Array, steps: float64Array.nullable() })
  .refine((p) => p.x.length === p.y.length && (p.steps === null || p.steps.length === p.x.length) && p.slices.every((s) => s.offset + s.length <= p.x.length), 'series slices out of range');
export type PackedSeries = z.infer<typeof packedSeries>;

export const stepRange = z.object({ startStep: z.number().int(), endStep: z.number().int() });
export type StepRange = z.infer<typeof stepRange>;
/** A zoom on a time axis, as each run's step range (runs map time to steps differently). */
export const runRanges = z.record(z.string(), stepRange);
export type RunRanges = z.infer<typeof runRanges>;
