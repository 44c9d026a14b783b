import type { ModelVersionSummary } from '../../protocol/native';
import { formatAgo } from '../../protocol/displayFormat';
import { formatValue, preferredMetric, stepMetricText } from '../experiments/runRowText';

// A model version's row in the Models view as text (no vscode: unit tests read it).
// A 290 px side bar shows about 32 characters of a row: the alias, the metric
// that speaks for the version and how long ago it came come first; its format
// and source run after (the tooltip has all of it, with the exact time).

export function date(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The metric that let the version in (its promotion gate's, `auc 0.91`), else its source run's main one. */
export function versionMetricText(v: ModelVersionSummary): string {
  const gate = Object.entries(v.gate?.metrics ?? {})[0];
  if (gate) return stepMetricText(gate[0], gate[1]);
  const run = v.run ? preferredMetric(v.run.metrics) : undefined;
  return run ? `${run[0]} ${formatValue(run[1])}` : '';
}

/** `@champion · auc 0.91 · 3h ago · onnx · train`. */
export function versionDescription(v: ModelVersionSummary, now = Date.now()): string {
  const registration = v.status === 'FAILED_REGISTRATION' ? 'registration failed' : v.status === 'PENDING_REGISTRATION' ? 'registering' : '';
  // An alias a pipeline moved here says from where: a move back to an older version is otherwise silent.
  const aliases = v.aliases.map((a) => (v.aliasMoves?.[a] ? `@${a} (from v${v.aliasMoves[a].from})` : `@${a}`)).join(' ');
  const format = v.format === 'other' ? 'other format' : v.servable ? v.format : `${v.format}, not servable`;
  return [registration, aliases, v.stage !== 'None' ? v.stage : '', versionMetricText(v), formatAgo(v.creationTimestamp, now), format, v.run?.runName ?? (v.runId ? 'run gone' : '')]
    .filter(Boolean)
    .join(' · ');
}
