import { Worker } from 'node:worker_threads';
import type { Db } from './openDatabase';
import { WalCheckpointer } from './walCheckpointer';
import { bundledWorkerFile } from './bundledWorkerFile';

export interface BackgroundCheckpoints {
  dispose(): Promise<void>;
}

const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/**
 * Keeps a long-lived process's WAL bounded. Normally each commit that crosses
 * SQLite's auto-checkpoint size pays for a checkpoint (with an fsync) inside the
 * request; here a worker thread does all checkpoints and `db`'s automatic ones
 * are turned off. If the worker cannot start or dies, automatic checkpoints
 * come back on and a checkpointer runs on this thread instead.
 */
export function startBackgroundCheckpoints(db: Db, databaseFile: string, log: (line: string) => void = () => {}): BackgroundCheckpoints {
  const file = bundledWorkerFile('walCheckpointWorker.js');
  let fallback: WalCheckpointer | undefined;
  const fallBack = () => {
    db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    fallback ??= new WalCheckpointer(databaseFile);
  };
  if (!file) {
    fallBack();
    return { dispose: async () => fallback?.dispose() };
  }
  const worker = new Worker(file, { workerData: { databaseFile } });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  worker.on('error', (err) => log(`checkpoint worker failed: ${err.message}; checkpointing on the main thread`));
  worker.on('exit', () => {
    if (!stopping) fallBack();
  });
  return {
    async dispose() {
      stopping = true;
      worker.postMessage('stop');
      await worker.terminate();
      fallback?.dispose();
    },
  };
}
