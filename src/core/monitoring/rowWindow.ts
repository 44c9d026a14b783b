// The current window of a live deployment: the last `capacity` recorded rows in a
// ring, each a fixed-width row of feature values (as the model received them), a
// prediction (NaN when none) and its arrival time. Drift reads it as columns.
import type { Columns } from './driftTypes';

export class RowWindow {
  private readonly values: Float64Array;
  private readonly predictions: Float64Array;
  private readonly times: Float64Array;
  /** Index of the next write. */
  private head = 0;
  size = 0;
  /** Rows ever added (a change counter for "anything new since the last computation?"). */
  added = 0;

  constructor(
    readonly featureNames: readonly string[],
    readonly capacity: number,
  ) {
    this.values = new Float64Array(capacity * featureNames.length);
    this.predictions = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
  }

  get width(): number {
    return this.featureNames.length;
  }

  /** Adds `count` rows: `values` row-major (count × width), one prediction and time each. */
  add(values: ArrayLike<number>, predictions: ArrayLike<number> | undefined, times: ArrayLike<number>, count: number): void {
    const w = this.width;
    for (let r = 0; r < count; r++) {
      const at = this.head;
      for (let c = 0; c < w; c++) this.values[at * w + c] = values[r * w + c];
      this.predictions[at] = predictions ? predictions[r] : NaN;
      this.times[at] = times[r];
      this.head = (at + 1) % this.capacity;
    }
    this.size = Math.min(this.capacity, this.size + count);
    this.added += count;
  }

  /** Ring positions from oldest to newest, of rows that arrived at or after `since`. */
  private positions(since: number): number[] {
    const out: number[] = [];
    const start = (this.head - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) {
      const p = (start + i) % this.capacity;
      if (this.times[p] >= since) out.push(p);
    }
    return out;
  }

  /** Rows that arrived at or after `since`, without copying them. */
  count(since = -Infinity): number {
    if (since === -Infinity) return this.size;
    let n = 0;
    const start = (this.head - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) if (this.times[(start + i) % this.capacity] >= since) n++;
    return n;
  }

  /** The window as columns (rows at or after `since`), its prediction column, and its time span. */
  read(since = -Infinity): { columns: Columns; prediction: Float64Array; rows: number; from: number | null; to: number | null } {
    const positions = this.positions(since);
    const w = this.width;
    const columns: Columns = {};
    this.featureNames.forEach((name, c) => {
      const column = new Float64Array(positions.length);
      positions.forEach((p, i) => (column[i] = this.values[p * w + c]));
      columns[name] = column;
    });
    const prediction = Float64Array.from(positions, (p) => this.predictions[p]);
    const n = positions.length;
    return { columns, prediction, rows: n, from: n ? this.times[positions[0]] : null, to: n ? this.times[positions[n - 1]] : null };
  }
}
