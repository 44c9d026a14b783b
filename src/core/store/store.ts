import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import { openDatabase, type Db } from './openDatabase';
import { storeLayout, type StoreLayout } from './storeLayout';
import { walSafetyWarning } from './fileSystemCheck';
import { isBusyError, StoreError } from './storeErrors';

export interface Store {
  readonly layout: StoreLayout;
  readonly db: Db;
  /** Warnings a person should see once (e.g. the store is on a network mount). */
  readonly warnings: string[];
  /** Runs `fn` in a write transaction that takes the lock up front (BEGIN IMMEDIATE). */
  write<T>(fn: () => T): T;
  /**
   * Runs `fn` in a read transaction: its queries see one snapshot, so an answer
   * built from several of them never mixes states of another process's write.
   */
  read<T>(fn: () => T): T;
  /**
   * A prepared statement for fixed SQL, prepared once per connection. Modes such
   * as pluck() stick to the statement: give each mode its own SQL text.
   */
  statement(sql: string): Statement;
  close(): void;
}

/** Creates `.mlops/` (mode 0700, ignored by git) if needed and opens its database. */
export function ensureStoreFolders(workspace: string): StoreLayout {
  const layout = storeLayout(workspace);
  if (!existsSync(workspace)) {
    throw new StoreError('STORE_UNAVAILABLE', `Workspace folder ${workspace} does not exist.`);
  }
  if (!statSync(workspace).isDirectory()) {
    throw new StoreError('STORE_UNAVAILABLE', `${workspace} is a file, not a workspace folder.`);
  }
  mkdirSync(layout.root, { recursive: true, mode: 0o700 });
  chmodSync(layout.root, 0o700);
  const gitignore = `${layout.root}/.gitignore`;
  if (!existsSync(gitignore)) {
    writeFileSync(gitignore, '# Written by MLOps Workbench: the store is local state, never committed.\n*\n');
  }
  for (const dir of [layout.blobs, layout.uploads, layout.logs, layout.spool]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  return layout;
}

export function openStore(workspace: string): Store {
  const layout = ensureStoreFolders(workspace);
  const warnings: string[] = [];
  const walWarning = walSafetyWarning(layout.root);
  if (walWarning) warnings.push(walWarning);
  const db = openDatabase(layout.database);
  const statements = new Map<string, Statement>();
  return {
    layout,
    db,
    warnings,
    write: (fn) => runWrite(db, fn),
    read: (fn) => (db.inTransaction ? fn() : db.transaction(fn).deferred()),
    statement: (sql) => {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = db.prepare(sql)));
      return statement;
    },
    close: () => db.close(),
  };
}

const MAX_BUSY_RETRIES = 5;

function runWrite<T>(db: Db, fn: () => T): T {
  // better-sqlite3 transactions nest as savepoints; only the outermost takes the lock.
  if (db.inTransaction) return fn();
  const tx = db.transaction(fn);
  for (let attempt = 0; ; attempt++) {
    try {
      return tx.immediate();
    } catch (err) {
      // The busy timeout already waited; this is the rare case of a lock held
      // longer than that (a long checkpoint, a huge import). Try again a few times
      // rather than surface "database is locked" to a person.
      if (!isBusyError(err) || attempt >= MAX_BUSY_RETRIES) throw err;
    }
  }
}
