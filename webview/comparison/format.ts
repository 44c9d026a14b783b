/** A metric value for labels: 6 significant digits, exponents for very large or small values. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}
