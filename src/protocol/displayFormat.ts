// How times, durations and metric values read everywhere a person sees them:
// the CLI's tables, the Experiments view, and the panels. One definition, so a
// run's duration reads the same in the tree, the table and the detail panel.
// (It lives with the protocol because that is what the CLI, the extension and
// the webviews may all import.)

/** Local date and time to the second, `2026-11-27 14:03:09`; empty for no time. */
export function formatTime(ms: number | null | undefined): string {
  if (!ms) return '';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `420 ms`, `42s`, `3m 05s`, `2h 07m`: from start to end, or to now while running; empty without a start. */
export function formatDuration(start: number | null | undefined, end: number | null | undefined, now = Date.now()): string {
  if (!start) return '';
  const ms = Math.max(0, (end ?? now) - start);
  // A pipeline step or a quick script often takes less than a second: "0s" said nothing.
  if (ms < 1000 && end !== null && end !== undefined) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * How long ago, as a narrow list has room for: `just now`, `5m ago`, `2h ago`,
 * `3d ago`, then the date (`2026-11-02`) once "days ago" stops being quick to read.
 */
export function formatAgo(ms: number, now = Date.now()): string {
  const elapsed = now - ms;
  // A clock a little ahead of ours (another process's) is "just now", not the future.
  if (elapsed < 60_000) return 'just now';
  if (elapsed < 3_600_000) return `${Math.floor(elapsed / 60_000)}m ago`;
  if (elapsed < 86_400_000) return `${Math.floor(elapsed / 3_600_000)}h ago`;
  if (elapsed < 14 * 86_400_000) return `${Math.floor(elapsed / 86_400_000)}d ago`;
  return formatTime(ms).slice(0, 10);
}

/** A metric or param value with `digits` significant digits; NaN and infinities spelled out as MLflow does. */
export function formatMetricValue(v: number | string, digits = 4): string {
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toPrecision(digits).replace(/\.?0+$/, '') : v.toExponential(digits - 1);
}

/** `512 B`, `8.3 KB`, `120 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
