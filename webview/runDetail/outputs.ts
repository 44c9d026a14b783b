// What the run produced and where it ran: its captured output (live while it
// runs), the recorded git diff, the Python environment, and related runs.
import type { HostToRunDetail, LinkedRuns, RunDetailToHost, RunEnvironment, RunSummary, TextExcerpt } from '../../src/protocol/runDetailMessages';
import { h } from '../shared/uiKit';
import { formatBytes, formatTime } from './format';
import { runLink, statusBadge } from './overview';

type LogMessage = Extract<HostToRunDetail, { type: 'log' }>;
/** The panel keeps at most this much output; older text scrolls away. */
const LOG_KEEP_CHARS = 400_000;

export class LogView {
  readonly element = h('div', { class: 'rd-log-box' });
  private readonly caption = h('div', { class: 'rd-note-line' });
  private readonly pre = h('pre', { class: 'rd-pre rd-log', tabindex: '0', 'aria-label': 'Captured output' });
  source: LogMessage['source'] | undefined;

  constructor() {
    this.element.append(this.caption, this.pre);
  }

  get text(): string {
    return this.pre.textContent ?? '';
  }

  apply(m: LogMessage): void {
    const atBottom = this.pre.scrollTop + this.pre.clientHeight >= this.pre.scrollHeight - 8;
    this.source = m.source;
    if (m.source === 'none') {
      this.pre.hidden = true;
      this.caption.className = 'mlops-empty';
      this.caption.textContent = 'No captured output: this run was not started by mlops run.';
      return;
    }
    this.pre.hidden = false;
    if (m.mode === 'replace') this.pre.textContent = m.text;
    else if (m.text) {
      let text = (this.pre.textContent ?? '') + m.text;
      if (text.length > LOG_KEEP_CHARS) text = text.slice(text.indexOf('\n', text.length - LOG_KEEP_CHARS) + 1);
      this.pre.textContent = text;
    }
    if (m.mode === 'replace' || m.live !== this.element.classList.contains('rd-live')) {
      this.caption.className = 'rd-note-line';
      this.caption.textContent = '';
      if (m.live) this.caption.append(h('span', { class: 'rd-live-dot', 'aria-hidden': 'true' }), 'Live · ');
      this.caption.append(m.source === 'file' ? 'Output captured by mlops run' : 'From the artifact logs/output.log');
      if (m.mode === 'replace' && m.truncated) this.caption.append(' · showing the last 200 KB');
      if (!this.pre.textContent) this.caption.append(' · nothing printed yet');
      this.element.classList.toggle('rd-live', m.live);
    }
    if (m.mode === 'replace' || atBottom) this.pre.scrollTop = this.pre.scrollHeight;
  }
}

export function diffView(diff: TextExcerpt | null, dirty: boolean): HTMLElement {
  if (!diff) {
    return h('div', { class: 'mlops-empty' }, dirty ? 'The working tree was dirty, but no diff was recorded.' : 'No git diff recorded: the working tree was clean, or the run was not started by mlops run.');
  }
  const pre = h('pre', { class: 'rd-pre rd-diff' });
  for (const line of diff.text.replace(/\n$/, '').split('\n')) {
    const cls = line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ') ? 'rd-d-file' : line.startsWith('+') ? 'rd-d-add' : line.startsWith('-') ? 'rd-d-del' : line.startsWith('@@') ? 'rd-d-hunk' : '';
    pre.append(h('span', cls ? { class: cls } : {}, line), '\n');
  }
  const box = h('div', {}, pre);
  const added = diff.text.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
  const removed = diff.text.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---')).length;
  box.prepend(h('div', { class: 'rd-note-line' }, h('span', { class: 'rd-d-add' }, `+${added}`), ' ', h('span', { class: 'rd-d-del' }, `−${removed}`), ` · code/git.diff, ${formatBytes(diff.size)}${diff.truncated ? ' (truncated: open the artifact to see it all)' : ''}`));
  return box;
}

export function environmentView(env: RunEnvironment): { element: HTMLElement; empty: boolean } {
  const facts: [string, string | null][] = [
    ['Python', env.pythonVersion],
    ['Host', env.host],
    ['PID', env.pid],
  ];
  const known = facts.filter(([, v]) => v);
  if (known.length === 0 && !env.pipFreeze) return { element: h('div', { class: 'mlops-empty' }, 'No environment recorded: this run was not started by mlops run.'), empty: true };
  const element = h('div', {}, h('dl', { class: 'rd-info' }, ...known.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, h('code', {}, v as string))])));
  if (env.pipFreeze) {
    const packages = env.pipFreeze.text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).length;
    element.append(h('details', { class: 'rd-fold' }, h('summary', {}, `pip freeze (${packages} packages)`), h('pre', { class: 'rd-pre rd-code rd-short' }, env.pipFreeze.text)));
  } else if (env.pipFreezeNote) element.append(h('div', { class: 'rd-note-line rd-pip-note' }, env.pipFreezeNote));
  return { element, empty: false };
}

function runList(title: string, runs: RunSummary[], post: (m: RunDetailToHost) => void, empty: string): HTMLElement {
  const list = h('ul', { class: 'rd-runs' });
  for (const r of runs) list.append(h('li', {}, statusBadge(r.status), runLink(r.runId, r.runName, post), h('span', { class: 'rd-muted' }, formatTime(r.startTime))));
  return h('div', { class: 'rd-linked-group' }, h('h3', {}, title), runs.length ? list : h('div', { class: 'rd-muted' }, empty));
}

export function linkedView(linked: LinkedRuns, post: (m: RunDetailToHost) => void): HTMLElement {
  return h(
    'div',
    { class: 'rd-linked' },
    runList('Parent', linked.parent ? [linked.parent] : [], post, 'None: a top-level run.'),
    runList(`Children (${linked.children.length})`, linked.children, post, 'No child runs.'),
    runList(`Same command (${linked.sameCommand.length})`, linked.sameCommand, post, 'No other run of this command.'),
  );
}
