// Dynamic batching: requests that arrive together are stacked into one
// onnxruntime run and each caller gets back exactly its own rows. For a small
// model a run's fixed cost (feeds, thread hand-off, result tensors) dwarfs the
// per-row work, so one run of 32 rows costs about as much as one of 1 row.
//
// Latency rules:
// - the session idle: the queue is flushed on the next turn of the event loop
//   (setImmediate), so a lone request waits for nothing but the requests already
//   parsed in the same turn;
// - a run in flight: new requests wait for it to finish, or at most maxWaitMs;
// - the queue holds maxBatchRows rows: flushed at once.
// A merged run that fails is retried request by request, so one bad request
// fails alone. Models without a batch dimension (batchDimension.ts) are run
// request by request.
import { batchDimensionOf, batchRowsOf, stackable } from './batchDimension';
import { BatchStats, type BatchRecord } from './batchStats';
import type { ServingSignature } from './modelSession';
import type { NamedTensors } from './tensorTypes';
import { concatRows, sliceRows } from './tensorValues';

/** What the batcher needs of a session (ModelSession has it); a seam for tests. */
export interface RunnableModel {
  readonly signature: ServingSignature;
  run(feeds: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors>;
}

export interface BatcherOptions {
  /** Most rows in one run. Default 64. A single larger request still runs (alone). */
  maxBatchRows?: number;
  /** Longest a request waits for a run in flight before its own starts. Default 2 ms. */
  maxWaitMs?: number;
  /** false turns batching off even for a model with a batch dimension. */
  enabled?: boolean;
  /** Called after every run (see BatchStats). */
  onBatch?: (record: BatchRecord) => void;
}

interface Pending {
  feeds: NamedTensors;
  rows: number;
  resolve: (out: NamedTensors) => void;
  reject: (err: unknown) => void;
}

export class DynamicBatcher {
  readonly stats: BatchStats;
  /** Whether requests are coalesced at all (the model has a batch dimension and batching is enabled). */
  readonly batching: boolean;
  private readonly maxBatchRows: number;
  private readonly maxWaitMs: number;
  private readonly inputOrder: string[];
  private queue: Pending[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly executing = new Set<Promise<void>>();

  constructor(
    private readonly model: RunnableModel,
    options: BatcherOptions = {},
  ) {
    this.maxBatchRows = Math.max(1, options.maxBatchRows ?? 64);
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? 2);
    this.batching = options.enabled !== false && batchDimensionOf(model.signature) !== undefined;
    this.inputOrder = model.signature.inputs.map((i) => i.name);
    this.stats = new BatchStats(options.onBatch);
  }

  /** Runs one request's feeds; resolves with its own outputs (all, or `outputNames`). */
  run(feeds: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    const rows = this.batching ? batchRowsOf(feeds, this.inputOrder) : undefined;
    // Alone, the run fetches only what the caller wants; merged runs fetch every output, since callers differ.
    if (rows === undefined) return this.runAlone(feeds, feeds[this.inputOrder[0]]?.dims[0] ?? 0, outputNames);
    const all = new Promise<NamedTensors>((resolve, reject) => {
      this.queue.push({ feeds, rows, resolve, reject });
      this.queuedRows += rows;
      this.schedule();
    });
    return outputNames ? all.then((outputs) => pick(outputs, outputNames)) : all;
  }

  /**
   * Runs what is queued now and resolves when every run this batcher started has
   * answered its callers, including per-request retries of a failed merged run:
   * the moment a session can be released without cutting a request short.
   */
  async drain(): Promise<void> {
    this.flush();
    while (this.executing.size > 0) await Promise.allSettled([...this.executing]);
  }

  private schedule(): void {
    if (this.queuedRows >= this.maxBatchRows) return this.flush();
    if (this.inFlight === 0) {
      this.immediate ??= setImmediate(() => this.flush());
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    while (this.queue.length > 0) {
      const queue = this.queue;
      const first = queue[0];
      const batch = [first];
      let rows = first.rows;
      const rest: Pending[] = [];
      for (let i = 1; i < queue.length; i++) {
        const p = queue[i];
        if (rows + p.rows <= this.maxBatchRows && stackable(p.feeds, first.feeds, this.inputOrder)) {
          batch.push(p);
          rows += p.rows;
        } else rest.push(p);
      }
      this.queue = rest;
      this.queuedRows -= rows;
      const running = this.execute(batch, rows).finally(() => this.executing.delete(running));
      this.executing.add(running);
    }
  }

  private async execute(batch: Pending[], rows: number): Promise<void> {
    this.inFlight++;
    try {
      if (batch.length === 1) {
        const [p] = batch;
        await this.runAlone(p.feeds, p.rows).then(p.resolve, p.reject);
        return;
      }
      const started = performance.now();
      const merged = await this.runMerged(batch, rows);
      if (merged) {
        this.stats.record({ requests: batch.length, rows, durationMs: performance.now() - started, outcome: 'ok' });
        const names = Object.keys(merged);
        let offset = 0;
        for (const p of batch) {
          const own: NamedTensors = {};
          for (const name of names) own[name] = sliceRows(merged[name], offset, offset + p.rows);
          offset += p.rows;
          p.resolve(own);
        }
        return;
      }
      this.stats.record({ requests: batch.length, rows, durationMs: performance.now() - started, outcome: 'split' });
      await Promise.all(batch.map((p) => this.runAlone(p.feeds, p.rows).then(p.resolve, p.reject)));
    } finally {
      this.inFlight--;
      // The session has room again: whoever queued meanwhile need not wait out the timer.
      if (this.queue.length > 0) this.flush();
    }
  }

  /** The stacked run, or undefined when it failed or its outputs do not split into the callers' rows. */
  private async runMerged(batch: Pending[], rows: number): Promise<NamedTensors | undefined> {
    const feeds: NamedTensors = {};
    for (const name of this.inputOrder) feeds[name] = concatRows(batch.map((p) => p.feeds[name]));
    try {
      const out = await this.model.run(feeds);
      return Object.values(out).every((t) => t.dims[0] === rows) ? out : undefined;
    } catch {
      return undefined;
    }
  }

  private async runAlone(feeds: NamedTensors, rows: number, outputNames?: readonly string[]): Promise<NamedTensors> {
    const started = performance.now();
    try {
      const out = await this.model.run(feeds, outputNames);
      this.stats.record({ requests: 1, rows, durationMs: performance.now() - started, outcome: 'ok' });
      return out;
    } catch (err) {
      this.stats.record({ requests: 1, rows, durationMs: performance.now() - started, outcome: 'error' });
      throw err;
    }
  }
}

function pick(outputs: NamedTensors, names: readonly string[]): NamedTensors {
  const out: NamedTensors = {};
  for (const name of names) out[name] = outputs[name];
  return out;
}
