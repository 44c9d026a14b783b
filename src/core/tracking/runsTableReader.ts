import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/openDatabase';
import { bundledWorkerFile } from '../store/bundledWorkerFile';
import { RunsTableQuery, type CompiledRunsTable } from './runsTableQuery';

// Two workers, so a panel's first screenful is not queued behind another
// view's whole-table load; a request goes to the one with the fewest pending.
const MAX_WORKERS = Math.max(1, Math.min(2, availableParallelism()));

interface Pending {
  resolve: (json: Uint8Array) => void;
  reject: (e: Error) => void;
  worker: Worker;
}

/**
 * Answers runs table requests on worker threads (see runsTableWorker.ts). If no
 * worker can start (an unbundled run), it answers on the calling thread instead
 * of failing.
 */
export class RunsTableReader {
  private readonly workers: (Worker | undefined)[] = [];
  private readonly load = new Map<Worker, number>();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private inline?: RunsTableQuery;

  constructor(
    private readonly databaseFile: string,
    private readonly db: Db,
  ) {}

  /** The JSON response body (native.RunsTableResponse) for a compiled request. */
  async queryJson(request: CompiledRunsTable): Promise<Uint8Array> {
    const file = bundledWorkerFile('runsTableWorker.js');
    if (!file) {
      this.inline ??= new RunsTableQuery(this.db);
      return Buffer.from(this.inline.json(request));
    }
    const worker = this.leastBusy(file);
    const id = this.nextId++;
    this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage({ id, request });
    });
  }

  private leastBusy(file: string): Worker {
    let best: Worker | undefined;
    for (let i = 0; i < MAX_WORKERS; i++) {
      const worker = this.workers[i];
      if (!worker) {
        // An idle slot: start a worker there only if every running one is busy.
        if (!best || (this.load.get(best) ?? 0) > 0) return this.startWorker(i, file);
        continue;
      }
      if (!best || (this.load.get(worker) ?? 0) < (this.load.get(best) ?? 0)) best = worker;
    }
    return best ?? this.startWorker(0, file);
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.load.set(p.worker, Math.max(0, (this.load.get(p.worker) ?? 1) - 1));
    return p;
  }

  private startWorker(index: number, file: string): Worker {
    const worker = new Worker(file, { workerData: { databaseFile: this.databaseFile } });
    worker.unref();
    this.load.set(worker, 0);
    worker.on('message', (m: { id: number; json?: Uint8Array; error?: string; code?: string }) => {
      const p = this.settle(m.id);
      if (!p) return;
      if (m.error !== undefined) p.reject(Object.assign(new Error(m.error), m.code ? { code: m.code } : {}));
      else p.resolve(m.json as Uint8Array);
    });
    const failAll = (err: Error) => {
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.settle(id);
        p.reject(err);
      }
      this.load.delete(worker);
      if (this.workers[index] === worker) this.workers[index] = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`runs table worker exited with code ${code}`)));
    this.workers[index] = worker;
    return worker;
  }

  async dispose(): Promise<void> {
    const workers = this.workers.splice(0).filter((w): w is Worker => w !== undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
