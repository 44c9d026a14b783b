// The few pieces of Prometheus' text exposition format (0.0.4) /metrics needs:
// labelled counters, gauges and cumulative histograms. Small enough to write by
// hand rather than depend on a client library in a process that starts often.

export type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Values by label set; the key is the rendered label text, so equal label sets meet. */
export class LabelledValues {
  private readonly values = new Map<string, number>();

  add(labels: Labels, by = 1): void {
    this.addRendered(labelText(labels), by);
  }

  /** add() for a label set already rendered by labelText (a caller on a hot path keeps the text). */
  addRendered(text: string, by = 1): void {
    this.values.set(text, (this.values.get(text) ?? 0) + by);
  }

  set(labels: Labels, value: number): void {
    this.values.set(labelText(labels), value);
  }

  render(name: string, help: string, type: 'counter' | 'gauge'): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
    for (const [labels, value] of this.values) lines.push(`${name}${labels} ${number(value)}`);
    return lines.join('\n') + '\n';
  }
}

interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(private readonly buckets: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    this.observeRendered(labelText(labels), labels, value);
  }

  /** observe() for a label set already rendered by labelText (a caller on a hot path keeps the text). */
  observeRendered(text: string, labels: Labels, value: number): void {
    let s = this.series.get(text);
    if (!s) this.series.set(text, (s = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }));
    // Counts per bucket here; made cumulative when rendered.
    const buckets = this.buckets;
    for (let i = 0; i < buckets.length; i++) {
      if (value <= buckets[i]) {
        s.counts[i]++;
        break;
      }
    }
    s.sum += value;
    s.count++;
  }

  render(name: string, help: string): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i];
        lines.push(`${name}_bucket${labelText({ ...s.labels, le: number(bound) })} ${cumulative}`);
      });
      lines.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${name}_sum${labelText(s.labels)} ${number(s.sum)}`);
      lines.push(`${name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n') + '\n';
  }
}
