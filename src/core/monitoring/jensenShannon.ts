// Jensen-Shannon distance (scipy.spatial.distance.jensenshannon, natural log):
// √(JS divergence), each distribution normalised to sum 1 first.

function normalised(p: ArrayLike<number>): Float64Array {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i];
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i] / sum;
  return out;
}

/** scipy.special.rel_entr: x log(x/y), 0 when x = 0, +∞ when y = 0 < x. */
export function relativeEntropyTerm(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const pn = normalised(p);
  const qn = normalised(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i] + qn[i]) / 2;
    left += relativeEntropyTerm(pn[i], m);
    right += relativeEntropyTerm(qn[i], m);
  }
  return Math.sqrt((left + right) / 2);
}
