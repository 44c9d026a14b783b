// A colour (and, past the palette, a dash) for each feature's line on a drift
// scores chart, so that its legend can say which line is which. Red and orange
// are left out: red marks drift, orange the threshold. A feature keeps its
// style as long as the chart's features stay the same (styles follow the
// names' order, not the drift), so a line does not change colour under the
// user's eyes. Pure: unit-tested without a browser.

export interface LineStyle {
  color: string;
  /** Canvas dash pattern; empty for a solid line. */
  dash: number[];
}

/** Hues far from red and orange, neighbours in the list far apart on the wheel. */
const HUES = [210, 55, 140, 295, 180, 95, 265, 325, 235];
const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

/** Whether a theme colour (#rgb, #rrggbb[aa], rgb[a]()) is dark. */
export function isDark(color: string): boolean {
  const c = color.trim();
  let rgb: number[] | undefined;
  if (c.startsWith('#')) {
    let hex = c.slice(1);
    if (hex.length === 3 || hex.length === 4) hex = [...hex.slice(0, 3)].map((ch) => ch + ch).join('');
    const n = parseInt(hex.slice(0, 6), 16);
    if (!Number.isNaN(n)) rgb = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  } else {
    const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(c);
    if (m) rgb = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  if (!rgb) return true;
  // Relative luminance, roughly: below the middle is a dark background.
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 128;
}

/** The style of each of `features` (any order in, the same styles for the same set). */
export function featureStyles(features: readonly string[], darkBackground: boolean): Map<string, LineStyle> {
  const sorted = [...new Set(features)].sort((a, b) => a.localeCompare(b));
  // Light enough to read on a dark editor, dark enough on a light one.
  const tone = darkBackground ? '68% 66%' : '72% 36%';
  return new Map(
    sorted.map((feature, i) => {
      const hue = HUES[i % HUES.length];
      const dash = DASHES[Math.floor(i / HUES.length) % DASHES.length];
      return [feature, { color: `hsl(${hue} ${tone})`, dash }];
    }),
  );
}
