// Which variant answers a request. Without a sticky key the choice is random by
// weight; with one it is a hash of the key, so a user keeps seeing the same variant
// for as long as the weights stay the same (an A/B test must not flip a user
// between arms mid-experiment).
import { createHash } from 'node:crypto';

export interface Weighted {
  name: 'champion' | 'challenger';
  weight: number;
}

/** A number in [0, 1) fixed by the key: the first 48 bits of its sha256. */
export function stickyPoint(key: string): number {
  const digest = createHash('sha256').update(key).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The variant whose cumulative-weight interval contains `point` (in [0, 1)). */
export function pickByWeight<T extends Weighted>(variants: readonly T[], point: number): T {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (total <= 0) return variants.find((v) => v.name === 'champion') ?? variants[0];
  let edge = 0;
  for (const v of variants) {
    edge += v.weight / total;
    if (point < edge && v.weight > 0) return v;
  }
  // Rounding can leave the last edge a hair under 1: the last weighted variant takes it.
  return [...variants].reverse().find((v) => v.weight > 0) ?? variants[0];
}
