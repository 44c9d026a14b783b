// A metric's history as a small inline SVG line (no canvas: it scales with the
// row and needs no drawing code). Gaps (NaN, Infinity) break the line.

const SVG = 'http://www.w3.org/2000/svg';

export function sparkline(values: (number | null)[], width = 120, height = 24): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'rd-spark');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  const finite = values.filter((v): v is number => v !== null);
  if (finite.length === 0) {
    svg.setAttribute('aria-label', 'no values');
    return svg;
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const pad = 2;
  const span = max - min || 1;
  const x = (i: number) => pad + (values.length === 1 ? (width - 2 * pad) / 2 : (i / (values.length - 1)) * (width - 2 * pad));
  const y = (v: number) => (max === min ? height / 2 : pad + (1 - (v - min) / span) * (height - 2 * pad));
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('class', 'rd-spark-line');
  svg.append(path);
  // The last point, so a single value or the current end is visible.
  const lastIndex = values.map((v, i) => (v === null ? -1 : i)).reduce((a, b) => Math.max(a, b), -1);
  const dot = document.createElementNS(SVG, 'circle');
  dot.setAttribute('cx', x(lastIndex).toFixed(1));
  dot.setAttribute('cy', y(values[lastIndex] as number).toFixed(1));
  dot.setAttribute('r', '2');
  dot.setAttribute('class', 'rd-spark-dot');
  svg.append(dot);
  svg.setAttribute('aria-label', `${finite.length} points from ${min} to ${max}`);
  return svg;
}
