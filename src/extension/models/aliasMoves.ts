import type { ModelSummary } from '../../protocol/native';

// Which aliases moved between two looks at the registry, and what the registry
// says of each move (a pipeline that moved an alias records where it came from).
// Kept apart from the notifier (no vscode import) so it can be tested alone.

export interface AliasMoveSeen {
  model: string;
  alias: string;
  from: string;
  to: string;
  /** What moved it, when the registry recorded it (e.g. "pipeline churn (run …)"). */
  by: string | null;
}

/** model → alias → version. */
export type AliasSnapshot = Map<string, Map<string, string>>;

export function aliasSnapshot(models: readonly ModelSummary[]): AliasSnapshot {
  return new Map(models.map((m) => [m.name, new Map(Object.entries(m.aliases))]));
}

/**
 * Aliases that point at another version than before (new aliases and removed
 * ones are not moves). A move counts as recorded only when the record is of
 * this move: from the version seen before, made since `since` (an older
 * record on the version tells of an earlier move there).
 */
export function aliasMovesBetween(before: AliasSnapshot, models: readonly ModelSummary[], since: number): AliasMoveSeen[] {
  const moves: AliasMoveSeen[] = [];
  for (const m of models) {
    const was = before.get(m.name);
    if (!was) continue;
    for (const [alias, to] of Object.entries(m.aliases)) {
      const from = was.get(alias);
      if (from === undefined || from === to) continue;
      const recorded = m.versions.find((v) => v.version === to)?.aliasMoves?.[alias];
      moves.push({ model: m.name, alias, from, to, by: recorded && recorded.from === from && recorded.at >= since ? recorded.by || null : null });
    }
  }
  return moves;
}

/** "churn @challenger moved from v2 to v1 (pipeline churn (run …))". */
export function aliasMoveMessage(m: AliasMoveSeen): string {
  return `${m.model} @${m.alias} moved from v${m.from} to v${m.to}${m.by ? `, by ${m.by}` : ''}`;
}
