// Population Stability Index as Evidently computes it: Σ (r - c) ln(r / c) over
// bin shares with empty bins filled (see binnedDistributions).

export function populationStabilityIndex(referenceShares: ArrayLike<number>, currentShares: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < referenceShares.length; i++) {
    const r = referenceShares[i];
    const c = currentShares[i];
    sum += (r - c) * Math.log(r / c);
  }
  return sum;
}
