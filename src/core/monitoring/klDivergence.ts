// Kullback-Leibler divergence KL(reference ‖ current) as scipy.stats.entropy(pk, qk)
// computes it: both normalised to sum 1, natural log. Evidently passes zero-filled
// bin shares, so it stays finite.
import { relativeEntropyTerm } from './jensenShannon';

export function klDivergence(referenceShares: ArrayLike<number>, currentShares: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < referenceShares.length; i++) {
    sp += referenceShares[i];
    sq += currentShares[i];
  }
  let sum = 0;
  for (let i = 0; i < referenceShares.length; i++) sum += relativeEntropyTerm(referenceShares[i] / sp, currentShares[i] / sq);
  return sum;
}
