import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/openDatabase';
import { SeriesQuery, type SeriesRequest, type SeriesResponse } from './seriesQuery';

/** Where the bundled worker lives: next to the bundle that loads this module. */
function workerFile(): string | undefined {
  const candidates = [join(__dirname, 'seriesWorker.js'), join(__dirname, '..', '..', 'dist', 'seriesWorker.js'), join(__dirname, '..', 'dist', 'seriesWorker.js')];
  return candidates.find((c) => existsSync(c));
}

/**
 * Answers series queries on a worker thread. If the worker cannot start (an
 * unbundled run), it answers on the calling thread instead of failing.
 */
export class SeriesReader {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: SeriesResponse) => void; reject: (e: Error) => void }>();
  private inline?: SeriesQuery;

  constructor(
    private readonly databaseFile: string,
    private readonly db: Db,
  ) {}

  query(request: SeriesRequest): Promise<SeriesResponse> {
    const worker = this.ensureWorker();
    if (!worker) {
      this.inline ??= new SeriesQuery(this.db);
      return Promise.resolve(this.inline.run(request));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    const file = workerFile();
    if (!file) return undefined;
    const worker = new Worker(file, { workerData: { databaseFile: this.databaseFile } });
    worker.unref();
    worker.on('message', (m: { id: number; result?: SeriesResponse; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result as SeriesResponse);
    });
    const failAll = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`series worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
