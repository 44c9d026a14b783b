import type { ModelVersionSummary } from '../../protocol/native';

// A model version's row in the Models view as text (no vscode: unit tests read it).

export function date(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `@champion · onnx · run-name · 2026-11-27` (the time is in the tooltip). */
export function versionDescription(v: ModelVersionSummary): string {
  const format = v.format === 'other' ? 'other format' : v.servable ? v.format : `${v.format}, not servable`;
  // An alias a pipeline moved here says from where: a move back to an older version is otherwise silent.
  const aliases = v.aliases.map((a) => (v.aliasMoves?.[a] ? `@${a} (from v${v.aliasMoves[a].from})` : `@${a}`)).join(' ');
  return [aliases, format, v.run?.runName ?? (v.runId ? 'run gone' : ''), date(v.creationTimestamp).slice(0, 10), v.stage !== 'None' ? v.stage : '']
    .filter(Boolean)
    .join(' · ');
}
