// The panel's charts (chart.js). Each is made once and then updated in place
// with `update('none')`: a poll every 2 s must not rebuild canvases (no
// flicker, no lost tooltip). Colours come from VS Code's theme variables, read
// again at each drawing so that a theme change shows at once.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
  type ChartOptions,
  type ChartType,
} from 'chart.js';
import { clockLabel, timeStep, timeTicks } from './monitoringModel';
import type { LineBreak } from './lineBreaks';
import { verticalMarksPlugin, type VerticalMarksOptions } from './verticalMarks';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, Tooltip, Legend, Filler, verticalMarksPlugin);

export interface Theme {
  text: string;
  foreground: string;
  grid: string;
  font: string;
  background: string;
  blue: string;
  red: string;
  orange: string;
  green: string;
  yellow: string;
  purple: string;
  /** Lines that matter less (features not drifting). */
  muted: string;
}

export function readTheme(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const text = v('--vscode-descriptionForeground', v('--vscode-foreground', '#888'));
  return {
    text,
    foreground: v('--vscode-foreground', '#ccc'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.25)')),
    font: v('--vscode-font-family', 'sans-serif'),
    background: v('--vscode-editor-background', '#1e1e1e'),
    blue: v('--vscode-charts-blue', '#3794ff'),
    red: v('--vscode-charts-red', '#f14c4c'),
    orange: v('--vscode-charts-orange', '#d18616'),
    green: v('--vscode-charts-green', '#89d185'),
    yellow: v('--vscode-charts-yellow', '#cca700'),
    purple: v('--vscode-charts-purple', '#b180d7'),
    muted: v('--vscode-disabledForeground', text),
  };
}

/** A colour with an alpha (theme variables come as #rgb, #rrggbb, #rrggbbaa or rgb(); features' lines as hsl()). */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  if (/^hsl\([^/]*\)$/.test(c)) return `${c.slice(0, -1)} / ${alpha})`;
  if (c.startsWith('#')) {
    let hex = c.slice(1);
    if (hex.length === 3 || hex.length === 4) hex = [...hex.slice(0, 3)].map((ch) => ch + ch).join('');
    const n = parseInt(hex.slice(0, 6), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const m = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(c);
  return m ? `rgba(${m[1].trim()}, ${m[2].trim()}, ${m[3].trim()}, ${alpha})` : c;
}

/** Datasets drawn to help reading (threshold lines) are not data: reports leave them out. */
export interface HelperMark {
  helper?: boolean;
}

/** A chart made on first data and updated in place afterwards. */
export class LiveChart<T extends ChartType> {
  private chart?: Chart<T>;
  private breaks: readonly LineBreak[] = [];

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly type: T,
    private readonly onCreate: () => void,
  ) {}

  /** `breaks`: where every data series got a blank (see lineBreaks.ts). */
  draw(data: ChartConfiguration<T>['data'], options: ChartOptions<T>, theme: Theme, breaks: readonly LineBreak[] = []): void {
    this.breaks = breaks;
    if (this.chart) {
      this.chart.data.labels = data.labels;
      this.chart.data.datasets = data.datasets;
      this.chart.options = options;
      this.chart.update('none');
      return;
    }
    Chart.defaults.font.family = theme.font;
    Chart.defaults.color = theme.text;
    this.chart = new Chart<T>(this.canvas, { type: this.type, data, options } as ChartConfiguration<T>);
    this.onCreate();
  }

  /**
   * Data series on the chart, their points (the blanks that break every
   * series' line left out), the series hidden, the breaks and the marks of
   * reference changes, read back from the chart itself.
   */
  drawn(): { datasets: number; points: number; hidden: number; gaps: number; referenceChanges: number } {
    const sets = (this.chart?.data.datasets ?? []).filter((d) => !(d as HelperMark).helper);
    const marks = (this.chart?.options as ChartOptions<'line'> | undefined)?.plugins?.verticalMarks as VerticalMarksOptions | false | undefined;
    return {
      datasets: sets.length,
      points: sets.reduce((n, d) => n + (d.data as unknown[]).length - this.breaks.length, 0),
      hidden: sets.filter((d) => d.hidden === true).length,
      gaps: this.breaks.filter((b) => b.kind === 'gap').length,
      referenceChanges: marks ? (marks.marks?.length ?? 0) : 0,
    };
  }

  /** The chart's category labels (bars). */
  labels(): number {
    return this.chart?.data.labels?.length ?? 0;
  }

  /** Each data series' length, by label. */
  seriesLengths(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const d of this.chart?.data.datasets ?? []) if (!(d as HelperMark).helper) out[String(d.label)] = (d.data as unknown[]).length;
    return out;
  }

  get exists(): boolean {
    return this.chart !== undefined;
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }
}

export type XY = { x: number; y: number | null };

/** A horizontal dashed line across [from, to] at y, labelled for the legend and tooltip. */
export function thresholdLine(label: string, y: number, from: number, to: number, color: string): ChartDataset<'line', XY[]> & HelperMark {
  return {
    label,
    data: [
      { x: from, y },
      { x: to, y },
    ],
    borderColor: color,
    borderWidth: 1.5,
    borderDash: [6, 4],
    pointRadius: 0,
    pointHoverRadius: 0,
    fill: false,
    helper: true,
  };
}

/** Options every time chart shares: x in epoch ms over exactly the data's range, ticked at round clock times; no animation. */
export function timeOptions(
  theme: Theme,
  range: { min: number; max: number },
  y: Record<string, unknown>,
  extra: { legend?: boolean; tooltipLabel?: (datasetLabel: string, y: number) => string } = {},
): ChartOptions<'line'> {
  const step = timeStep(range.max - range.min);
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: {
        type: 'linear',
        min: range.min,
        max: range.max,
        grid: { color: theme.grid },
        // chart.js would divide [min, max] evenly (14:02:41, 14:07:41…): the ticks are set here instead.
        afterBuildTicks: (scale) => {
          scale.ticks = timeTicks(range.min, range.max, step).map((value) => ({ value }));
        },
        ticks: { color: theme.text, maxRotation: 0, autoSkipPadding: 16, callback: (v) => clockLabel(Number(v), step) },
      },
      y: { grid: { color: theme.grid }, ticks: { color: theme.text }, ...y },
    },
    plugins: {
      legend: {
        display: extra.legend ?? true,
        position: 'top',
        align: 'end',
        labels: { color: theme.text, boxWidth: 14, boxHeight: 2, padding: 10 },
      },
      tooltip: {
        callbacks: {
          title: (items) => (items[0] ? clockLabel(items[0].parsed.x ?? 0, 0) : ''),
          label: (item) => (extra.tooltipLabel ? extra.tooltipLabel(item.dataset.label ?? '', item.parsed.y ?? NaN) : `${item.dataset.label}: ${item.parsed.y}`),
        },
      },
    },
  };
}
