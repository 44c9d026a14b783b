import type { CodedColumn, ColumnData, CsvColumns, DriftReport, FeatureDrift } from '../../core/monitoring';

// `mlops monitor report --html`: one self-contained file (no scripts, no remote
// content) a CI job can keep as an artifact: the verdicts, then per feature the
// reference and current distributions side by side as inline SVG histograms.

const BINS = 20;
const W = 320;
const H = 90;

export function driftHtml(o: { report: DriftReport; reference: CsvColumns; current: CsvColumns; referenceFile: string; currentFile: string }): string {
  const { report } = o;
  const rows = report.features.map((f) => `<tr class="${f.drifted ? 'drift' : ''}"><td>${esc(f.feature)}</td><td>${f.type}</td><td>${f.test}</td><td>${f.error ? esc(f.error) : `${f.scoreKind === 'p_value' ? 'p = ' : ''}${num(f.score)}`}</td><td>${f.scoreKind === 'p_value' ? 'p &lt; ' : '≥ '}${num(f.threshold)}</td><td>${f.error ? '—' : f.drifted ? '<b>drift</b>' : 'no'}</td></tr>`);
  const charts = report.features.map((f) => `<figure><figcaption>${esc(f.feature)} ${f.drifted ? '<b>drift</b>' : ''}</figcaption>${histogram(f, o.reference.columns[f.feature], o.current.columns[f.feature])}</figure>`);
  const verdict = `${report.driftedCount} of ${report.featureCount} features drifted (${pct(report.driftedShare)}; threshold ${pct(report.driftShare)}): ${report.datasetDrift ? '<b class="bad">data set drift</b>' : 'no data set drift'}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Data drift: ${esc(o.currentFile)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:18px}table{border-collapse:collapse;margin:12px 0}
td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}tr.drift td{background:#fdecea}.bad{color:#b3261e}
figure{display:inline-block;margin:8px 16px 8px 0}figcaption{font-weight:600;margin-bottom:4px}.ref{fill:#4c78a8;opacity:.55}.cur{fill:#f58518;opacity:.55}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
</style></head><body>
<h1>Data drift report</h1>
<p>Reference: ${esc(o.referenceFile)} (${o.reference.rows} rows) · current: ${esc(o.currentFile)} (${o.current.rows} rows)</p>
<p>${verdict}</p>
<table><thead><tr><th>Feature</th><th>Type</th><th>Test</th><th>Score</th><th>Threshold</th><th>Drift</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="legend"><span style="background:#4c78a8"></span>reference<span style="background:#f58518"></span>current (shares of non-missing values)</p>
${charts.join('\n')}
</body></html>
`;
}

function histogram(f: FeatureDrift, ref: ColumnData | undefined, cur: ColumnData | undefined): string {
  if (!ref || !cur) return '';
  const shares = f.type === 'numerical' ? numericShares(ref as ArrayLike<number>, cur as ArrayLike<number>) : categoricalShares(ref, cur);
  if (!shares) return '<p>no values</p>';
  const max = Math.max(...shares.ref, ...shares.cur, 1e-9);
  const bw = W / shares.ref.length;
  const bars = (values: number[], cls: string, offset: number) =>
    values.map((v, i) => `<rect class="${cls}" x="${(i * bw + offset).toFixed(1)}" y="${(H - (v / max) * H).toFixed(1)}" width="${(bw / 2).toFixed(1)}" height="${((v / max) * H).toFixed(1)}"/>`).join('');
  const labels = shares.labels ? `<text x="0" y="${H + 14}" font-size="10">${esc(shares.labels[0])}</text><text x="${W}" y="${H + 14}" font-size="10" text-anchor="end">${esc(shares.labels[1])}</text>` : '';
  return `<svg width="${W}" height="${H + 18}" role="img" aria-label="${esc(f.feature)}: reference and current">${bars(shares.ref, 'ref', 0)}${bars(shares.cur, 'cur', bw / 2)}${labels}</svg>`;
}

function numericShares(ref: ArrayLike<number>, cur: ArrayLike<number>): { ref: number[]; cur: number[]; labels: [string, string] } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const col of [ref, cur]) {
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!Number.isFinite(lo)) return undefined;
  const width = hi > lo ? (hi - lo) / BINS : 1;
  const count = (col: ArrayLike<number>) => {
    const bins = new Array<number>(BINS).fill(0);
    let n = 0;
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (!Number.isFinite(v)) continue;
      bins[Math.min(BINS - 1, Math.floor((v - lo) / width))]++;
      n++;
    }
    return bins.map((b) => (n ? b / n : 0));
  };
  return { ref: count(ref), cur: count(cur), labels: [num(lo), num(hi)] };
}

function categoricalShares(ref: ColumnData, cur: ColumnData): { ref: number[]; cur: number[]; labels?: undefined } | undefined {
  const counts = (col: ColumnData) => {
    const m = new Map<string, number>();
    let n = 0;
    const add = (v: unknown) => {
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return;
      m.set(String(v), (m.get(String(v)) ?? 0) + 1);
      n++;
    };
    if (isCoded(col)) for (const c of col.codes) c >= 0 && add(col.categories[c]);
    else for (const v of Array.from(col as ArrayLike<unknown>)) add(v);
    return { m, n };
  };
  const a = counts(ref);
  const b = counts(cur);
  const keys = [...new Set([...a.m.keys(), ...b.m.keys()])].slice(0, 30);
  if (!keys.length) return undefined;
  return { ref: keys.map((k) => (a.n ? (a.m.get(k) ?? 0) / a.n : 0)), cur: keys.map((k) => (b.n ? (b.m.get(k) ?? 0) / b.n : 0)) };
}

function isCoded(col: ColumnData): col is CodedColumn {
  return typeof col === 'object' && col !== null && 'codes' in col;
}

const num = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-4 ? x.toExponential(2) : x.toPrecision(4).replace(/\.?0+$/, ''));
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
