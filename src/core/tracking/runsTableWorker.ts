import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/openDatabase';
import { RunsTableQuery, type CompiledRunsTable } from './runsTableQuery';

// Answers runs table requests on its own thread and read-only connection, and
// writes the JSON here too, so loading thousands of runs never blocks the
// server's event loop (and with it, ingestion). The bytes travel back as a
// transferred buffer, not copied.
const db = openDatabase((workerData as { databaseFile: string }).databaseFile, { readonly: true });
const query = new RunsTableQuery(db);
const encoder = new TextEncoder();

parentPort?.on('message', (message: { id: number; request: CompiledRunsTable }) => {
  try {
    const json = encoder.encode(query.json(message.request));
    parentPort?.postMessage({ id: message.id, json }, [json.buffer as ArrayBuffer]);
  } catch (err) {
    // The code (SQLITE_BUSY...) lets the server answer as it would on its own thread.
    parentPort?.postMessage({ id: message.id, error: (err as Error).message, code: (err as { code?: string }).code });
  }
});
