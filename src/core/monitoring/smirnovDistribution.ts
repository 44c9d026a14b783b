// The one-sided one-sample Kolmogorov-Smirnov distribution, P(D_n+ >= x)
// (scipy.special.smirnov), exactly, by Birnbaum and Tingey's sum:
//   x Σ_{j=0}^{⌊n(1-x)⌋} C(n, j) (x + j/n)^(j-1) (1 - x - j/n)^(n-j).
// Every term is positive, so summing them is stable; each is formed in log space
// so no factorial overflows for the large n of asymptotic two-sample tests.

/** P(D_n+ >= x) for a sample of size n. */
export function smirnovSurvival(n: number, x: number): number {
  if (!(n > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x));
  let logBinom = 0; // log C(n, j), advanced one j at a time
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    const a = x + j / n;
    const b = 1 - a;
    if (b > 0 || n - j === 0) {
      const logTerm = logBinom + (j - 1) * Math.log(a) + (n - j === 0 ? 0 : (n - j) * Math.log(b));
      sum += Math.exp(logTerm);
    }
    logBinom += Math.log((n - j) / (j + 1));
  }
  return Math.min(1, Math.max(0, sum * x));
}
