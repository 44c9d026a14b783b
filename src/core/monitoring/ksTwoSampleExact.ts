// Exact null distribution of the two-sided two-sample KS statistic: the share of
// monotone lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| < h/lcm.
// Used by ks_2samp for samples of at most 10,000 (scipy's 'auto' rule).

/** P(D_{n,n} >= h/n) for equal sizes: the reflection series 2 Σ (-1)^(k+1) C(2n, n-kh)/C(2n, n), by a Horner scheme. */
function equalSizesSurvival(n: number, h: number): number {
  // Dividing each binomial by C(2n, n) first and nesting the terms avoids the
  // subtractive cancellation of summing the alternating series directly.
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D_{m,n} >= h/lcm) for unequal sizes by Hodges' inside method, carried as
 * 1 - p column by column (Viehmann's recursion) so small p-values keep their
 * precision and no binomial coefficient is ever formed.
 */
function unequalSizesSurvival(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let lo = 0;
  let hi = Math.min(Math.ceil(h / mg), n + 1);
  let len = hi - lo;
  const column = new Float64Array(Math.min(2 * hi + 2, n + 1)).fill(1);
  column.fill(0, lo, hi);
  for (let i = 1; i <= m; i++) {
    const lastLo = lo;
    const lastLen = len;
    lo = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    hi = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (hi <= lo) return 1;
    let value = lo === 0 ? 0 : 1;
    for (let jj = 0; jj < hi - lo; jj++) {
      const j = jj + lo;
      value = (column[jj + lo - lastLo] * i + value * j) / (i + j);
      column[jj] = value;
    }
    len = hi - lo;
    if (lastLen > len) column.fill(1, len, len + (lastLen - len));
  }
  return column[hi - lo - 1];
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export interface ExactKsResult {
  /** The statistic rounded to the lattice, h / lcm(n1, n2), as scipy reports it. */
  statistic: number;
  pValue: number;
}

/** The exact two-sided p-value for statistic d of samples of sizes n1 and n2; undefined when it cannot be formed. */
export function exactTwoSampleKs(n1: number, n2: number, d: number): ExactKsResult | undefined {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pValue: 1 };
  const p = n1 === n2 ? equalSizesSurvival(n1, h) : unequalSizesSurvival(n1, n2, g, h);
  if (!(p >= 0 && p <= 1)) return undefined;
  return { statistic, pValue: p };
}

/** numpy's round: ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
