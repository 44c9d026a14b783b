import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/openDatabase';
import { bundledWorkerFile } from '../store/bundledWorkerFile';
import { SeriesQuery, type SeriesRequest } from './seriesQuery';
import { seriesElementsJson, seriesResponseJson } from './seriesJson';


// A large request (hundreds of long series) is split across this many worker
// threads, each with its own connection, and the parts are joined in order.
// Reading the bucket rows is the cost, and it divides well across cores.
const MAX_WORKERS = Math.max(1, Math.min(2, availableParallelism()));
// Below this many series one worker answers alone: splitting costs more than it saves.
const SPLIT_MIN_SERIES = 32;

interface Pending {
  resolve: (json: Uint8Array) => void;
  reject: (e: Error) => void;
}

/**
 * Answers series queries on worker threads. If no worker can start (an
 * unbundled run), it answers on the calling thread instead of failing.
 */
export class SeriesReader {
  private readonly workers: (Worker | undefined)[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, Pending & { worker: Worker }>();
  private inline?: SeriesQuery;

  constructor(
    private readonly databaseFile: string,
    private readonly db: Db,
  ) {}

  /** The JSON response body (`{"series": [...]}`, SeriesData elements) for `request`. */
  async queryJson(request: SeriesRequest): Promise<Buffer> {
    const file = bundledWorkerFile('seriesWorker.js');
    if (!file) {
      this.inline ??= new SeriesQuery(this.db);
      return seriesResponseJson([Buffer.from(seriesElementsJson(this.inline.runPacked(request)))]);
    }
    const parts = split(request, MAX_WORKERS);
    return seriesResponseJson(await Promise.all(parts.map((part, i) => this.ask(this.ensureWorker(i, file), part))));
  }

  private ask(worker: Worker, request: SeriesRequest): Promise<Uint8Array> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage({ id, request });
    });
  }

  private ensureWorker(index: number, file: string): Worker {
    const existing = this.workers[index];
    if (existing) return existing;
    const worker = new Worker(file, { workerData: { databaseFile: this.databaseFile } });
    worker.unref();
    worker.on('message', (m: { id: number; json?: Uint8Array; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.json as Uint8Array);
    });
    const failAll = (err: Error) => {
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.pending.delete(id);
        p.reject(err);
      }
      if (this.workers[index] === worker) this.workers[index] = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`series worker exited with code ${code}`)));
    this.workers[index] = worker;
    return worker;
  }

  async dispose(): Promise<void> {
    const workers = this.workers.splice(0).filter((w): w is Worker => w !== undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Up to `n` requests whose answers, concatenated, are the answer to `request`
 * (series come run by run, key by key): split the runs, or a single run's keys.
 */
function split(request: SeriesRequest, n: number): SeriesRequest[] {
  const count = request.runIds.length * request.keys.length;
  if (n <= 1 || count < SPLIT_MIN_SERIES) return [request];
  const byRuns = request.runIds.length >= 2;
  const list = byRuns ? request.runIds : request.keys;
  const parts = Math.min(n, list.length);
  const out: SeriesRequest[] = [];
  for (let i = 0; i < parts; i++) {
    const slice = list.slice(Math.floor((i * list.length) / parts), Math.floor(((i + 1) * list.length) / parts));
    out.push(byRuns ? { ...request, runIds: slice } : { ...request, keys: slice });
  }
  return out;
}
