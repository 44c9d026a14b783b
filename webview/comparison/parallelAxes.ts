// The axes of the parallel coordinates: one per param that varies across the
// runs (numeric ones scaled, linear or log; others as evenly spaced categories),
// then the chosen metric. Positions are fractions of the axis height, 0 = bottom.
import type { ComparisonRun } from '../../src/protocol/comparisonMessages';
import { formatCompact, formatTick } from '../shared/numberFormat';

export interface Axis {
  name: string;
  isMetric: boolean;
  kind: 'linear' | 'log' | 'category';
  categories: string[];
  /** Domain of linear axes; of log axes, in log10. */
  min: number;
  max: number;
  /** Some runs lack the param: they sit in a "none" slot under the axis. */
  hasMissing: boolean;
}

/** Where runs without a value sit: below the axis' bottom. */
export const MISSING_POS = -0.12;
/** Below the "none" slot: half a label's height and a margin. */
const MISSING_LABEL_ROOM = 14;

/**
 * Where the axes end in a chart `height` tall. With runs lacking a value on some
 * axis, the axes are shortened so that their "none" slot (MISSING_POS below the
 * bottom) and its label stay inside the chart rather than past its edge.
 */
export function axesBottom(height: number, pad: { top: number; bottom: number }, hasMissing: boolean): number {
  return hasMissing ? pad.top + (height - MISSING_LABEL_ROOM - pad.top) / (1 - MISSING_POS) : height - pad.bottom;
}

export interface AxisLine {
  run: ComparisonRun;
  /** Position on each axis, in axis order. */
  pos: number[];
  metric: number;
}

export interface ParallelModel {
  axes: Axis[];
  lines: AxisLine[];
  /** Runs without a finite value of the metric (left out). */
  leftOut: ComparisonRun[];
  /** Params equal in every run (no axis). */
  constant: string[];
}

function numericValue(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return NaN;
  return Number(v);
}

const byText = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function paramAxis(name: string, values: (string | undefined)[]): Axis {
  const present = values.filter((v): v is string => v !== undefined);
  const hasMissing = present.length < values.length;
  const nums = present.map(numericValue);
  if (nums.length > 0 && nums.every(Number.isFinite)) {
    let min = Math.min(...nums);
    let max = Math.max(...nums);
    // Learning rates and the like spread over decades: a log axis keeps them apart.
    if (min > 0 && max / min >= 100) return { name, isMetric: false, kind: 'log', categories: [], min: Math.log10(min), max: Math.log10(max), hasMissing };
    if (min === max) ((min -= Math.abs(min) * 0.1 || 1), (max += Math.abs(max) * 0.1 || 1));
    return { name, isMetric: false, kind: 'linear', categories: [], min, max, hasMissing };
  }
  return { name, isMetric: false, kind: 'category', categories: [...new Set(present)].sort(byText), min: 0, max: 1, hasMissing };
}

export function buildModel(runs: readonly ComparisonRun[], metric: string): ParallelModel {
  const withMetric: { run: ComparisonRun; metric: number }[] = [];
  const leftOut: ComparisonRun[] = [];
  for (const run of runs) {
    const v = run.metrics[metric];
    if (typeof v === 'number' && Number.isFinite(v)) withMetric.push({ run, metric: v });
    else leftOut.push(run);
  }
  const names = [...new Set(withMetric.flatMap(({ run }) => Object.keys(run.params)))].sort(byText);
  const axes: Axis[] = [];
  const constant: string[] = [];
  for (const name of names) {
    const values = withMetric.map(({ run }) => run.params[name]);
    if (new Set(values).size > 1) axes.push(paramAxis(name, values));
    else constant.push(name);
  }
  const metrics = withMetric.map((m) => m.metric);
  let min = Math.min(...metrics);
  let max = Math.max(...metrics);
  if (min === max) ((min -= Math.abs(min) * 0.1 || 1), (max += Math.abs(max) * 0.1 || 1));
  axes.push({ name: metric, isMetric: true, kind: 'linear', categories: [], min, max, hasMissing: false });
  const lines = withMetric.map(({ run, metric: m }) => ({
    run,
    metric: m,
    pos: axes.map((axis) => (axis.isMetric ? position(axis, m) : position(axis, run.params[axis.name]))),
  }));
  return { axes, lines, leftOut, constant };
}

export function position(axis: Axis, value: string | number | undefined): number {
  if (value === undefined) return MISSING_POS;
  if (axis.kind === 'category') {
    const i = axis.categories.indexOf(String(value));
    return i < 0 ? MISSING_POS : (i + 0.5) / axis.categories.length;
  }
  let v = typeof value === 'number' ? value : numericValue(value);
  if (!Number.isFinite(v)) return MISSING_POS;
  if (axis.kind === 'log') v = Math.log10(v);
  return (v - axis.min) / (axis.max - axis.min);
}

/** How finely brush ends are given: a hundredth of the axis (more than a brush drawn by hand can mean). */
const BRUSH_RESOLUTION = 100;

/** The value at a position, as text (brush labels). */
export function valueAt(axis: Axis, pos: number): string {
  if (axis.kind === 'category') return axis.categories[Math.max(0, Math.min(axis.categories.length - 1, Math.floor(pos * axis.categories.length)))] ?? '';
  const v = axis.min + pos * (axis.max - axis.min);
  if (axis.kind === 'log') return formatCompact(Math.pow(10, v));
  const resolution = niceStep((axis.max - axis.min) / BRUSH_RESOLUTION);
  return formatTick(Math.round(v / resolution) * resolution, resolution);
}

export interface Tick {
  pos: number;
  label: string;
}

export function ticks(axis: Axis): Tick[] {
  const out: Tick[] = [];
  if (axis.kind === 'category') axis.categories.forEach((c, i) => out.push({ pos: (i + 0.5) / axis.categories.length, label: c }));
  else if (axis.kind === 'log') {
    for (let e = Math.ceil(axis.min - 1e-9); e <= axis.max + 1e-9; e++) out.push({ pos: (e - axis.min) / (axis.max - axis.min), label: formatCompact(Math.pow(10, e)) });
    if (out.length < 2) out.splice(0, out.length, { pos: 0, label: formatCompact(Math.pow(10, axis.min)) }, { pos: 1, label: formatCompact(Math.pow(10, axis.max)) });
  } else {
    const step = niceStep((axis.max - axis.min) / 4);
    // Labels with the digits the step needs: close values (0.8241..0.8247) must not all read 0.824.
    for (let i = Math.ceil(axis.min / step - 1e-9); i * step <= axis.max + step * 1e-9; i++) {
      const v = i * step;
      out.push({ pos: (v - axis.min) / (axis.max - axis.min), label: formatTick(v, step) });
    }
  }
  if (axis.hasMissing) out.push({ pos: MISSING_POS, label: 'none' });
  return out;
}

function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}
