import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';
import { StoreError } from './storeErrors';

export type Db = Database.Database;

// Several processes (server, CLI, pipelines) write one store. A long busy
// timeout plus BEGIN IMMEDIATE for writes means a writer waits its turn instead
// of failing with "database is locked".
const BUSY_TIMEOUT_MS = 30_000;

export interface OpenDatabaseOptions {
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS, readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // After a checkpoint resets the WAL, shrink the file back to this size.
    db.pragma('journal_size_limit = 16777216');
  }
  db.pragma('foreign_keys = ON');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash or
  // power loss can lose the last transactions), and much faster than FULL.
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -32000');
  db.pragma('temp_store = MEMORY');
  if (!options.readonly) migrate(db, file);
  else checkVersion(db, file);
  return db;
}

function checkVersion(db: Db, file: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      'STORE_TOO_NEW',
      `The store ${file} has schema version ${version}, but this MLOps Workbench only knows up to ` +
        `version ${SCHEMA_VERSION}. It was written by a newer release: update the extension or the ` +
        `mlops CLI. The store was left untouched.`,
    );
  }
  return version;
}

function migrate(db: Db, file: string): void {
  if (checkVersion(db, file) === SCHEMA_VERSION) return;
  // IMMEDIATE takes the write lock first, so two processes opening a new store
  // at once cannot both apply the same migration.
  const apply = db.transaction(() => {
    const current = checkVersion(db, file);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  });
  apply.immediate();
}
