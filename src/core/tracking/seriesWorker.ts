import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/openDatabase';
import { SeriesQuery, type SeriesRequest, type SeriesResponse } from './seriesQuery';

// Runs series queries on its own thread and connection, so a heavy chart
// request never blocks the server's event loop (and with it, ingestion).
const db = openDatabase((workerData as { databaseFile: string }).databaseFile);
const query = new SeriesQuery(db);

parentPort?.on('message', (message: { id: number; request: SeriesRequest }) => {
  try {
    parentPort?.postMessage({ id: message.id, result: query.run(message.request) });
  } catch (err) {
    parentPort?.postMessage({ id: message.id, error: (err as Error).message });
  }
});
