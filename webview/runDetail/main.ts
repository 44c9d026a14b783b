// The run detail panel: everything about one run on one page (facts, note,
// metrics with sparklines and their full charts, params, tags, artifacts with
// previews, output, git diff, environment, related runs). Data come only from the extension host
// (postMessage), validated on arrival.
import {
  hostToRunDetail,
  runDetailState,
  type HostToRunDetail,
  type LinkedRuns,
  type PreviewReport,
  type RunDetail,
  type RunDetailReport,
  type RunDetailState,
  type RunDetailToHost,
  type SparklineSeries,
} from '../../src/protocol/runDetailMessages';
import { previewKind } from '../../src/protocol/artifactPreview';
import { panelChannel } from '../shared/vscodeApi';
import { h, registerUiKit } from '../shared/uiKit';
import { ArtifactBrowser } from './artifacts';
import { NoteEditor, header, infoList } from './overview';
import { LogView, diffView, environmentView, linkedView } from './outputs';
import { markCharted, metricsTable, paramsTable, tagsTable } from './tables';
import { RunCharts } from './metricCharts';
import { installStyles } from './styles';

registerUiKit();
installStyles();

const channel = panelChannel<RunDetailToHost, HostToRunDetail, RunDetailState>(hostToRunDetail);
const restored = runDetailState.safeParse(channel.state());
let state: Partial<RunDetailState> = restored.success ? restored.data : {};
const post = (m: RunDetailToHost) => channel.post(m);

let run: RunDetail | undefined;
let linked: LinkedRuns = { parent: null, children: [], sameCommand: [] };
let series = new Map<string, SparklineSeries>();
let counts = { sparklines: 0, tags: 0, systemTags: 0 };
const empty = new Set<string>();
const drawn = new Set<string>();
/** What has arrived since the run was (re)loaded; the first report waits for all of it. */
let got = { detail: false, sparklines: false, artifacts: false, log: false, preview: false };
let previewReport: PreviewReport | null = null;
let ticker: number | undefined;

// ---- layout ----------------------------------------------------------------
const app = document.getElementById('app')!;
app.removeAttribute('data-loading');
app.textContent = '';

function card(id: string, title: string, wide = false): { root: HTMLElement; body: HTMLElement; head: HTMLElement } {
  const head = h('div', { class: 'rd-card-head' }, h('h2', {}, title));
  const body = h('div', { class: 'rd-card-body' }, h('div', { class: 'mlops-empty' }, 'Loading…'));
  const root = h('section', { class: `rd-card${wide ? ' rd-wide' : ''}`, id: `rd-${id}`, 'data-section': id, 'aria-label': title }, head, body);
  return { root, body, head };
}

const headerHost = h('div', {});
const errorHost = h('div', { class: 'mlops-error', role: 'alert' });
errorHost.hidden = true;
const overview = card('info', 'Overview');
const note = card('note', 'Note', true);
const metrics = card('metrics', 'Metrics');
const chartCard = card('chart', 'Metric chart', true);
chartCard.root.hidden = true;
const params = card('params', 'Params');
const tags = card('tags', 'Tags');
const artifacts = card('artifacts', 'Artifacts', true);
const output = card('output', 'Output', true);
const diff = card('diff', 'Git diff');
const environment = card('environment', 'Environment');
const linkedCard = card('linked', 'Linked runs', true);
const grid = h('div', { class: 'rd-grid' });
app.append(headerHost, errorHost, grid);
// Pairs of similar height side by side; the chart (under the metrics), note, artifacts and output take the full width.
grid.append(overview.root, metrics.root, chartCard.root, params.root, tags.root, note.root, artifacts.root, output.root, diff.root, environment.root, linkedCard.root);

const noteEditor = new NoteEditor(post);
const browser = new ArtifactBrowser(post, (path) => saveState({ selectedArtifact: path }));
const logView = new LogView();
artifacts.body.textContent = '';
artifacts.body.append(browser.element);
output.body.textContent = '';
output.body.append(logView.element);
const charts = new RunCharts(
  post,
  (options) => {
    chartCard.root.hidden = !options;
    saveState({ chart: options });
    markCharted(metrics.body, options?.keys ?? []);
  },
  () => report(),
);
chartCard.body.textContent = '';
chartCard.body.append(charts.element);

function saveState(patch: Partial<RunDetailState> = {}): void {
  state = { ...state, ...patch };
  if (state.runId) channel.saveState(state as RunDetailState);
}

function fill(section: { body: HTMLElement }, id: string, content: Node, isEmpty = false): void {
  section.body.textContent = '';
  section.body.append(content);
  drawn.add(id);
  if (isEmpty) empty.add(id);
  else empty.delete(id);
}

// ---- drawing ---------------------------------------------------------------
function drawDetail(m: Extract<HostToRunDetail, { type: 'detail' }>): void {
  run = m.detail;
  linked = m.linked;
  headerHost.textContent = '';
  headerHost.append(header(run, post));
  const info = infoList(run, linked, post);
  fill(overview, 'info', info.element);
  if (ticker) clearInterval(ticker);
  ticker = run.status === 'RUNNING' ? window.setInterval(info.tick, 1000) : undefined;
  noteEditor.update(run);
  const restoring = !charts.isOpen && !drawn.has('metrics') && state.chart;
  charts.setRun(run);
  fill(note, 'note', noteEditor.element, !noteEditor.text);
  fill(params, 'params', paramsTable(run), Object.keys(run.params).length === 0);
  drawMetrics();
  const t = tagsTable(run, state.systemTagsOpen ?? false, (open) => saveState({ systemTagsOpen: open }));
  counts.tags = t.user;
  counts.systemTags = t.system;
  fill(tags, 'tags', t.element, t.user + t.system === 0);
  fill(diff, 'diff', diffView(m.diff, run.tags['mlops.git.dirty'] === 'true'), !m.diff);
  const env = environmentView(m.environment);
  fill(environment, 'environment', env.element, env.empty);
  fill(linkedCard, 'linked', linkedView(linked, post), !linked.parent && linked.children.length === 0 && linked.sameCommand.length === 0);
  // After a reload: the chart that was open, for the metrics the run still has.
  if (restoring) {
    const known = new Set(run.metrics.map((m) => m.key));
    const keys = restoring.keys.filter((k) => known.has(k));
    if (keys.length) charts.show({ ...restoring, keys }, null);
  }
}

function drawMetrics(): void {
  if (!run) return;
  // A live redraw must not take the keyboard focus from the metric it was on.
  const focused = (document.activeElement as HTMLElement | null)?.closest?.('#rd-metrics .rd-metric-open')?.getAttribute('data-metric');
  const table = metricsTable(run, series, { charted: charts.keys, open: (key, add) => charts.open(key, add) });
  counts.sparklines = table.sparklines;
  fill(metrics, 'metrics', table.element, run.metrics.length === 0);
  if (focused) [...metrics.body.querySelectorAll<HTMLElement>('.rd-metric-open')].find((b) => b.dataset.metric === focused)?.focus();
}

function startInitialPreview(): void {
  if (got.preview || !got.artifacts) return;
  const first = browser.initialSelection(state.selectedArtifact);
  if (first) browser.select(first);
  else got.preview = true;
}

// ---- reporting -------------------------------------------------------------
let reportQueued = false;
function report(): void {
  if (!run || !got.detail || !got.sparklines || !got.artifacts || !got.log || !got.preview || reportQueued) return;
  reportQueued = true;
  // After the browser has laid out what was just drawn.
  requestAnimationFrame(() => {
    reportQueued = false;
    if (!run) return;
    const r: RunDetailReport = {
      runId: run.runId,
      runName: run.runName,
      status: run.status,
      sections: ['info', 'note', 'metrics', 'params', 'tags', 'artifacts', 'output', 'diff', 'environment', 'linked'].filter((s) => s === 'artifacts' || s === 'output' || drawn.has(s)).filter((s) => !isEmpty(s)),
      params: Object.keys(run.params).length,
      metrics: run.metrics.length,
      sparklines: counts.sparklines,
      tags: counts.tags,
      systemTags: counts.systemTags,
      note: noteEditor.text,
      artifacts: browser.rootEntries.map((f) => ({ path: f.path, isDir: f.isDir, kind: f.isDir ? 'folder' : previewKind(f.path) })),
      logSource: logView.source ?? 'none',
      logChars: logView.text.length,
      logTail: logView.text.slice(-2000),
      linked: { parent: linked.parent?.runId ?? null, children: linked.children.length, sameCommand: linked.sameCommand.length },
      preview: previewReport,
      chart: charts.isOpen ? charts.lastReport : null,
      model: browser.modelReport,
      pipFreezeNote: environment.body.querySelector('.rd-pip-note')?.textContent ?? null,
    };
    post({ type: 'rendered', report: r });
  });
}

function isEmpty(section: string): boolean {
  if (section === 'artifacts') return browser.rootEntries.length === 0;
  if (section === 'output') return logView.source === 'none';
  return empty.has(section);
}

function resetFor(runId: string): void {
  run = undefined;
  series = new Map();
  counts = { sparklines: 0, tags: 0, systemTags: 0 };
  got = { detail: false, sparklines: false, artifacts: false, log: false, preview: false };
  previewReport = null;
  drawn.clear();
  empty.clear();
  browser.reset();
  charts.reset();
  chartCard.root.hidden = true;
  // The remembered file belongs to the run it was chosen in.
  if (state.runId && state.runId !== runId) state = { runId, systemTagsOpen: state.systemTagsOpen };
  saveState({ runId });
}

// ---- messages from the host -------------------------------------------------
channel.onValid((m) => {
  switch (m.type) {
    case 'detail':
      if (m.detail.runId !== run?.runId && run) resetFor(m.detail.runId);
      else if (!run) saveState({ runId: m.detail.runId });
      errorHost.hidden = true;
      grid.hidden = false;
      drawDetail(m);
      got.detail = true;
      break;
    case 'sparklines':
      series = new Map(m.series.map((s) => [s.key, s]));
      drawMetrics();
      got.sparklines = true;
      break;
    case 'artifacts':
      browser.setListing(m.path, m.files, m.error);
      if (m.path === '') {
        got.artifacts = true;
        startInitialPreview();
      }
      break;
    case 'registrations':
      browser.setRegistrations(m.registrations);
      break;
    case 'preview': {
      const drawing = browser.showPreview(m.requestId, m.path, m.content);
      if (!drawing) return;
      void drawing.then((r) => {
        previewReport = r;
        got.preview = true;
        if (m.requestId < 0) post({ type: 'previewRendered', requestId: m.requestId, report: r });
        report();
      });
      return;
    }
    case 'series':
      charts.receive(m);
      return;
    case 'openChart':
      charts.show({ keys: m.keys, x: m.x }, m.range ?? null, m.requestId);
      return;
    case 'selectArtifact':
      browser.select(m.path, m.requestId);
      return;
    case 'log':
      logView.apply(m);
      got.log = true;
      break;
    case 'error':
      errorHost.hidden = false;
      errorHost.textContent = m.message;
      // Without a run there is nothing to show beside the message.
      if (!run) grid.hidden = true;
      return;
  }
  report();
});

// Theme changes (VS Code swaps the body's classes): the charts take the new colours.
new MutationObserver(() => charts.redraw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: 'ready', runId: state.runId });
