// A chart of one metric of each version's source run, versions in order on x.
// Drawn once per update (animation off): a few dozen points at most.
import { CategoryScale, Chart, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';
import type { ModelVersionSummary } from '../../src/protocol/native';
import { formatMetricValue } from '../../src/protocol/displayFormat';
import { versionAxis, type VersionAxis } from './versionAxis';

Chart.register(LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip);

function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export class VersionChart {
  private chart?: Chart<'line', (number | null)[], string>;
  points = 0;
  /** The y-axis as drawn (undefined: no points). */
  axis?: VersionAxis;

  constructor(readonly canvas: HTMLCanvasElement) {}

  /** Oldest version first; a version without the metric (`valueOf` undefined) leaves a gap. */
  draw(versions: readonly ModelVersionSummary[], metric: string, selected: string | null, valueOf: (v: ModelVersionSummary) => number | string | undefined): void {
    const ordered = [...versions].sort((a, b) => Number(a.version) - Number(b.version));
    const values = ordered.map((v) => {
      const value = valueOf(v);
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    });
    this.points = values.filter((v) => v !== null).length;
    this.axis = versionAxis(values.filter((v): v is number => v !== null));
    // The difference from the version before, in the tooltip: the chart's shape alone hides how small it may be.
    const delta = (i: number): string => {
      const prev = values.slice(0, i).reverse().find((x) => x !== null);
      const now = values[i];
      if (prev === undefined || prev === null || now === null) return '';
      const d = now - prev;
      return ` (${d >= 0 ? '+' : '−'}${formatMetricValue(Math.abs(d), 3)} vs the version before)`;
    };
    const line = themeColor('--vscode-charts-blue', '#4e79a7');
    const champion = themeColor('--vscode-charts-yellow', '#edc948');
    const text = themeColor('--vscode-descriptionForeground', '#888');
    const grid = themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
    const labels = ordered.map((v) => `v${v.version}${v.aliases.length ? ` @${v.aliases.join(' @')}` : ''}`);
    const pointColor = ordered.map((v) => (v.aliases.includes('champion') ? champion : line));
    const radius = ordered.map((v) => (v.version === selected ? 7 : 4));
    this.chart?.destroy();
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { labels, datasets: [{ label: metric, data: values, borderColor: line, backgroundColor: pointColor, pointBackgroundColor: pointColor, pointBorderColor: pointColor, pointRadius: radius, pointHoverRadius: 8, borderWidth: 2, spanGaps: true }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${metric}: ${ctx.parsed.y}${delta(ctx.dataIndex)}` } } },
        scales: {
          // Offset: the first and last versions' points sit inside the chart, not cut by its edges.
          x: { offset: true, ticks: { color: text }, grid: { color: grid } },
          y: { min: this.axis?.min, max: this.axis?.max, ticks: { color: text }, grid: { color: grid }, title: { display: true, text: metric, color: text } },
        },
      },
    });
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }
}
