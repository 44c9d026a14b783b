// Choices the editor makes before asking the backend: whether an alias name is
// acceptable (MLflow's rules, checked here for a clear message while typing; the
// server stays authoritative), which way a metric improves, and how a candidate
// compares with the champion. No 'vscode' here, so unit tests load it as is.

const ALIAS = /^[\w-]*$/;
const VERSION_ALIAS = /^[vV]\d+$/;
export const MAX_ALIAS_LENGTH = 255;

/** Why `alias` is not a valid MLflow alias, or undefined when it is. */
export function aliasProblem(alias: string): string | undefined {
  if (!alias) return 'An alias needs a name, e.g. champion.';
  if (!ALIAS.test(alias)) return `"${alias}": an alias may contain only letters, digits, _ and - (no spaces, dots or slashes).`;
  if (alias.length > MAX_ALIAS_LENGTH) return `An alias is at most ${MAX_ALIAS_LENGTH} characters (this one has ${alias.length}).`;
  if (alias.toLowerCase() === 'latest') return '"latest" is reserved: models:/NAME/latest already means the newest version.';
  if (VERSION_ALIAS.test(alias)) return `"${alias}" is reserved: v<number> names a version.`;
  return undefined;
}

/** Why `name` cannot name a registered model, or undefined. */
export function modelNameProblem(name: string): string | undefined {
  if (!name.trim()) return 'A model needs a name, e.g. churn.';
  if (/[/\\\0@]/.test(name)) return 'A model name cannot contain /, \\ or @ (they separate parts of models:/ URIs).';
  if (name === '.' || name === '..') return 'A model cannot be named "." or "..".';
  if (name.length > 256) return 'A model name is at most 256 characters.';
  return undefined;
}

export type Direction = 'higher' | 'lower';

const LOWER = /(loss|error|err$|^err|mae|mse|rmse|mape|logloss|perplexity|latency|wer|cer|brier|regret|duration)/i;
const HIGHER = /(acc|accuracy|auc|roc|f1|precision|recall|r2|score|map|ndcg|iou|dice|bleu|rouge|throughput|reward)/i;

/** Which way the metric improves when its name makes it obvious; undefined means ask. */
export function metricDirection(metric: string): Direction | undefined {
  const name = metric.slice(metric.lastIndexOf('/') + 1);
  if (LOWER.test(name)) return 'lower';
  if (HIGHER.test(name)) return 'higher';
  return undefined;
}

export type MetricValue = number | string | undefined;

export interface Verdict {
  /** candidate better, worse, equal, or not comparable (a value missing or not finite). */
  outcome: 'better' | 'worse' | 'equal' | 'unknown';
  text: string;
}

function shown(v: MetricValue): string {
  if (v === undefined) return 'not logged';
  if (typeof v === 'string') return v;
  return String(Number(v.toPrecision(6)));
}

/** The candidate's value against the champion's, in a sentence a person can act on. */
export function compareMetric(metric: string, direction: Direction, candidate: { label: string; value: MetricValue }, champion: { label: string; value: MetricValue }): Verdict {
  const head = `${metric} (${direction} is better): ${candidate.label} ${shown(candidate.value)}, ${champion.label} ${shown(champion.value)}`;
  const a = candidate.value;
  const b = champion.value;
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) {
    return { outcome: 'unknown', text: `${head}. They cannot be compared.` };
  }
  if (a === b) return { outcome: 'equal', text: `${head}. They are equal.` };
  const better = direction === 'higher' ? a > b : a < b;
  return { outcome: better ? 'better' : 'worse', text: `${head}. ${candidate.label} is ${better ? 'better' : 'worse'}.` };
}

/** Metric keys to offer: those both runs logged first, then the rest; system/ ones last. */
export function metricChoices(candidate: Record<string, unknown>, champion: Record<string, unknown> | undefined): { key: string; shared: boolean }[] {
  const keys = new Set([...Object.keys(candidate), ...Object.keys(champion ?? {})]);
  const rank = (k: string) => (k.startsWith('system/') ? 2 : champion && k in candidate && k in champion ? 0 : 1);
  return [...keys]
    .sort((x, y) => rank(x) - rank(y) || x.localeCompare(y))
    .map((key) => ({ key, shared: !!champion && key in candidate && key in champion }));
}
