// How `mlops deployments list` and `show` print a deployment: the table's cells
// and the detail lines. Pure (no I/O), so the wording is unit-tested.
import type { DeploymentState } from '../../protocol/deployments';
import { deploymentLatency } from '../../protocol/deploymentLatency';
import { formatDuration, formatTime } from '../../protocol/displayFormat';
import type { MonitoringState } from '../../protocol/monitoring';
import { formatTable } from '../table';

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v < 10 ? `${Number(v.toPrecision(2))} ms` : `${Math.round(v)} ms`);
const share = (v: number) => `${Math.round(v * 1000) / 10}%`;

/** "churn v2", "churn v2 90% / churn v3 10%", "churn v2 + shadow churn v3"; the spec's URIs before it serves. */
export function variantsCell(d: DeploymentState): string {
  if (d.variants.length === 0) return d.spec.variants.map((v) => v.modelUri.replace(/^models:\//, '')).join(d.spec.shadow ? ' + shadow ' : ' / ');
  const champion = d.variants.find((v) => v.name === 'champion');
  const challenger = d.variants.find((v) => v.name === 'challenger');
  const who = (v: { model: string; version: string }) => `${v.model} v${v.version}`;
  if (!champion) return d.variants.map(who).join(' / ');
  if (!challenger) return who(champion);
  if (d.spec.shadow) return `${who(champion)} + shadow ${who(challenger)}`;
  return `${who(champion)} ${champion.weight}% / ${who(challenger)} ${challenger.weight}%`;
}

/** Rows the window needs before a verdict: the smaller of minRows and the window. */
function minRowsOf(d: DeploymentState): number | undefined {
  const m = d.spec.monitoring;
  return m ? Math.min(m.minRows, m.window.rows) : undefined;
}

/** "drift: age, income", "no drift", "waiting 120/500", "off", "loading", "error". */
export function driftCell(d: DeploymentState): string {
  const m = d.monitoring;
  if (!m) return 'off';
  switch (m.status) {
    case 'drift':
      return `DRIFT: ${m.driftedFeatures.join(', ')}`;
    case 'ok':
      return 'no drift';
    case 'waiting': {
      const need = minRowsOf(d);
      return need === undefined ? 'waiting' : `waiting ${count(m.windowRows)}/${count(need)}`;
    }
    default:
      return m.status;
  }
}

/** "(idle 12s)" after a latency measured before traffic stopped; empty for the current interval's. */
function idleNote(idleMs: number | null, now: number): string {
  return idleMs === null ? '' : ` (idle ${formatDuration(now - idleMs, null, now)})`;
}

/** P50 and P99 cells: this interval's, else the last known with how long ago ("0.45 ms (idle 12s)"), else "–". */
export function latencyCells(d: DeploymentState, now = Date.now()): [string, string] {
  const latency = deploymentLatency(d, now);
  if (!latency) return d.stats || d.status === 'running' ? ['–', '–'] : ['', ''];
  const idle = idleNote(latency.idleMs, now);
  return [ms(latency.p50Ms) + idle, ms(latency.p99Ms) + idle];
}

/** The REQUESTS cell: the count and errors ("updating…" for the moment between a process's ready and its first counts). */
export function requestsCell(d: DeploymentState): string {
  if (!d.stats) return d.status === 'running' ? 'updating…' : '';
  return count(d.stats.requests) + (d.stats.errors ? ` (${count(d.stats.errors)} errors)` : '');
}

export function deploymentsTable(deployments: DeploymentState[], now = Date.now()): string {
  const rows = deployments.map((d) => [
    d.name,
    d.status + (d.restarts ? ` (${d.restarts}× restarted)` : ''),
    d.url ?? '',
    variantsCell(d),
    requestsCell(d),
    ...latencyCells(d, now),
    driftCell(d),
  ]);
  return formatTable(['NAME', 'STATUS', 'URL', 'VARIANTS', 'REQUESTS', 'P50', 'P99', 'DRIFT'], rows, 60);
}

/** Everything `mlops deployments show` says of one deployment, as lines. */
export function deploymentDetails(d: DeploymentState, monitoring: MonitoringState | undefined, now = Date.now()): string {
  const lines: string[] = [];
  const field = (name: string, ...values: string[]) => values.forEach((v, i) => lines.push(`  ${(i === 0 ? name : '').padEnd(12)} ${v}`));
  lines.push(`Deployment ${d.name}: ${d.status}${d.url ? ` at ${d.url}` : ''}`);
  field('started', `${formatTime(d.startedAt)} (up ${formatDuration(d.startedAt, null, now)})${d.pid ? `, pid ${d.pid}` : ''}`);
  field('restarts', d.restarts ? `${d.restarts} (the process exited unasked and was started again)` : '0');
  if (d.lastError) field('last error', d.lastError);
  field(
    'auth',
    d.spec.auth
      ? `requests need its serving token (Authorization: Bearer <token in .mlops/deployments/${d.name}/serving-token>; mlops deployments token ${d.name} prints it)`
      : 'none: any process on this machine may call it, web pages may not (--no-auth)',
  );

  const served = new Map(d.variants.map((v) => [v.name, v]));
  field(
    'variants',
    ...d.spec.variants.map((v) => {
      const s = served.get(v.name);
      const what = s ? `${s.model} v${s.version} (${v.modelUri})` : v.modelUri;
      const traffic = d.spec.shadow ? (v.name === 'challenger' ? 'shadow: gets a copy of every request' : 'answers every request') : `${v.weight}% of requests`;
      return `${v.name.padEnd(10)} ${what}, ${traffic}`;
    }),
  );
  const settings = [
    d.spec.intraOpThreads ? `${d.spec.intraOpThreads} onnxruntime threads per model` : '',
    d.spec.batching?.enabled === false ? 'batching off' : d.spec.batching ? `batches of at most ${d.spec.batching.maxBatchRows ?? 'default'} rows, ${d.spec.batching.maxWaitMs ?? 'default'} ms wait` : '',
  ].filter(Boolean);
  if (settings.length) field('serving', settings.join('; '));

  const s = d.stats;
  if (s) {
    const latency = deploymentLatency(d, now);
    const latencyText = latency ? `latency p50 ${ms(latency.p50Ms)}, p99 ${ms(latency.p99Ms)}${idleNote(latency.idleMs, now)}` : 'no latency measured yet';
    field('requests', `${count(s.requests)} (${count(s.errors)} errors, ${count(s.inFlight)} in flight); ${latencyText}`);
    for (const [name, v] of Object.entries(s.variants ?? {})) {
      if (!v || (name === 'challenger' && v.requests === 0 && v.labelled === 0)) continue;
      const quality = v.accuracy !== null ? `, accuracy ${share(v.accuracy)}` : v.meanAbsoluteError !== null ? `, mean absolute error ${Number(v.meanAbsoluteError.toPrecision(3))}` : '';
      field('', `${name.padEnd(10)} ${count(v.requests)} requests, ${count(v.errors)} errors, ${count(v.labelled)} labelled${quality}`);
    }
  } else field('requests', d.status === 'running' ? 'updating… (the process sends its counts as it starts, then every 2 s)' : `none: the deployment is ${d.status}`);

  lines.push(...monitoringLines(d, monitoring, now));
  return lines.join('\n');
}

function monitoringLines(d: DeploymentState, m: MonitoringState | undefined, now: number): string[] {
  const lines: string[] = [];
  const field = (name: string, value: string) => lines.push(`  ${name.padEnd(12)} ${value}`);
  const spec = d.spec.monitoring;
  const summary = d.monitoring;
  if (!spec || !summary) {
    field('monitoring', summary?.message ?? 'off (started with --no-monitoring)');
    return lines;
  }
  const verdict =
    summary.status === 'drift'
      ? `DATA DRIFT: ${summary.driftedFeatures.length} feature${summary.driftedFeatures.length === 1 ? '' : 's'} drifted (${summary.driftedFeatures.join(', ')}; ${share(summary.driftedShare ?? 0)}, the data set drifts at ${share(spec.driftShare)})`
      : summary.status === 'ok'
        ? `no data drift (${share(summary.driftedShare ?? 0)} of the features drifted)`
        : summary.status === 'waiting'
          ? `waiting: the window holds ${count(summary.windowRows)} of the ${count(minRowsOf(d) ?? 0)} requests a verdict needs`
          : summary.status;
  field('monitoring', verdict + (summary.at ? `, computed ${formatTime(summary.at)}` : ''));
  if (summary.message && summary.status !== 'waiting') field('', summary.message);
  const reference = m?.reference ? `${m.reference.source} (${count(m.reference.rows)} rows)` : spec.reference === 'training' ? "the champion's training data set" : spec.reference;
  field('reference', reference);
  field('window', `the last ${count(spec.window.rows)} requests${spec.window.minutes ? ` of ${spec.window.minutes} min` : ''}, a verdict from ${count(minRowsOf(d) ?? 0)}; recomputed at most every ${spec.recomputeSeconds} s; ${share(spec.sampleRate)} of requests recorded${m ? ` (${count(m.recordedRows)} rows on disk)` : ''}`);
  if (spec.onDrift) {
    const retrain = m?.retrain;
    const held = retrain?.cooldownUntil ? `; not again by itself before ${formatTime(retrain.cooldownUntil)}` : '';
    field('on drift', `runs ${spec.onDrift}, at most every ${spec.cooldownMinutes} min${held}`);
  }
  if (m?.lastRetrainAt) field('retrained', `${formatTime(m.lastRetrainAt)} (${formatDuration(m.lastRetrainAt, null, now)} ago)${m.retrain?.running ? ', still running' : ''}`);
  const latest = m?.latest;
  if (latest) {
    lines.push('');
    const results = latest.prediction ? [...latest.features, latest.prediction] : latest.features;
    const score = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-4 ? x.toExponential(2) : x.toPrecision(4).replace(/\.?0+$/, ''));
    lines.push(
      formatTable(
        ['FEATURE', 'TEST', 'SCORE', 'THRESHOLD', 'DRIFT'],
        results.map((f) => [
          f.feature,
          f.test,
          f.error ? f.error : `${f.scoreKind === 'p_value' ? 'p = ' : ''}${score(f.score)}`,
          `${f.scoreKind === 'p_value' ? 'p < ' : '≥ '}${score(f.threshold)}`,
          f.error ? '—' : f.drifted ? 'DRIFT' : 'no',
        ]),
        60,
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  const alerts = (m?.alerts ?? []).slice(-5);
  if (alerts.length) {
    lines.push('', '  Recent alerts:');
    for (const a of alerts) {
      const what = a.kind === 'started' ? `drift started (${share(a.driftedShare)}: ${a.features.join(', ')})` : a.kind === 'ended' ? 'drift ended' : 'retraining';
      lines.push(`  ${formatTime(a.at)}  ${what}${a.retrain ? `; ${a.retrain.message}` : ''}`);
    }
  }
  return lines;
}
