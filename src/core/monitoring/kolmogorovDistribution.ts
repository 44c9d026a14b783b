// The two-sided one-sample Kolmogorov-Smirnov distribution of D_n for finite n,
// P(D_n >= x) (scipy.stats.kstwo.sf), which ks_2samp's asymptotic mode evaluates
// at n = round(m n / (m + n)). The method for each (n, x) follows Simard and
// L'Ecuyer (2011), the same choice scipy makes, so results agree to rounding:
//   - closed forms near the ends of the support (Ruben-Gambino),
//   - twice the one-sided exact tail where the two tails cannot overlap (x >= 0.5)
//     or where the overlap is negligible (large n x²),
//   - Durbin's matrix algorithm (Marsaglia-Tsang-Wang) for small n x²,
//   - Pomeranz's recursion for moderate n x² when n <= 140,
//   - Pelz-Good's asymptotic series for large n otherwise.
import { smirnovSurvival } from './smirnovDistribution';

const SCALE_EXP = 128;
const BIG = 2 ** SCALE_EXP;
const SMALL = 2 ** -SCALE_EXP;

/** log(n! / n^n) by Stirling's series with n log n taken out first (no cancellation). */
function logFactorialOverPower(n: number): number {
  const r = 1 / n;
  const r2 = r * r;
  // B2k / (2k (2k-1)) for k = 1..8, highest first for Horner.
  const c = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2];
  let poly = 0;
  for (const v of c) poly = poly * r2 + v;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + r * poly;
}

function clip(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/** CDF P(D_n <= x) by Durbin's matrix: the (k,k) entry of H^n scaled by n!/n^n. */
function cdfDurbinMatrix(n: number, x: number): number {
  if (x >= 1) return 1;
  const nx = n * x;
  if (nx <= 0.5) return 0;
  const k = Math.ceil(nx);
  const h = k - nx;
  const m = 2 * k - 1;
  // H[i][j] = ((j-i+1)! )^-1 on and above the sub-diagonal, with corrected first column and last row.
  const H = new Float64Array(m * m);
  const inverseFactorial = new Float64Array(m + 1);
  inverseFactorial[0] = 1;
  for (let j = 1; j <= m; j++) inverseFactorial[j] = inverseFactorial[j - 1] / j;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const e = i - j + 1;
      if (e >= 0) H[i * m + j] = inverseFactorial[e];
    }
  }
  const edge = new Float64Array(m);
  for (let i = 0; i < m; i++) edge[i] = (1 - h ** (i + 1)) * inverseFactorial[i + 1];
  edge[m - 1] = (1 - 2 * h ** m + Math.max(0, 2 * h - 1) ** m) * inverseFactorial[m];
  for (let i = 0; i < m; i++) {
    H[i * m] = edge[i];
    H[(m - 1) * m + i] = edge[m - 1 - i];
  }
  // Power by squaring, rescaling by 2^-128 whenever the entry we need grows past 2^128.
  let power: Float64Array | undefined;
  let powerExp = 0;
  let base: Float64Array = H;
  let baseExp = 0;
  let left = n;
  while (left > 0) {
    if (left % 2 === 1) {
      power = power ? multiply(power, base, m) : base.slice();
      powerExp += baseExp;
    }
    left = Math.floor(left / 2);
    if (left === 0) break;
    base = multiply(base, base, m);
    baseExp *= 2;
    if (Math.abs(base[(k - 1) * m + (k - 1)]) > BIG) {
      for (let i = 0; i < base.length; i++) base[i] *= SMALL;
      baseExp += SCALE_EXP;
    }
  }
  let p = (power as Float64Array)[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SMALL) {
      p *= BIG;
      powerExp -= SCALE_EXP;
    }
  }
  return clip(p * 2 ** powerExp);
}

function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l];
      if (ail === 0) continue;
      const row = l * m;
      const o = i * m;
      for (let j = 0; j < m; j++) out[o + j] += ail * b[row + j];
    }
  }
  return out;
}

/** The band [j1, j2] of row i in Pomeranz's recursion (0-based, clipped to [0, n]). */
function pomeranzBand(i: number, n: number, ll: number, ceilF: number, roundF: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilF - 1;
    j2 = ll + ceilF - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilF - 1;
        j2 = n + ll + ceilF - 1;
      } else {
        j1 = half - 1 - ll - roundF - 1;
        j2 = half + ll - 1 + ceilF - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundF - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** CDF P(D_n <= x) by Pomeranz's recursion: 2n+1 convolutions with truncated Poisson weights. */
function cdfPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilF = f > 0 ? 1 : 0;
  const roundF = f > 0.5 ? 1 : 0;
  const width = 2 * (ll + 1);
  const gPow = new Float64Array(width);
  const twoGPow = new Float64Array(width);
  const restPow = new Float64Array(width);
  gPow[0] = twoGPow[0] = restPow[0] = 1;
  for (let m = 1; m < width; m++) {
    gPow[m] = (gPow[m - 1] * (g / n)) / m;
    twoGPow[m] = (twoGPow[m - 1] * ((2 * g) / n)) / m;
    restPow[m] = (restPow[m - 1] * ((1 - 2 * g) / n)) / m;
  }
  let prev = new Float64Array(width);
  let row = new Float64Array(width);
  row[0] = 1;
  let exponent = 0;
  let [j1] = pomeranzBand(0, n, ll, ceilF, roundF);
  // Invariant: row[q] holds the entry at absolute column j1 + q.
  for (let i = 1; i <= 2 * n + 1; i++) {
    const k1 = j1;
    [prev, row] = [row, prev];
    row.fill(0);
    let j2: number;
    [j1, j2] = pomeranzBand(i, n, ll, ceilF, roundF);
    const weights = i === 1 || i === 2 * n + 1 ? gPow : i % 2 === 1 ? twoGPow : restPow;
    if (j2 - k1 + 1 > 0) {
      let max = 0;
      for (let j = j1; j <= j2; j++) {
        // Σ over previous columns c in [k1, j]: prev(c) · weights[j - c]
        let s = 0;
        for (let c = k1; c <= j; c++) {
          const pi = c - k1;
          const wi = j - c;
          if (pi < width && wi < width) s += prev[pi] * weights[wi];
        }
        row[j - j1] = s;
        if (s > max) max = s;
      }
      if (max > 0 && max < SMALL) {
        for (let q = 0; q < width; q++) row[q] *= BIG;
        exponent -= SCALE_EXP;
      }
    }
  }
  let answer = row[n - j1];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > BIG) {
      answer *= SMALL;
      exponent += SCALE_EXP;
    }
    answer *= m;
  }
  return clip(answer * 2 ** exponent);
}

/** CDF P(D_n <= x) by Pelz and Good's series in 1/√n (Li-Chien/Korolyuk, transformed for small z). */
function cdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const qLog = -pi2 / 8 / z2;
  if (qLog < -708) return 0;
  let q = Math.exp(qLog);
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  // Σ over odd m = 2k-1 of c(m) q^(m²), by Horner in q^8k.
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = q ** (8 * k);
    K[0] = K[0] * qp + 1;
    K[1] = K[1] * qp + (k1a + k1b * m2);
    K[2] = K[2] * qp + (k2a + k2b * m2 + k2c * m4);
    K[3] = K[3] * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * sqrt2pi) / divisors[i];
  // The extra sums over all integers k in K2 and K3.
  q = Math.exp(-pi2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxK; k >= 1; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    k2extra += k2 * qp;
    const kpi = Math.PI * k;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K[2] += (k2extra * pi2 * sqrt2pi) / (-36 * z3);
  K[3] += (k3extra * pi2 * sqrt2pi) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i] / n ** (i / 2);
  return sum;
}

/** P(D_n >= x), the two-sided one-sample KS survival function (scipy.stats.kstwo.sf). */
export function kolmogorovSurvival(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    const cdf = n <= 140 ? productRubenGambino(n, t) : Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSurvival(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - cdfDurbinMatrix(n, x));
    if (nx2 <= 4) return clip(1 - cdfPomeranz(n, x));
    return clip(2 * smirnovSurvival(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSurvival(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdf = cdfDurbinMatrix(n, x);
  else cdf = cdfPelzGood(n, x);
  return clip(1 - cdf);
}

/** n!/n^n (2t-1)^n as a running product, as exact as doubles allow for n <= 140. */
function productRubenGambino(n: number, t: number): number {
  let p = 1;
  for (let i = 1; i <= n; i++) p *= (i / n) * (2 * t - 1);
  return p;
}
