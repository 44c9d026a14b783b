// Evidently's `z` stattest for binary features: a pooled two-proportion Z-test of
// "not the first category" (categories in sorted order) between reference and
// current, two-sided, p = 2 (1 - Φ(|z|)) exactly as Evidently forms it.
import { normalCdf } from './normalDistribution';
import { type CategoryCounts, unionCategories } from './categoryCounts';

export interface ZTestResult {
  statistic: number;
  pValue: number;
}

export function twoProportionZTest(reference: CategoryCounts, current: CategoryCounts): ZTestResult {
  const keys = unionCategories(reference, current);
  // Both samples constant at the same value: no evidence of change (Evidently's special case).
  if (keys.length === 1) return { statistic: 0, pValue: 1 };
  const first = keys[0];
  const n1 = reference.total;
  const n2 = current.total;
  const p1 = (n1 - (reference.counts.get(first) ?? 0)) / n1;
  const p2 = (n2 - (current.counts.get(first) ?? 0)) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}
