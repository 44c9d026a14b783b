import { parentPort, workerData } from 'node:worker_threads';
import { WalCheckpointer } from './walCheckpointer';

// Checkpoints on their own thread: copying WAL frames back and fsyncing the
// database then costs the server's event loop (and ingestion) nothing.
const { databaseFile } = workerData as { databaseFile: string };
const checkpointer = new WalCheckpointer(databaseFile, { intervalMs: 100, passiveEveryTick: true });
parentPort?.on('message', (message: string) => {
  if (message === 'stop') {
    checkpointer.dispose();
    parentPort?.close();
  }
});
