// Plain-text tables for terminal output: columns padded to their widest cell,
// long cells cut with an ellipsis so a row fits a line.

export function formatTable(headers: string[], rows: string[][], maxCell = 48): string {
  const cut = (s: string) => (s.length > maxCell ? s.slice(0, maxCell - 1) + '…' : s);
  const cells = [headers, ...rows].map((r) => r.map((c) => cut(c ?? '')));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}
