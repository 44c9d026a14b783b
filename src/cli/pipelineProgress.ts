import type { StepEvent, StepResult } from '../core/pipeline';

/**
 * The live step table under a pipeline's output in a terminal (a VS Code task's
 * too): each step's status, duration and whether it was cached, redrawn as steps
 * start and end and once a second while any runs. Output lines are written above
 * it: the table is erased, the line written, the table drawn again. Off when
 * output is not a terminal (CI logs, pipes), where the lines alone say it all.
 */
const OUTPUT_REDRAW_MS = 40;

export class PipelineProgress {
  private readonly rows = new Map<string, { state: 'pending' | 'running' | 'done'; startedAt?: number; result?: StepResult }>();
  private drawnLines = 0;
  private finished = false;
  private redrawTimer?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private readonly started: number;

  constructor(
    private readonly title: string,
    steps: readonly string[],
    private readonly term: { write(s: string): unknown; columns?: number; rows?: number },
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    for (const s of steps) this.rows.set(s, { state: 'pending' });
    this.draw();
    this.timer = setInterval(() => this.redraw(), 1000);
    this.timer.unref();
  }

  onStep(e: StepEvent): void {
    const row = this.rows.get(e.step);
    if (!row) return;
    if (e.kind === 'started') Object.assign(row, { state: 'running', startedAt: e.startedAt });
    else Object.assign(row, { state: 'done', result: e.result });
    this.redraw();
  }

  /**
   * A line of output, written above the table. The table comes back once the
   * output pauses (OUTPUT_REDRAW_MS): a step printing thousands of lines a second
   * pays for one erase, not for a redraw per line.
   */
  write(stream: { write(s: string): unknown }, line: string): void {
    this.erase();
    stream.write(`${line}\n`);
    if (this.finished || this.redrawTimer) return;
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      this.redraw();
    }, OUTPUT_REDRAW_MS);
    this.redrawTimer.unref();
  }

  /** Removes the table for good (the final summary replaces it). */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.timer = undefined;
    this.erase();
    this.finished = true;
  }

  private redraw(): void {
    this.erase();
    this.draw();
  }

  private erase(): void {
    // Up to the table's first line, then clear to the end of the screen.
    if (this.drawnLines) this.term.write(`\x1b[${this.drawnLines}F\x1b[J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    if (this.finished) return;
    const lines = this.lines();
    const width = Math.max(20, (this.term.columns || 100) - 1);
    // A wrapped line would throw the erase count off: cut every line to the terminal's width.
    this.term.write(lines.map((l) => `${cut(l, width)}\n`).join(''));
    this.drawnLines = lines.length;
  }

  lines(): string[] {
    const all = [...this.rows.entries()];
    const count = (f: (r: (typeof all)[number][1]) => boolean) => all.filter(([, r]) => f(r)).length;
    const done = count((r) => r.state === 'done');
    const failed = count((r) => r.result?.status === 'FAILED' || r.result?.status === 'KILLED');
    const cached = count((r) => r.result?.cached === true);
    const running = all.filter(([, r]) => r.state === 'running');
    const summary = [`${done}/${all.length} done`, running.length ? `${running.length} running` : '', cached ? `${cached} cached` : '', failed ? `${RED}${failed} failed${RESET}` : '']
      .filter(Boolean)
      .join(' · ');
    const header = `${DIM}──${RESET} ${BOLD}${this.title}${RESET} ${summary} ${DIM}· ${seconds(this.now() - this.started)}${RESET}`;
    const nameWidth = Math.min(28, Math.max(...all.map(([n]) => n.length)));
    const line = (name: string, r: (typeof all)[number][1]): string => `  ${symbol(r)} ${name.padEnd(nameWidth)}  ${this.detail(r)}`;
    // A table of every step while it fits in a few lines; past that, the running ones and the failures.
    const maxRows = Math.max(4, Math.min(14, (this.term.rows || 30) - 8));
    if (all.length <= maxRows) return [header, ...all.map(([n, r]) => line(n, r))];
    const shown = all.filter(([, r]) => r.state === 'running' || r.result?.status === 'FAILED' || r.result?.status === 'KILLED').slice(0, maxRows);
    const rest = all.length - shown.length;
    return [header, ...shown.map(([n, r]) => line(n, r)), `  ${DIM}… ${rest} more${RESET}`];
  }

  private detail(r: { state: string; startedAt?: number; result?: StepResult }): string {
    if (r.state === 'pending') return `${DIM}pending${RESET}`;
    if (r.state === 'running') return `${CYAN}running${RESET} ${seconds(this.now() - (r.startedAt ?? this.now()))}`;
    const res = r.result!;
    if (res.cached) return `${DIM}cached${RESET}`;
    if (res.status === 'NOT_RUN') return `${DIM}${res.reason ?? 'not run'}${RESET}`;
    const d = res.durationMs === undefined ? '' : ` ${seconds(res.durationMs)}`;
    if (res.registered === false) return `${YELLOW}gate did not hold${RESET}${d}`;
    if (res.reused) return `${GREEN}already registered${RESET}${d}`;
    if (res.registered === true) return `${GREEN}registered${RESET}${d}`;
    if (res.status === 'FINISHED') return `${GREEN}finished${RESET}${d}`;
    return `${RED}${res.status.toLowerCase()}${res.reason ? `: ${res.reason}` : ''}${RESET}${d}`;
  }
}

/** Whether to draw the live table: both streams are terminals, not CI, and not turned off. */
export function wantsLiveProgress(env: NodeJS.ProcessEnv, stdout: { isTTY?: boolean }, stderr: { isTTY?: boolean }): boolean {
  if (env.MLOPS_PROGRESS === '0' || env.MLOPS_PROGRESS === 'never') return false;
  if (env.MLOPS_PROGRESS === 'always') return true;
  return !!stdout.isTTY && !!stderr.isTTY && !env.CI && env.TERM !== 'dumb';
}

const ESC = '\x1b[';
const RESET = `${ESC}0m`;
const BOLD = `${ESC}1m`;
const DIM = `${ESC}2m`;
const RED = `${ESC}31m`;
const GREEN = `${ESC}32m`;
const YELLOW = `${ESC}33m`;
const CYAN = `${ESC}36m`;

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function symbol(r: { state: string; result?: StepResult }): string {
  if (r.state === 'pending') return `${DIM}·${RESET}`;
  if (r.state === 'running') return `${CYAN}${SPINNER[Math.floor(Date.now() / 1000) % SPINNER.length]}${RESET}`;
  const res = r.result!;
  if (res.cached) return `${GREEN}✓${RESET}`;
  if (res.status === 'FINISHED') return res.registered === false ? `${YELLOW}–${RESET}` : `${GREEN}✓${RESET}`;
  if (res.status === 'NOT_RUN') return `${DIM}○${RESET}`;
  return `${RED}✗${RESET}`;
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** Cuts a line with colour codes to a visible width. */
function cut(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}
