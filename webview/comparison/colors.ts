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
