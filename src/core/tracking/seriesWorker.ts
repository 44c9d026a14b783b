import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/openDatabase';
import { SeriesQuery, type SeriesRequest } from './seriesQuery';
import { seriesElementsJson } from './seriesJson';

// Runs series queries on its own thread and connection, and writes the JSON
// here too, so a heavy chart request never blocks the server's event loop (and
// with it, ingestion). The bytes travel back as a transferred buffer, not copied.
const db = openDatabase((workerData as { databaseFile: string }).databaseFile);
const query = new SeriesQuery(db);
const encoder = new TextEncoder();

parentPort?.on('message', (message: { id: number; request: SeriesRequest }) => {
  try {
    const json = encoder.encode(seriesElementsJson(query.runPacked(message.request)));
    parentPort?.postMessage({ id: message.id, json }, [json.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort?.postMessage({ id: message.id, error: (err as Error).message });
  }
});
