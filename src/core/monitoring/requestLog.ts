// The requests a deployment records, on disk: JSON Lines in numbered segment
// files under one folder, bounded in total size. When the bound is passed the
// oldest segment is deleted, so the newest requests are always kept. One line per
// row: {"at": ms, "variant": "champion", "features": {...}, "prediction": 0.8}, a
// format `mlops monitor report --current` reads directly.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface RecordedRow {
  at: number;
  variant: string;
  features: Record<string, number>;
  prediction?: number;
}

const SEGMENT = /^requests-(\d{8})\.jsonl$/;
const MIN_SEGMENT_BYTES = 64 * 1024;

interface Segment {
  seq: number;
  bytes: number;
  rows: number;
}

export class RequestLog {
  private readonly segments: Segment[] = [];
  private readonly segmentBytes: number;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    // Eight segments to the bound: dropping one loses at most an eighth of the history.
    this.segmentBytes = Math.max(MIN_SEGMENT_BYTES, Math.floor(maxBytes / 8));
    for (const name of readdirSync(dir).sort()) {
      const m = SEGMENT.exec(name);
      if (!m) continue;
      const file = join(dir, name);
      const text = readFileSync(file, 'utf8');
      this.segments.push({ seq: Number(m[1]), bytes: statSync(file).size, rows: countLines(text) });
    }
    this.enforceBound();
  }

  get bytes(): number {
    return this.segments.reduce((a, s) => a + s.bytes, 0);
  }

  get rows(): number {
    return this.segments.reduce((a, s) => a + s.rows, 0);
  }

  private fileOf(seq: number): string {
    return join(this.dir, `requests-${String(seq).padStart(8, '0')}.jsonl`);
  }

  append(rows: readonly RecordedRow[]): void {
    if (rows.length === 0) return;
    let last = this.segments[this.segments.length - 1];
    if (!last || last.bytes >= this.segmentBytes) {
      last = { seq: (last?.seq ?? 0) + 1, bytes: 0, rows: 0 };
      this.segments.push(last);
    }
    const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    appendFileSync(this.fileOf(last.seq), text);
    last.bytes += Buffer.byteLength(text);
    last.rows += rows.length;
    this.enforceBound();
  }

  /** Deletes the oldest segments while over the bound (the one being written stays). */
  private enforceBound(): void {
    while (this.segments.length > 1 && this.bytes > this.maxBytes) {
      const oldest = this.segments.shift()!;
      try {
        unlinkSync(this.fileOf(oldest.seq));
      } catch {
        /* already gone */
      }
    }
  }

  /** The newest rows (at most `limit`, none before `since`), oldest first. Unreadable lines are skipped. */
  recent(limit: number, since = -Infinity): RecordedRow[] {
    const out: RecordedRow[][] = [];
    let count = 0;
    for (let i = this.segments.length - 1; i >= 0 && count < limit; i--) {
      let text: string;
      try {
        text = readFileSync(this.fileOf(this.segments[i].seq), 'utf8');
      } catch {
        continue;
      }
      const rows: RecordedRow[] = [];
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const row = JSON.parse(line) as RecordedRow;
          if (typeof row.at === 'number' && row.at >= since && row.features && typeof row.features === 'object') rows.push(row);
        } catch {
          /* a line cut short by a crash mid-write */
        }
      }
      const take = rows.slice(Math.max(0, rows.length - (limit - count)));
      out.unshift(take);
      count += take.length;
    }
    return out.flat();
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
