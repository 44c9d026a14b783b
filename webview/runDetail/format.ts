// How values read in the run detail panel: times, durations and sizes as
// everywhere else (protocol/displayFormat), with a dash for "none".
import * as display from '../../src/protocol/displayFormat';

export function formatTime(ms: number | null): string {
  return display.formatTime(ms) || '—';
}

export function formatDuration(start: number | null, end: number | null): string {
  return display.formatDuration(start, end) || '—';
}

export function formatValue(v: number | string): string {
  return display.formatMetricValue(v, 5);
}

export function formatBytes(n: number | undefined): string {
  return n === undefined ? '' : display.formatBytes(n);
}

/** The recorded command (tag mlops.command: a JSON array) as a shell line. */
export function commandLine(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  try {
    const parts = JSON.parse(tag) as unknown;
    if (!Array.isArray(parts)) return tag;
    return parts.map((p) => (typeof p === 'string' && /^[\w@%+=:,./-]+$/.test(p) ? p : `'${String(p).replace(/'/g, `'\\''`)}'`)).join(' ');
  } catch {
    return tag;
  }
}
