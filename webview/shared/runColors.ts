// One colour per run, the same in every chart and in the table. The palette
// (Tableau 10) reads on light and dark backgrounds; past ten runs the colours
// cycle and the dash pattern changes, so runs 1 and 11 stay distinguishable.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3], [1, 4]];

export interface RunStyle {
  color: string;
  dash: number[];
}

export function runStyle(index: number): RunStyle {
  return { color: PALETTE[index % PALETTE.length], dash: DASHES[Math.floor(index / PALETTE.length) % DASHES.length] };
}

/** The colour with an alpha, for the faint raw curve behind a smoothed one. */
export function faint(color: string, alpha = 0.25): string {
  const n = parseInt(color.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// Viridis: a perceptually even sequential scale for "colour by metric value".
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/**
 * The colour of t in [0, 1] (low to high). The end that would vanish into the
 * theme's background is cut: dark purple on dark themes, yellow on light ones.
 */
export function sequentialColor(t: number, darkTheme: boolean): string {
  const [from, to] = darkTheme ? [0.18, 1] : [0, 0.86];
  const u = (from + Math.max(0, Math.min(1, t)) * (to - from)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const a = parseInt(VIRIDIS[i].slice(1), 16);
  const b = parseInt(VIRIDIS[i + 1].slice(1), 16);
  const mix = (shift: number) => Math.round(((a >> shift) & 255) * (1 - f) + ((b >> shift) & 255) * f);
  return `rgb(${mix(16)}, ${mix(8)}, ${mix(0)})`;
}
