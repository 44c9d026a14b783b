import { parseArgs } from 'node:util';
import { TrackingStore } from '../../core/tracking/trackingStore';
import type { Run } from '../../core/tracking/types';
import { openExistingStore, resolveWorkspace } from '../workspace';
import { formatTable } from '../table';
import { formatDuration, formatMetricValue, formatTime } from '../../protocol/displayFormat';
import { CliError } from '../cliError';
import { encodeRun } from '../../server/mlflow/encode';

export const RUNS_HELP = `Usage: mlops runs list [--experiment NAME_OR_ID]... [--filter EXPR] [--order-by EXPR]... [--max N] [--all] [--json]
       mlops runs show RUN_ID [--json]     (RUN_ID may be its first 8 characters)

  list    runs, newest first. --filter uses MLflow's search syntax, e.g.
          "metrics.acc > 0.9 and params.model = 'cnn'"
  show    one run: attributes, params, latest metrics, tags, artifacts`;

export async function runsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      experiment: { type: 'string', multiple: true },
      filter: { type: 'string' },
      'order-by': { type: 'string', multiple: true },
      max: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      workspace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!sub || values.help || sub === 'help' || sub === '--help' || sub === '-h') {
    console.log(RUNS_HELP);
    return sub ? 0 : 2;
  }
  const tracking = openExistingStore(resolveWorkspace(values.workspace));
  try {
    if (sub === 'list') return list(tracking, values);
    if (sub === 'show') {
      const runId = positionals[0];
      if (!runId) throw new CliError('mlops runs show: give a run id (see mlops runs list).', 2);
      return show(tracking, fullRunId(tracking, runId), values.json ?? false);
    }
    throw new CliError(`mlops runs: unknown subcommand '${sub}'.\n\n${RUNS_HELP}`, 2);
  } finally {
    tracking.close();
  }
}

function list(tracking: TrackingStore, values: { experiment?: string[]; filter?: string; 'order-by'?: string[]; max?: string; all?: boolean; json?: boolean }): number {
  const experimentIds = values.experiment?.length
    ? values.experiment.map((ref) => (/^\d+$/.test(ref) ? tracking.experiments.get(ref).experimentId : tracking.experiments.getByName(ref).experimentId))
    : (tracking.store.db.prepare('SELECT experiment_id FROM experiments').pluck().all() as number[]).map(String);
  const maxResults = values.max ? Number(values.max) : 100;
  if (!Number.isInteger(maxResults) || maxResults < 1) throw new CliError(`--max must be a positive number, got '${values.max}'.`, 2);
  const { runs, nextOffset } = tracking.searchRuns({ experimentIds, filter: values.filter, orderBy: values['order-by'] ?? [], viewType: values.all ? 'ALL' : 'ACTIVE_ONLY', maxResults, offset: 0 });
  if (values.json) {
    console.log(JSON.stringify(runs.map(encodeRun), null, 2));
    return 0;
  }
  if (runs.length === 0) {
    console.log(values.filter ? `No runs match "${values.filter}".` : 'No runs yet. Start one with: mlops run -- python3 train.py');
    return 0;
  }
  const experimentNames = new Map(tracking.experiments.list([...new Set(runs.map((r) => Number(r.info.experimentId)))]).map((e) => [e.experimentId, e.name]));
  // The metrics most of these runs logged first (a pipeline run's gate metric, a script's val_auc), not the first by name.
  const logged = new Map<string, number>();
  for (const r of runs) for (const m of r.data.metrics) if (!m.key.startsWith('system/')) logged.set(m.key, (logged.get(m.key) ?? 0) + 1);
  const metricKeys = [...logged].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k).slice(0, 4);
  const rows = runs.map((r) => [
    r.info.runId.slice(0, 8), // a prefix that `runs show` takes
    r.info.runName,
    experimentNames.get(r.info.experimentId) ?? r.info.experimentId,
    r.info.status,
    formatTime(r.info.startTime),
    formatDuration(r.info.startTime, r.info.endTime),
    ...metricKeys.map((k) => {
      const m = r.data.metrics.find((x) => x.key === k);
      return m ? formatMetricValue(m.value) : '';
    }),
  ]);
  const headers = ['RUN ID', 'NAME', 'EXPERIMENT', 'STATUS', 'STARTED', 'DURATION', ...metricKeys];
  // In a terminal, metric columns that would wrap the lines are left out, and said so.
  const width = process.stdout.columns || Number(process.env.COLUMNS) || Infinity;
  let shown = metricKeys.length;
  let table = formatTable(headers, rows, 40);
  while (shown > 0 && Math.max(...table.split('\n').map((l) => l.length)) > width) {
    shown--;
    table = formatTable(headers.slice(0, headers.length - metricKeys.length + shown), rows.map((r) => r.slice(0, r.length - metricKeys.length + shown)), 40);
  }
  console.log(table);
  if (shown < metricKeys.length) console.log(`(${metricKeys.slice(shown).join(', ')} left out to fit the terminal: mlops runs show ID, or --json)`);
  if (nextOffset !== undefined) console.log(`… more runs; use --max to see more.`);
  return 0;
}

/** A run id, or a unique prefix of one (at least 6 characters, as the tables print 8). */
function fullRunId(tracking: TrackingStore, id: string): string {
  if (id.length >= 32 || !/^[0-9a-f]{6,}$/i.test(id)) return id;
  const matches = tracking.store.db.prepare(`SELECT run_uuid FROM runs WHERE run_uuid LIKE ? || '%' LIMIT 3`).pluck().all(id.toLowerCase()) as string[];
  if (matches.length > 1) throw new CliError(`mlops runs show: ${id} is the start of several run ids (${matches.slice(0, 2).join(', ')}, …); give more characters.`, 2);
  return matches[0] ?? id;
}

function show(tracking: TrackingStore, runId: string, json: boolean): number {
  const run: Run = tracking.runs.get(runId);
  const artifacts = listAll(tracking, runId, '');
  if (json) {
    console.log(JSON.stringify({ run: encodeRun(run), artifacts }, null, 2));
    return 0;
  }
  const i = run.info;
  const lines = [
    `Run ${i.runName} (${i.runId})`,
    `  experiment  ${tracking.experiments.find(i.experimentId)?.name ?? '?'} (${i.experimentId})`,
    `  status      ${i.status}${i.lifecycleStage === 'deleted' ? ' (deleted)' : ''}`,
    `  started     ${formatTime(i.startTime)}   duration ${formatDuration(i.startTime, i.endTime)}`,
    `  user        ${i.userId}`,
    `  artifacts   ${i.artifactUri}`,
  ];
  const section = (title: string, items: [string, string][]) => {
    if (items.length === 0) return;
    lines.push('', title);
    const width = Math.min(40, Math.max(...items.map(([k]) => k.length)));
    for (const [k, v] of items) lines.push(`  ${k.padEnd(width)}  ${v.length > 200 ? v.slice(0, 199) + '…' : v}`);
  };
  section('Params', run.data.params.map((p) => [p.key, p.value]));
  section('Metrics (latest)', run.data.metrics.map((m) => [m.key, `${formatMetricValue(m.value)}  (step ${m.step})`]));
  section('Tags', run.data.tags.map((t) => [t.key, t.value]));
  section('Artifacts', artifacts.map((a) => [a.path, `${a.size} bytes`]));
  console.log(lines.join('\n'));
  return 0;
}

function listAll(tracking: TrackingStore, runId: string, dir: string): { path: string; size: number }[] {
  return tracking.artifacts.list(runId, dir).flatMap((e) => (e.isDir ? listAll(tracking, runId, e.path) : [{ path: e.path, size: e.fileSize ?? 0 }]));
}
