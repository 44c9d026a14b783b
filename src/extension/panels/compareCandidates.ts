import type { RunsTableRow } from '../../protocol/native';
import { labelText, runLabels } from '../../protocol/runLabels';
import { formatAgo, formatMetricValue } from '../../protocol/displayFormat';

export interface CompareCandidate {
  runId: string;
  label: string;
  description: string;
  picked: boolean;
}

/**
 * What "Compare Runs" offers when it was asked with fewer than two runs selected:
 * the runs of the selection's experiments (else all), newest first, told apart as the
 * runs table does, with a metric and when they ran; the selected ones picked already.
 */
export function compareCandidates(runs: readonly RunsTableRow[], selected: readonly string[], now = Date.now()): CompareCandidate[] {
  const labels = runLabels(runs);
  const chosen = new Set(selected);
  return runs.map((r) => {
    const [metric] = Object.entries(r.metrics).filter(([k]) => !k.startsWith('system/')).sort(([a], [b]) => a.localeCompare(b));
    const label = labels.get(r.runId);
    return {
      runId: r.runId,
      label: label ? labelText(label) : r.runName,
      description: [metric ? `${metric[0]} ${formatMetricValue(metric[1], 4)}` : '', r.startTime ? formatAgo(r.startTime, now) : '', r.runId.slice(0, 8)].filter(Boolean).join(' · '),
      picked: chosen.has(r.runId),
    };
  });
}
