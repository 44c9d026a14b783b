// The DAG panel of a pipeline file: its steps as a graph coloured by their last
// execution, with what a run now would do (stale, cached), and the actions on
// a step (run it, run from it, open its run, go to its definition). Data come
// only from the extension host (postMessage), validated; actions go back as
// messages, and the host runs the commands.
import {
  hostToPipelineDag,
  pipelineDagState,
  type HostToPipelineDag,
  type PipelineDagReport,
  type PipelineDagState,
  type PipelineDagToHost,
} from '../../src/protocol/pipelineDagMessages';
import type { PipelineStatusResponse, PipelineStepStatus } from '../../src/protocol/pipelineApi';
import * as display from '../../src/protocol/displayFormat';
import { panelChannel } from '../shared/vscodeApi';
import { h, registerUiKit } from '../shared/uiKit';
import { DagGraph } from './graphView';
import { installStyles } from './styles';
import { LEGEND, STATUS_LABEL, badges, durationText, nodeStatus } from './stepStatus';

registerUiKit();
installStyles();

const channel = panelChannel<PipelineDagToHost, HostToPipelineDag, PipelineDagState>(hostToPipelineDag);
const restored = pipelineDagState.safeParse(channel.state());
let state: Partial<PipelineDagState> = restored.success ? restored.data : {};
const post = (m: PipelineDagToHost) => channel.post(m);

let status: PipelineStatusResponse | undefined;
let view: PipelineDagReport['view'] = 'empty';
let drawnNodes: PipelineDagReport['nodes'] = [];
let drawnEdges = 0;

const app = document.getElementById('app')!;
app.removeAttribute('data-loading');
app.textContent = '';

function button(text: string, title: string, onClick: () => void, appearance = 'secondary'): HTMLElement {
  const b = h('vscode-button', { appearance, title }, text);
  b.addEventListener('click', onClick);
  return b;
}

function enable(el: HTMLElement, on: boolean): void {
  if (on) el.removeAttribute('disabled');
  else el.setAttribute('disabled', '');
}

// ---- layout of the panel -----------------------------------------------------
const titleText = h('h1', {}, '');
const fileText = h('span', { class: 'dag-file' }, '');
const summary = h('div', { class: 'dag-summary' });
const runPipeline = button('Run Pipeline', 'Run every step that is not up to date', () => post({ type: 'runPipeline' }), 'primary');
const fitButton = button('Fit', 'Show the whole graph (0)', () => graph.fit());
const zoomOut = button('−', 'Zoom out (−, or Ctrl + wheel)', () => graph.zoomBy(1 / 1.25), 'icon');
const zoomIn = button('+', 'Zoom in (+, or Ctrl + wheel)', () => graph.zoomBy(1.25), 'icon');
const viewTools = h('span', { class: 'dag-tools' }, zoomOut, zoomIn, fitButton);
const header = h('header', { class: 'dag-head' }, h('div', { class: 'dag-title' }, titleText, fileText, summary), h('div', { class: 'dag-tools' }, viewTools, runPipeline));

const selectionBar = h('div', { class: 'dag-selbar', 'aria-live': 'polite' });
const banner = h('div', { class: 'dag-banner', role: 'status' });
banner.hidden = true;

const graph = new DagGraph({
  onSelect: (step) => {
    saveState({ selectedStep: step ?? undefined });
    drawSelectionBar();
    report();
  },
  onActivate: (step) => activate(step),
});
const messageHost = h('div', { class: 'dag-message' });
const footer = h(
  'footer',
  { class: 'dag-foot' },
  h('div', { class: 'dag-legend', 'aria-label': 'Colours' }, ...LEGEND.map(([st, label]) => h('span', {}, h('span', { class: `dag-swatch dag-s-${st}` }), label))),
  h('span', { class: 'dag-hint' }, 'Double-click a step to open its run · arrow keys move · drag to pan · Ctrl + wheel zooms'),
);
app.append(header, selectionBar, banner, graph.element, messageHost, footer);
new ResizeObserver(() => graph.resized()).observe(graph.element);

function saveState(patch: Partial<PipelineDagState>): void {
  state = { ...state, ...patch };
  if (state.file) channel.saveState(state as PipelineDagState);
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function stepNamed(name: string | null | undefined): PipelineStepStatus | undefined {
  return name ? status?.steps.find((s) => s.name === name) : undefined;
}

/** Double-click or Enter: the step's run when it has one, else where it is defined. */
function activate(step: string): void {
  const st = stepNamed(step);
  if (!st) return;
  if (st.last) post({ type: 'openStepRun', runId: st.last.runId });
  else post({ type: 'revealStep', step });
}

// ---- drawing -----------------------------------------------------------------
function drawHeader(file: string, label = basename(file)): void {
  titleText.textContent = status?.name || basename(file);
  fileText.textContent = label;
  fileText.title = file;
  summary.textContent = '';
  if (!status || status.steps.length === 0) return;
  const parts: (Node | string)[] = [`${status.steps.length} step${status.steps.length === 1 ? '' : 's'}`];
  const last = status.lastRun;
  if (last) {
    const cls = { FINISHED: 'finished', FAILED: 'failed', RUNNING: 'running', KILLED: 'killed' }[last.status] ?? 'never';
    parts.push(' · last run ', h('span', { class: `dag-dot dag-s-${cls}` }), ` ${last.status.toLowerCase()}`);
    if (last.startTime) parts.push(` ${display.formatTime(last.startTime).slice(0, 16)}`);
    const took = display.formatDuration(last.startTime, last.status === 'RUNNING' ? null : last.endTime);
    if (took) parts.push(` (${took})`);
  } else parts.push(' · never run');
  const stale = status.steps.filter((s) => s.state === 'stale' && !s.differsFromLastRun?.length).length;
  if (stale) parts.push(` · ${stale} stale`);
  const warnings = status.diagnostics.length;
  if (warnings) parts.push(` · ${warnings} warning${warnings === 1 ? '' : 's'}`);
  summary.append(...parts);
}

function drawSelectionBar(): void {
  selectionBar.textContent = '';
  const st = stepNamed(graph.selected);
  if (view !== 'graph') return void (selectionBar.hidden = true);
  selectionBar.hidden = false;
  if (!st) return void selectionBar.append(h('span', { class: 'dag-muted' }, 'Select a step to run it, open its last run or go to its definition.'));
  const s = nodeStatus(st);
  const duration = durationText(st);
  const openRun = button('Open Run', st.last ? `Open run ${st.last.runId}` : 'This step has not run yet', () => st.last && post({ type: 'openStepRun', runId: st.last.runId }));
  enable(openRun, !!st.last);
  // What the tooltip says, for keyboard users too: the status, why it failed, why it would run.
  const facts = [STATUS_LABEL[s], duration, st.last?.reason ?? '', ...badges(st).map((b) => (b === 'stale' && st.why ? `stale: ${st.why}` : b === 'set' ? `ran with ${(st.differsFromLastRun ?? []).map((c) => `${c.param}=${c.lastRun}`).join(' ')}` : b))].filter(Boolean).join(' · ');
  selectionBar.append(
    h('span', { class: 'dag-sel-name' }, st.name),
    h('span', { class: 'dag-muted dag-sel-facts', title: facts }, facts),
    button('Run Step', `Run ${st.name} only`, () => post({ type: 'runStep', step: st.name })),
    button('Run From Step', `Run ${st.name} and everything downstream`, () => post({ type: 'runFromStep', step: st.name })),
    openRun,
    button('Go to Definition', `Show ${st.name} in the pipeline file (line ${st.line})`, () => post({ type: 'revealStep', step: st.name })),
  );
}

function showMessage(content: Node[]): void {
  graph.element.hidden = true;
  viewTools.hidden = true;
  footer.hidden = true;
  messageHost.hidden = false;
  messageHost.textContent = '';
  messageHost.append(...content);
}

function drawStatus(file: string, label: string | undefined, next: PipelineStatusResponse): void {
  status = next;
  drawHeader(file, label);
  const errors = next.diagnostics.filter((d) => d.severity === 'error');
  const neverRun = next.steps.length > 0 && !next.lastRun && next.steps.every((s) => !s.last);
  banner.hidden = !neverRun;
  if (neverRun) {
    banner.textContent = '';
    banner.append(h('span', {}, 'This pipeline has never run — Run Pipeline to run every step.'), button('Run Pipeline', 'Run every step', () => post({ type: 'runPipeline' }), 'primary'));
  }
  enable(runPipeline, next.steps.length > 0);
  if (next.steps.length === 0) {
    drawnNodes = [];
    drawnEdges = 0;
    if (errors.length || next.diagnostics.length) {
      view = 'problems';
      const list = next.diagnostics.map((d) =>
        h('li', {}, h('span', { class: 'dag-where' }, `${d.line}:${d.column}`), h('span', { class: `dag-sev-${d.severity}` }, d.severity), h('span', {}, d.message)),
      );
      showMessage([h('h2', {}, `This pipeline file has ${next.diagnostics.length} problem${next.diagnostics.length === 1 ? '' : 's'}: fix ${next.diagnostics.length === 1 ? 'it' : 'them'} to see the graph.`), h('ul', { class: 'dag-problems' }, ...list)]);
    } else {
      view = 'empty';
      showMessage([h('div', { class: 'mlops-empty' }, 'No steps in this pipeline yet. Add one under `steps:` in the file.')]);
    }
  } else {
    view = 'graph';
    messageHost.hidden = true;
    graph.element.hidden = false;
    viewTools.hidden = false;
    footer.hidden = false;
    const drawn = graph.draw(next.steps);
    if (graph.tick()) startClock();
    drawnNodes = drawn.nodes;
    drawnEdges = drawn.edges;
    if (!graph.selected && state.selectedStep) graph.select(state.selectedStep, true);
  }
  drawSelectionBar();
}

// Running steps show their time so far, a second at a time, until a status says they ended.
let clock: number | undefined;
function startClock(): void {
  clock ??= window.setInterval(() => {
    if (view === 'graph' && graph.tick()) return;
    window.clearInterval(clock);
    clock = undefined;
  }, 1000);
}

function drawError(file: string, label: string | undefined, message: string): void {
  view = 'error';
  drawnNodes = [];
  drawnEdges = 0;
  status = undefined;
  drawHeader(file, label);
  banner.hidden = true;
  enable(runPipeline, false);
  showMessage([h('div', { class: 'mlops-error', role: 'alert' }, message)]);
  drawSelectionBar();
}

// ---- reporting -------------------------------------------------------------
let reportQueued = false;
function report(): void {
  if (reportQueued || !state.file) return;
  reportQueued = true;
  requestAnimationFrame(() => {
    reportQueued = false;
    const r: PipelineDagReport = {
      file: state.file!,
      view,
      nodes: drawnNodes,
      edges: drawnEdges,
      problems: status?.diagnostics.length ?? 0,
      selectedStep: graph.selected,
      neverRun: !banner.hidden,
    };
    post({ type: 'rendered', report: r });
  });
}

// ---- messages from the host -------------------------------------------------
channel.onValid((m) => {
  saveState({ file: m.file });
  if (m.type === 'status') drawStatus(m.file, m.label, m.status);
  else drawError(m.file, m.label, m.message);
  report();
});

post({ type: 'ready', file: state.file });
