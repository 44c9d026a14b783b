// The registry panel: one model's versions side by side (aliases, stage, format,
// source runs and their key metrics), the selected version's signature and
// lineage (version ← run ← params, code, inputs), and a chart of a metric across
// versions. Data come only from the extension host (postMessage), validated.
import {
  hostToModelPanel,
  modelPanelState,
  type HostToModelPanel,
  type ModelPanelReport,
  type ModelPanelState,
  type ModelPanelToHost,
  type RunLineage,
} from '../../src/protocol/modelPanelMessages';
import type { ModelSummary, ModelVersionSummary } from '../../src/protocol/native';
import { panelChannel } from '../shared/vscodeApi';
import { h, registerUiKit } from '../shared/uiKit';
import { installStyles } from './styles';
import { VersionChart } from './versionChart';
import * as display from '../../src/protocol/displayFormat';

registerUiKit();
installStyles();

const channel = panelChannel<ModelPanelToHost, HostToModelPanel, ModelPanelState>(hostToModelPanel);
const restored = modelPanelState.safeParse(channel.state());
let state: Partial<ModelPanelState> = restored.success ? restored.data : {};
const post = (m: ModelPanelToHost) => channel.post(m);

let model: ModelSummary | undefined;
let lineage: Record<string, RunLineage> = {};
const MAX_METRIC_COLUMNS = 6;

const app = document.getElementById('app')!;
app.removeAttribute('data-loading');
app.textContent = '';

function card(id: string, title: string, wide = false): { root: HTMLElement; body: HTMLElement; tools: HTMLElement } {
  const tools = h('div', { class: 'md-chart-controls' });
  const body = h('div', { class: 'md-card-body' }, h('div', { class: 'mlops-empty' }, 'Loading…'));
  const root = h('section', { class: `md-card${wide ? ' md-wide' : ''}`, id: `md-${id}`, 'data-section': id, 'aria-label': title }, h('div', { class: 'md-card-head' }, h('h2', {}, title), tools), body);
  return { root, body, tools };
}

const headerHost = h('div', {});
const errorHost = h('div', { class: 'mlops-error', role: 'alert' });
errorHost.hidden = true;
const versionsCard = card('versions', 'Versions', true);
const signatureCard = card('signature', 'Signature');
const lineageCard = card('lineage', 'Lineage');
const chartCard = card('chart', 'Metric across versions', true);
const grid = h('div', { class: 'md-grid' }, versionsCard.root, signatureCard.root, lineageCard.root, chartCard.root);
app.append(headerHost, errorHost, grid);

const canvas = h('canvas', { role: 'img', 'aria-label': 'Chart of a metric across versions' });
const chart = new VersionChart(canvas);
const metricPicker = h('vscode-dropdown', { 'aria-label': 'Metric to chart' }) as HTMLElement & { value: string };
chartCard.tools.append(metricPicker);
metricPicker.addEventListener('change', () => {
  if (metricPicker.value && metricPicker.value !== state.chartMetric) {
    saveState({ chartMetric: metricPicker.value });
    drawChart();
    report();
  }
});

function saveState(patch: Partial<ModelPanelState>): void {
  state = { ...state, ...patch };
  if (state.modelName) channel.saveState(state as ModelPanelState);
}

function formatDate(ms: number): string {
  return display.formatTime(ms).slice(0, 16); // to the minute: a version's date, not a log line
}

function formatValue(v: number | string | undefined): string {
  return v === undefined ? '—' : display.formatMetricValue(v, 5);
}

function aliasChip(alias: string): HTMLElement {
  return h('span', { class: `md-alias${alias === 'champion' ? ' md-alias-champion' : ''}` }, `@${alias}`);
}

function link(text: string, onClick: () => void, title = ''): HTMLElement {
  const a = h('button', { class: 'md-link', title }, text);
  a.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return a;
}

function button(text: string, title: string, onClick: () => void, appearance = 'secondary'): HTMLElement {
  const b = h('vscode-button', { appearance, title }, text);
  b.addEventListener('click', onClick);
  return b;
}

function act(action: 'promote' | 'setAlias' | 'reveal'): void {
  const v = selectedVersion();
  if (v) post({ type: 'action', action, version: v.version });
}

/** Keys by how many versions have them, then by name. */
function byCount(lists: Iterable<string[]>): string[] {
  const count = new Map<string, number>();
  for (const keys of lists) for (const k of keys) count.set(k, (count.get(k) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}

/** The metrics the versions' promotion gates read (`evaluate/auc`: a test AUC the training run never logged). */
function gateKeys(versions: readonly ModelVersionSummary[]): string[] {
  return byCount(versions.map((v) => Object.keys(v.gate?.metrics ?? {})));
}

/** The gate's metrics first, then the source runs' (the most widely logged first); system/ metrics left out. */
function metricKeys(versions: readonly ModelVersionSummary[]): string[] {
  const gate = gateKeys(versions);
  const run = byCount(versions.map((v) => Object.keys(v.run?.metrics ?? {}).filter((k) => !k.startsWith('system/') && !gate.includes(k))));
  return [...gate, ...run];
}

/** A version's value of a metric: what its gate read, else its source run's latest. */
function metricOf(v: ModelVersionSummary, key: string): number | string | undefined {
  return v.gate?.metrics[key] ?? v.run?.metrics[key];
}

function lowerIsBetter(metric: string): boolean {
  return /(loss|error|mae|mse|rmse|mape|perplexity|latency)/i.test(metric);
}

function selectedVersion(): ModelVersionSummary | undefined {
  if (!model) return undefined;
  return model.versions.find((v) => v.version === state.selectedVersion) ?? model.versions[0];
}

// ---- drawing ---------------------------------------------------------------
function drawHeader(m: ModelSummary): void {
  headerHost.textContent = '';
  const aliases = Object.entries(m.aliases).sort(([a], [b]) => (a === 'champion' ? -1 : b === 'champion' ? 1 : a.localeCompare(b)));
  const runIds = [...new Set(m.versions.flatMap((v) => (v.runId ? [v.runId] : [])))];
  const compare = button('Compare Source Runs', 'Open the comparison panel for every version\'s source run', () => runIds.length && post({ type: 'compare', runIds }));
  if (runIds.length === 0) compare.setAttribute('disabled', '');
  headerHost.append(
    h('div', { class: 'md-header' }, h('h1', { class: 'md-title' }, m.name), ...aliases.map(([a, v]) => h('span', { title: `models:/${m.name}@${a} → version ${v}` }, aliasChip(a), ` v${v}`))),
    h('p', { class: 'md-sub' }, m.description || `${m.versions.length} version${m.versions.length === 1 ? '' : 's'} · updated ${formatDate(m.lastUpdatedTimestamp)}`),
    h('div', { class: 'md-toolbar' }, compare),
  );
}

/** The selected version's actions, in the Versions card's head. */
function drawActions(): void {
  const tools = versionsCard.tools;
  tools.textContent = '';
  const v = selectedVersion();
  if (!v) return;
  const isChampion = v.aliases.includes('champion');
  const promote = isChampion
    ? h('span', { class: 'md-muted', title: `models:/${model?.name}@champion is v${v.version}` }, `v${v.version} is the champion`)
    : button(`Promote v${v.version} to Champion`, 'Compare with the current champion on a metric, then move @champion here', () => act('promote'), 'primary');
  tools.append(promote, button('Set Alias…', `Set an alias on v${v.version}`, () => act('setAlias')), button('Reveal File', `Download v${v.version}'s file and show it`, () => act('reveal')));
}

let metricColumns: string[] = [];
function drawVersions(m: ModelSummary): void {
  const body = versionsCard.body;
  body.textContent = '';
  if (m.versions.length === 0) return void body.append(h('div', { class: 'mlops-empty' }, 'No versions yet. Register one: right-click an .onnx file → Register Model….'));
  metricColumns = metricKeys(m.versions).slice(0, MAX_METRIC_COLUMNS);
  const gate = new Set(gateKeys(m.versions));
  // The best value of each metric column is marked, so versions read side by side.
  const best = new Map<string, number>();
  for (const k of metricColumns) {
    const values = m.versions.map((v) => metricOf(v, k)).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (values.length > 1) best.set(k, lowerIsBetter(k) ? Math.min(...values) : Math.max(...values));
  }
  const gateTitle = (k: string) => {
    const when = m.versions.find((v) => v.gate && k in v.gate.metrics)?.gate?.when;
    return `${k}: the metric the promotion gate read${when ? ` (${when})` : ''}, not logged by the source run`;
  };
  const head = h(
    'tr',
    {},
    ...['Version', 'Aliases', 'Stage', 'Created', 'Format', 'Source run'].map((t) => h('th', {}, t)),
    ...metricColumns.map((k) => (gate.has(k) ? h('th', { class: 'md-num md-gate-col', title: gateTitle(k), 'data-gate': 'true' }, k, ' ', h('span', { class: 'md-gate-badge' }, 'gate')) : h('th', { class: 'md-num', title: k }, k))),
  );
  const selected = selectedVersion()?.version;
  const rows = m.versions.map((v) => {
    const run = v.run
      ? link(v.run.runName, () => post({ type: 'openRun', runId: v.run!.runId }), `Open run ${v.run.runName}`)
      : h('span', { class: 'md-muted' }, v.runId ? 'run gone' : 'from a file');
    const format = h('span', {}, v.format, v.servable ? '' : h('span', { class: 'md-muted' }, ' (not servable)'));
    const tr = h(
      'tr',
      { tabindex: '0', 'data-version': v.version, class: v.version === selected ? 'md-selected' : '', 'aria-selected': String(v.version === selected) },
      h('td', {}, h('span', { class: 'md-mono' }, `v${v.version}`), v.status !== 'READY' ? h('span', { class: 'md-status md-status-failed' }, ` ${v.status}`) : ''),
      h('td', {}, ...v.aliases.flatMap((a) => [aliasChip(a), ' '])),
      h('td', {}, v.stage === 'None' ? h('span', { class: 'md-muted' }, '—') : v.stage),
      h('td', {}, formatDate(v.creationTimestamp)),
      h('td', {}, format),
      h('td', {}, run),
      ...metricColumns.map((k) => {
        const value = metricOf(v, k);
        return h('td', { class: `md-num${gate.has(k) ? ' md-gate-col' : ''}${typeof value === 'number' && best.get(k) === value ? ' md-best' : ''}` }, formatValue(value));
      }),
    );
    const choose = () => select(v.version);
    tr.addEventListener('click', choose);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') choose();
    });
    return tr;
  });
  body.append(h('table', { class: 'md-table md-versions' }, h('thead', {}, head), h('tbody', {}, ...rows)));
}

function featureNames(features: unknown): { name: string; type: string }[] {
  if (Array.isArray(features)) return features.flatMap((f) => (f && typeof f === 'object' && typeof (f as { name?: unknown }).name === 'string' ? [{ name: (f as { name: string }).name, type: String((f as { type?: unknown }).type ?? '') }] : []));
  if (features && typeof features === 'object' && Array.isArray((features as { features?: unknown }).features)) {
    return ((features as { features: { name: string; categorical?: boolean }[] }).features ?? []).map((f) => ({ name: f.name, type: f.categorical ? 'categorical' : 'numeric' }));
  }
  return [];
}

let signatureShown = false;
function drawSignature(v: ModelVersionSummary | undefined): void {
  const body = signatureCard.body;
  body.textContent = '';
  signatureShown = false;
  signatureCard.tools.textContent = '';
  if (!v) return void body.append(h('div', { class: 'mlops-empty' }, 'No version selected.'));
  signatureCard.tools.append(h('span', { class: 'md-muted' }, `v${v.version}`));
  const info = h(
    'dl',
    { class: 'md-info' },
    h('dt', {}, 'URI'),
    h('dd', {}, link(`models:/${model?.name}/${v.version}`, () => post({ type: 'copy', text: `models:/${model?.name}/${v.version}` }), 'Copy')),
    h('dt', {}, 'File'),
    h('dd', { class: 'md-mono' }, `${v.primaryPath ?? '—'}${v.fileCount > 1 ? ` (+${v.fileCount - 1} files)` : ''}`),
    h('dt', {}, 'sha256'),
    h('dd', { class: 'md-mono', title: v.sha256 ?? '' }, v.sha256 ? `${v.sha256.slice(0, 16)}…` : '—'),
  );
  body.append(info);
  const sig = v.signature;
  if (sig && (sig.inputs.length > 0 || sig.outputs.length > 0)) {
    signatureShown = true;
    const rows = [...sig.inputs.map((t) => ['input', t] as const), ...sig.outputs.map((t) => ['output', t] as const)].map(([dir, t]) =>
      h('tr', {}, h('td', { class: 'md-muted' }, dir), h('td', { class: 'md-mono' }, t.name), h('td', {}, t.elementType), h('td', { class: 'md-mono' }, `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`)),
    );
    body.append(h('table', { class: 'md-table' }, h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'Name'), h('th', {}, 'Type'), h('th', {}, 'Shape'))), h('tbody', {}, ...rows)));
  } else body.append(h('div', { class: 'mlops-empty' }, 'No signature recorded for this version.'));
  const features = featureNames(v.features);
  if (features.length > 0) {
    body.append(h('div', { class: 'md-sub-head' }, `Features (${features.length})`), h('div', { class: 'md-mono' }, features.map((f) => (f.type && f.type !== 'numeric' ? `${f.name}:${f.type}` : f.name)).join(', ')));
  }
}

function drawLineage(v: ModelVersionSummary | undefined): void {
  const body = lineageCard.body;
  body.textContent = '';
  lineageCard.tools.textContent = '';
  if (!v) return void body.append(h('div', { class: 'mlops-empty' }, 'No version selected.'));
  const run = v.runId ? lineage[v.runId] : undefined;
  const chain = h('div', { class: 'md-lineage-chain' }, h('span', { class: 'md-node md-mono' }, `v${v.version}`), h('span', { class: 'md-arrow' }, '←'));
  if (!v.runId) {
    chain.append(h('span', { class: 'md-node' }, 'a file'));
    body.append(chain, h('div', { class: 'md-muted' }, `Registered from ${v.source}: no run recorded how it was trained.`));
    return;
  }
  if (!run) {
    chain.append(h('span', { class: 'md-node md-mono' }, v.runId.slice(0, 8)));
    body.append(chain, h('div', { class: 'md-muted' }, 'The source run is gone (deleted and purged).'));
    return;
  }
  chain.append(h('span', { class: 'md-node' }, link(run.runName, () => post({ type: 'openRun', runId: run.runId }), 'Open the run')), h('span', { class: 'md-arrow' }, '←'), h('span', { class: 'md-node' }, `${Object.keys(run.params).length} params`));
  if (run.gitCommit) chain.append(h('span', { class: 'md-arrow' }, '+'), h('span', { class: 'md-node md-mono' }, run.gitCommit.slice(0, 8)));
  if (run.datasets.length) chain.append(h('span', { class: 'md-arrow' }, '+'), h('span', { class: 'md-node' }, `${run.datasets.length} dataset${run.datasets.length === 1 ? '' : 's'}`));
  const code = run.gitCommit ? `${run.gitCommit.slice(0, 12)}${run.gitBranch ? ` (${run.gitBranch})` : ''}${run.gitDirty ? ' + uncommitted changes' : ''}` : 'not recorded';
  body.append(
    chain,
    h(
      'dl',
      { class: 'md-info' },
      h('dt', {}, 'Run'),
      h('dd', {}, `${run.runName} · ${run.experimentName}`),
      h('dt', {}, 'Code'),
      h('dd', { class: 'md-mono' }, code),
      ...(run.command ? [h('dt', {}, 'Command'), h('dd', { class: 'md-mono' }, run.command)] : []),
      ...gateRows(v),
    ),
  );
  const params = Object.entries(run.params).sort(([a], [b]) => a.localeCompare(b));
  body.append(h('div', { class: 'md-sub-head' }, `Params (${params.length})`));
  if (params.length) body.append(h('table', { class: 'md-table md-kv' }, h('tbody', {}, ...params.map(([k, val]) => h('tr', {}, h('td', { class: 'md-mono' }, k), h('td', { class: 'md-mono' }, val))))));
  else body.append(h('div', { class: 'md-muted' }, 'None logged.'));
  body.append(h('div', { class: 'md-sub-head' }, `Inputs (${run.datasets.length})`));
  if (run.datasets.length) {
    body.append(h('table', { class: 'md-table md-kv' }, h('tbody', {}, ...run.datasets.map((d) => h('tr', {}, h('td', {}, d.name), h('td', { class: 'md-muted' }, d.context ?? ''), h('td', { class: 'md-mono', title: d.source }, d.digest.slice(0, 10)))))));
  } else body.append(h('div', { class: 'md-muted' }, 'No datasets logged (mlflow.log_input).'));
}

/** The promotion gate that let the version in: the metric it read (a test AUC) and its verdict, beside the training run's facts. */
function gateRows(v: ModelVersionSummary): HTMLElement[] {
  const gate = v.gate;
  if (!gate) return [];
  const read = Object.entries(gate.metrics).map(([k, x]) => `${k} ${formatValue(x)}`).join(', ');
  const verdict = h('dd', { 'data-gate': 'true' }, h('span', { class: 'md-gate-value' }, read || '—'), h('div', { class: 'md-muted md-mono' }, gate.result || gate.when));
  const rows = [h('dt', {}, 'Promotion gate'), verdict];
  if (gate.pipelineRunId) rows.push(h('dt', {}, 'Pipeline run'), h('dd', {}, link(gate.pipelineRunId.slice(0, 8), () => post({ type: 'openRun', runId: gate.pipelineRunId! }), 'Open the pipeline run that registered it')));
  return rows;
}

let chartMetric: string | null = null;
const axisNote = h('div', { class: 'md-muted md-caption md-axis-note' });
function drawChart(): void {
  const body = chartCard.body;
  if (!model) return;
  const keys = metricKeys(model.versions);
  metricPicker.textContent = '';
  for (const k of keys) metricPicker.append(h('vscode-option', { value: k }, k));
  if (keys.length === 0) {
    chart.destroy();
    chartMetric = null;
    metricPicker.hidden = true;
    body.textContent = '';
    body.append(h('div', { class: 'mlops-empty' }, 'No metrics to chart: the versions\' source runs logged none (or the versions were registered from files).'));
    return;
  }
  metricPicker.hidden = false;
  chartMetric = state.chartMetric && keys.includes(state.chartMetric) ? state.chartMetric : keys[0];
  metricPicker.value = chartMetric;
  if (!body.contains(canvas)) {
    body.textContent = '';
    body.append(
      h('div', { class: 'md-chart-wrap' }, canvas),
      h('div', { class: 'md-muted md-caption' }, 'Each point is the version\'s value: the promotion gate\'s metric, or its source run\'s latest. Yellow: @champion; larger: the selected version; versions without the metric leave a gap.'),
      axisNote,
    );
  }
  chart.draw(model.versions, chartMetric, selectedVersion()?.version ?? null, (v) => metricOf(v, chartMetric!));
  const axis = chart.axis;
  // Three significant digits read as a scale does (0.00005, 0.0500), not as a metric value (5.0000e-5).
  const scale = (x: number) => String(Number(x.toPrecision(3)));
  axisNote.textContent = !axis
    ? ''
    : axis.points < 2
      ? `Only one version has ${chartMetric} so far: register another to compare (y-axis ${scale(axis.min)} to ${scale(axis.max)}).`
      : axis.widened
      ? `The versions differ by ${scale(axis.spread)} at most: the y-axis spans ${scale(axis.max - axis.min)} (${scale(axis.min)} to ${scale(axis.max)}) so that so small a difference is drawn small, not as a cliff.`
      : `The versions differ by ${scale(axis.spread)} at most (y-axis ${scale(axis.min)} to ${scale(axis.max)}).`;
}

function select(version: string): void {
  saveState({ selectedVersion: version });
  if (!model) return;
  for (const tr of versionsCard.body.querySelectorAll('tr[data-version]')) {
    const on = tr.getAttribute('data-version') === version;
    tr.classList.toggle('md-selected', on);
    tr.setAttribute('aria-selected', String(on));
  }
  const v = selectedVersion();
  drawActions();
  drawSignature(v);
  drawLineage(v);
  drawChart();
  report();
}

function drawAll(): void {
  if (!model) return;
  drawHeader(model);
  drawVersions(model);
  drawActions();
  const v = selectedVersion();
  drawSignature(v);
  drawLineage(v);
  drawChart();
}

// ---- reporting -------------------------------------------------------------
let reportQueued = false;
function report(): void {
  if (!model || reportQueued) return;
  reportQueued = true;
  requestAnimationFrame(() => {
    reportQueued = false;
    if (!model) return;
    const r: ModelPanelReport = {
      modelName: model.name,
      versions: model.versions.map((v) => ({ version: v.version, aliases: v.aliases, runName: v.run?.runName ?? null })),
      selectedVersion: selectedVersion()?.version ?? null,
      sections: [...grid.querySelectorAll('[data-section]')].filter((s) => !s.querySelector('.md-card-body > .mlops-empty:only-child')).map((s) => s.getAttribute('data-section')!),
      signature: signatureShown ? 'shown' : 'none',
      metricColumns,
      gateMetrics: model ? gateKeys(model.versions) : [],
      chart: chartMetric ? { metric: chartMetric, points: chart.points, yMin: chart.axis?.min ?? null, yMax: chart.axis?.max ?? null, spread: chart.axis?.spread ?? null } : null,
    };
    post({ type: 'rendered', report: r });
  });
}

// ---- messages from the host -------------------------------------------------
channel.onValid((m) => {
  switch (m.type) {
    case 'model':
      model = m.model;
      lineage = m.lineage;
      saveState({ modelName: m.model.name });
      errorHost.hidden = true;
      grid.hidden = false;
      drawAll();
      report();
      break;
    case 'select':
      select(m.version);
      break;
    case 'error':
      errorHost.hidden = false;
      errorHost.textContent = m.message;
      if (!model) grid.hidden = true;
      break;
  }
});

post({ type: 'ready', modelName: state.modelName });
