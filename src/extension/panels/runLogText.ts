// How a run's captured output is made readable in a panel: terminal escape
// codes removed (colours, cursor moves, titles), and carriage-return progress
// bars collapsed to what a terminal would finally show on that line.

// CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), and two-byte ESC sequences.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** "a\rb" shows as "b" in a terminal: keep what follows the last lone \r on each line. */
export function collapseCarriageReturns(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const body = line.endsWith('\r') ? line.slice(0, -1) : line;
      const at = body.lastIndexOf('\r');
      return at === -1 ? body : body.slice(at + 1);
    })
    .join('\n');
}

/** The output as a panel shows it. */
export function readableLog(text: string): string {
  return collapseCarriageReturns(stripAnsi(text));
}

/**
 * The last part of a log read from `offset` (> 0 means earlier bytes were
 * skipped): starts at a line boundary so the first line is not a fragment.
 */
export function fromLineStart(text: string, skipped: boolean): string {
  if (!skipped) return text;
  const nl = text.indexOf('\n');
  return nl === -1 ? text : text.slice(nl + 1);
}
