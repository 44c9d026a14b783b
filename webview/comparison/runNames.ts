// What the comparison calls each run in its legend, charts, table, scatter and
// parallel coordinates: the run's name, and where runs share one (every step
// of every pipeline run is "train"), what tells them apart: the parent run,
// the params that differ, or the order (labels from src/protocol/runLabels).
import type { ComparisonParent, ComparisonRun } from '../../src/protocol/comparisonMessages';
import { labelText, runLabels, type LabelledRun } from '../../src/protocol/runLabels';

export function runNames(runs: readonly ComparisonRun[], parents: readonly ComparisonParent[]): Map<string, string> {
  const compared = new Set(runs.map((r) => r.runId));
  // Parents are labelled with the runs, so that two pipeline runs of one name read "churn (lr=0.3)" and "churn (lr=0.1)".
  const labelled: LabelledRun[] = [...runs, ...parents.filter((p) => !compared.has(p.runId))];
  const labels = runLabels(labelled);
  return new Map(runs.map((r) => [r.runId, labelText(labels.get(r.runId) ?? { name: r.runName })]));
}
