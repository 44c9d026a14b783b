// What the batcher did, for /metrics (batch-size histogram) and tests: one record
// per onnxruntime call it made on behalf of callers.

export interface BatchRecord {
  /** Callers whose rows went into this call. */
  requests: number;
  rows: number;
  durationMs: number;
  /**
   * 'ok': the call answered its callers. 'error': a lone request's call failed.
   * 'split': a merged call failed (or gave outputs that do not split by rows) and
   * its callers were retried one by one; those retries are recorded too.
   */
  outcome: 'ok' | 'error' | 'split';
}

export class BatchStats {
  calls = 0;
  requests = 0;
  rows = 0;
  splits = 0;
  /** Calls by rows per call: the batch-size distribution. */
  readonly callsByRows = new Map<number, number>();

  constructor(private readonly listener?: (record: BatchRecord) => void) {}

  record(record: BatchRecord): void {
    this.calls++;
    if (record.outcome === 'split') this.splits++;
    else {
      this.requests += record.requests;
      this.rows += record.rows;
      this.callsByRows.set(record.rows, (this.callsByRows.get(record.rows) ?? 0) + 1);
    }
    this.listener?.(record);
  }

  /** Mean requests answered per successful call: above 1 means batching is coalescing. */
  get meanRequestsPerCall(): number {
    const answered = this.calls - this.splits;
    return answered === 0 ? 0 : this.requests / answered;
  }
}
