// The points a metric chart's tooltip lists at the hovered x: one per run. Runs
// log at different steps (one every step, another every 10th; downsampling picks
// different points of each), so points at exactly the same x are the exception:
// each run contributes its point nearest the pointer, if its curve spans it.

/** A chart point; null where chart.js allows it (treated as a gap). */
export interface XY {
  x: number | null;
  y: number | null;
}

export interface PointAtX {
  /** Index of the series (the chart's dataset). */
  series: number;
  /** Index of the point in its series. */
  index: number;
  x: number;
  y: number;
}

/**
 * For each series given (null: left out, as hidden runs are), its finite point
 * nearest `x`, when `x` lies between its first and last point (`slack` beyond
 * them still counts: the pointer on a curve's last point is a little past it).
 */
export function pointsAtX(series: readonly (readonly XY[] | null)[], x: number, slack: number): PointAtX[] {
  const out: PointAtX[] = [];
  series.forEach((points, s) => {
    if (!points) return;
    let best = -1;
    let bestDistance = Infinity;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < points.length; i++) {
      const px = points[i].x;
      if (px === null || !Number.isFinite(px) || !Number.isFinite(points[i].y)) continue;
      if (px < min) min = px;
      if (px > max) max = px;
      const d = Math.abs(px - x);
      if (d < bestDistance) ((bestDistance = d), (best = i));
    }
    if (best < 0 || x < min - slack || x > max + slack) return;
    out.push({ series: s, index: best, x: points[best].x!, y: points[best].y! });
  });
  return out;
}

/** The x the tooltip is about: that of the listed point nearest the pointer. */
export function hoveredX(points: readonly PointAtX[], x: number): number | undefined {
  let best: PointAtX | undefined;
  for (const p of points) if (!best || Math.abs(p.x - x) < Math.abs(best.x - x)) best = p;
  return best?.x;
}
