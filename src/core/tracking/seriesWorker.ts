import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/openDatabase';
import { SeriesQuery, type SeriesRequest } from './seriesQuery';

// Runs series queries on its own thread and connection, so a heavy chart
// request never blocks the server's event loop (and with it, ingestion). The
// points travel back as three transferred Float64Array buffers, not copied.
const db = openDatabase((workerData as { databaseFile: string }).databaseFile);
const query = new SeriesQuery(db);

parentPort?.on('message', (message: { id: number; request: SeriesRequest }) => {
  try {
    const result = query.runPacked(message.request);
    const buffers = [result.y.buffer, result.steps.buffer];
    if (result.x) buffers.push(result.x.buffer);
    parentPort?.postMessage({ id: message.id, result }, buffers as ArrayBuffer[]);
  } catch (err) {
    parentPort?.postMessage({ id: message.id, error: (err as Error).message });
  }
});
