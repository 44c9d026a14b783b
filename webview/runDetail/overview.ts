// The top of the run detail panel: the run's header, its facts, and its note.
import type { LinkedRuns, RunDetail, RunDetailToHost } from '../../src/protocol/runDetailMessages';
import { h } from '../shared/uiKit';
import { commandLine, formatDuration, formatTime } from './format';
import { icon } from './icons';

const NOTE_TAG = 'mlflow.note.content';
const STATUS_GLYPHS: Record<string, string> = { RUNNING: '⟳', FINISHED: '✓', FAILED: '✕', KILLED: '⊘', SCHEDULED: '◷' };

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `rd-status rd-status-${status.toLowerCase()}`, title: status }, h('span', { class: 'rd-status-glyph', 'aria-hidden': 'true' }, STATUS_GLYPHS[status] ?? '•'), status.charAt(0) + status.slice(1).toLowerCase());
}

export function header(run: RunDetail, post: (m: RunDetailToHost) => void): HTMLElement {
  const copy = h('vscode-button', { appearance: 'icon', 'aria-label': 'Copy run ID', title: 'Copy run ID' }, icon('copy'));
  copy.addEventListener('click', () => post({ type: 'copy', text: run.runId }));
  return h(
    'header',
    { class: 'rd-header' },
    h('div', { class: 'rd-title-row' }, statusBadge(run.status), h('h1', { class: 'rd-title' }, run.runName), run.lifecycleStage === 'deleted' ? h('span', { class: 'rd-chip' }, 'deleted') : ''),
    h('div', { class: 'rd-subtitle' }, h('span', {}, `Experiment ${run.experimentName}`), h('span', { class: 'rd-sep' }, '·'), h('code', { class: 'rd-id' }, run.runId), copy),
  );
}

function row(label: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

export function infoList(run: RunDetail, linked: LinkedRuns, post: (m: RunDetailToHost) => void): { element: HTMLElement; tick: () => void } {
  const t = run.tags;
  const duration = h('span', {}, formatDuration(run.startTime, run.endTime));
  const items: HTMLElement[] = [
    ...row('Status', statusBadge(run.status)),
    ...row('Started', formatTime(run.startTime)),
    ...row('Ended', run.status === 'RUNNING' ? 'still running' : formatTime(run.endTime)),
    ...row('Duration', duration),
    ...row('User', run.userId || '—'),
  ];
  const command = commandLine(t['mlops.command']) ?? t['mlflow.source.name'];
  if (command) items.push(...row('Command', h('code', { class: 'rd-wrap' }, command)));
  if (t['mlops.cwd']) items.push(...row('Folder', h('code', { class: 'rd-wrap' }, t['mlops.cwd'])));
  const commit = t['mlflow.source.git.commit'];
  if (commit) {
    const git = h('span', {}, h('code', { title: commit }, commit.slice(0, 10)));
    if (t['mlflow.source.git.branch']) git.append(` on ${t['mlflow.source.git.branch']}`);
    if (t['mlops.git.dirty'] === 'true') git.append(' ', h('span', { class: 'rd-chip rd-chip-warn', title: 'The working tree had uncommitted changes (see Git diff)' }, 'dirty'));
    items.push(...row('Git', git));
  }
  if (t['mlops.exitCode']) items.push(...row('Exit code', `${t['mlops.exitCode']}${t['mlops.endReason'] ? ` (${t['mlops.endReason']})` : ''}`));
  if (t['mlops.failureReason']) items.push(...row('Failure', h('span', { class: 'mlops-error-text' }, t['mlops.failureReason'])));
  if (linked.parent) items.push(...row('Parent run', runLink(linked.parent.runId, linked.parent.runName, post)));
  return { element: h('dl', { class: 'rd-info' }, ...items), tick: () => (duration.textContent = formatDuration(run.startTime, run.endTime)) };
}

export function runLink(runId: string, name: string, post: (m: RunDetailToHost) => void): HTMLElement {
  const link = h('a', { href: '#', class: 'rd-link', title: `Open run ${runId}`, 'data-run-id': runId }, name);
  link.addEventListener('click', (e) => {
    e.preventDefault();
    post({ type: 'openRun', runId });
  });
  return link;
}

/** The run's note (MLflow's description), edited in place; saved with Save or Ctrl+Enter. */
export class NoteEditor {
  readonly element: HTMLElement;
  private readonly area = h('textarea', { class: 'rd-note', rows: '3', placeholder: 'Add a note about this run…', 'aria-label': 'Run note' });
  private readonly save = h('vscode-button', { appearance: 'primary' }, 'Save');
  private readonly cancel = h('vscode-button', { appearance: 'secondary' }, 'Cancel');
  private saved = '';

  constructor(post: (m: RunDetailToHost) => void) {
    const actions = h('div', { class: 'rd-note-actions' }, this.save, this.cancel);
    this.element = h('div', { class: 'rd-note-box' }, this.area, actions);
    const sync = () => (actions.hidden = this.area.value === this.saved);
    this.area.addEventListener('input', sync);
    const commit = () => {
      this.saved = this.area.value;
      sync();
      post({ type: 'saveNote', text: this.area.value });
    };
    this.save.addEventListener('click', commit);
    this.cancel.addEventListener('click', () => {
      this.area.value = this.saved;
      sync();
    });
    this.area.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) commit();
      if (e.key === 'Escape') this.cancel.click();
    });
    sync();
  }

  /** A live update: keeps what the user is typing. */
  update(run: RunDetail): void {
    const note = run.tags[NOTE_TAG] ?? '';
    const editing = this.area.value !== this.saved;
    this.saved = note;
    if (!editing) this.area.value = note;
    (this.save.parentElement as HTMLElement).hidden = this.area.value === this.saved;
  }

  get text(): string {
    return this.saved;
  }
}
