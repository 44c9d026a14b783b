// The column model: which columns exist (attributes, then metrics, params, tags:
// results first, as the runs table opens with metrics in view),
// which are shown, their order, pins and how a cell reads and sorts.
import type { RunsTableColumns } from '../../src/protocol/runsTableMessages';
import type { RunsTableRow } from '../../src/protocol/native';
import * as display from '../../src/protocol/displayFormat';

export type Group = 'attributes' | 'params' | 'metrics' | 'tags';

export interface Column {
  key: string;
  group: Group;
  label: string;
  /** The name in MLflow's search syntax, for filter completion. */
  searchKey: string;
  width: number;
  value(run: RunsTableRow): string | number | undefined;
  text(run: RunsTableRow): string;
}

export const GROUP_TITLES: Record<Group, string> = { attributes: 'Run', params: 'Parameters', metrics: 'Metrics', tags: 'Tags' };

export function formatDuration(run: RunsTableRow): string {
  // A finished run without an end time (killed hard) has no duration to show.
  if (run.endTime == null && run.status !== 'RUNNING') return '';
  return display.formatDuration(run.startTime, run.endTime);
}

function durationOf(run: RunsTableRow): number | undefined {
  if (run.startTime == null) return undefined;
  if (run.endTime == null) return run.status === 'RUNNING' ? Date.now() - run.startTime : undefined;
  return run.endTime - run.startTime;
}

export function formatMetric(v: number | string | undefined): string {
  return v === undefined ? '' : display.formatMetricValue(v, 5);
}

export const STATUS_GLYPH: Record<string, string> = { FINISHED: '✓', FAILED: '✗', KILLED: '■', RUNNING: '●', SCHEDULED: '○' };

const attributes: Column[] = [
  { key: 'attr:status', group: 'attributes', label: 'Status', searchKey: 'attributes.status', width: 104, value: (r) => r.status, text: (r) => `${STATUS_GLYPH[r.status] ?? '?'} ${r.status.toLowerCase()}` },
  { key: 'attr:name', group: 'attributes', label: 'Name', searchKey: 'attributes.run_name', width: 180, value: (r) => r.runName, text: (r) => r.runName },
  { key: 'attr:start', group: 'attributes', label: 'Started', searchKey: 'attributes.start_time', width: 164, value: (r) => r.startTime ?? undefined, text: (r) => display.formatTime(r.startTime) },
  { key: 'attr:duration', group: 'attributes', label: 'Duration', searchKey: 'attributes.end_time', width: 96, value: (r) => durationOf(r), text: formatDuration },
  { key: 'attr:user', group: 'attributes', label: 'User', searchKey: 'attributes.user_id', width: 96, value: (r) => r.userId, text: (r) => r.userId },
];

function quoteKey(k: string): string {
  return /^[A-Za-z_][\w.]*$/.test(k) ? k : `\`${k}\``;
}

export function buildColumns(names: RunsTableColumns): Column[] {
  const numeric = (s: string | undefined) => (s !== undefined && s.trim() !== '' && !Number.isNaN(Number(s)) ? Number(s) : s);
  return [
    ...attributes,
    ...names.metrics.map<Column>((k) => ({ key: `metric:${k}`, group: 'metrics', label: k, searchKey: `metrics.${quoteKey(k)}`, width: 100, value: (r) => r.metrics[k], text: (r) => formatMetric(r.metrics[k]) })),
    ...names.params.map<Column>((k) => ({ key: `param:${k}`, group: 'params', label: k, searchKey: `params.${quoteKey(k)}`, width: 100, value: (r) => numeric(r.params[k]), text: (r) => r.params[k] ?? '' })),
    ...names.tags.map<Column>((k) => ({ key: `tag:${k}`, group: 'tags', label: k, searchKey: `tags.${quoteKey(k)}`, width: 120, value: (r) => r.tags[k], text: (r) => r.tags[k] ?? '' })),
  ];
}

/** Bounds of a column's fitted width, in pixels. */
export const WIDTH_BOUNDS: Record<Group | 'name', [number, number]> = { attributes: [64, 200], name: [180, 340], params: [64, 240], metrics: [72, 200], tags: [64, 240] };
/** A cell's horizontal padding plus room for the header's sort arrow. */
const HEADER_EXTRA_PX = 12 + 16;
const CELL_EXTRA_PX = 12 + 2;

/**
 * A column wide enough for its header (bold, with the sort arrow) and the widest
 * of the sampled values, within the group's bounds; attributes other than the
 * name keep their width. `px` measures text (the webview measures with a canvas).
 */
export function fittedWidth(c: Column, values: readonly string[], px: (text: string, bold: boolean) => number): number {
  if (c.group === 'attributes' && c.key !== 'attr:name') return c.width;
  const [min, max] = WIDTH_BOUNDS[c.key === 'attr:name' ? 'name' : c.group];
  let widest = px(c.label, true) + HEADER_EXTRA_PX;
  for (const v of values) widest = Math.max(widest, px(v, false) + CELL_EXTRA_PX);
  return Math.round(Math.min(max, Math.max(min, widest)));
}

/** MLflow's own bookkeeping tags: hidden until the user shows them. */
export function hiddenByDefault(c: Column): boolean {
  return c.group === 'tags' && (c.label.startsWith('mlflow.') || c.label.startsWith('mlops.'));
}

export interface ColumnPrefs {
  order: string[];
  hidden: string[];
  shown: string[];
  pinned: string[];
}

/**
 * The user's choice first; then bookkeeping tags stay hidden, and so do mostly
 * empty columns (`mostlyEmpty`) unless the user asked to show them all.
 */
export function isVisible(c: Column, prefs: ColumnPrefs, mostlyEmpty: ReadonlySet<string> = new Set(), showMostlyEmpty = false): boolean {
  if (prefs.hidden.includes(c.key)) return false;
  if (prefs.shown.includes(c.key)) return true;
  if (hiddenByDefault(c)) return false;
  return showMostlyEmpty || !mostlyEmpty.has(c.key);
}

/** Columns hidden only for being mostly empty: what the "N columns hidden" control would show. */
export function hiddenAsMostlyEmpty(all: readonly Column[], prefs: ColumnPrefs, mostlyEmpty: ReadonlySet<string>): Column[] {
  return all.filter((c) => mostlyEmpty.has(c.key) && !prefs.hidden.includes(c.key) && !prefs.shown.includes(c.key) && !hiddenByDefault(c));
}

/** All columns in display order: pinned first, then the user's order, then new ones in natural order. */
export function orderColumns(all: Column[], prefs: ColumnPrefs): Column[] {
  const rank = new Map(prefs.order.map((k, i) => [k, i]));
  const natural = new Map(all.map((c, i) => [c.key, i]));
  const pos = (c: Column) => (rank.has(c.key) ? rank.get(c.key)! : 1e6 + natural.get(c.key)!);
  const pinned = (c: Column) => (prefs.pinned.includes(c.key) ? 0 : 1);
  return [...all].sort((a, b) => pinned(a) - pinned(b) || pos(a) - pos(b));
}

export function compareValues(a: string | number | undefined, b: string | number | undefined): number {
  if (a === undefined || a === '') return b === undefined || b === '' ? 0 : 1; // empty cells last
  if (b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}
