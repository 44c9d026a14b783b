import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, chmodSync, copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { Store } from './store';
import { StoreError } from './storeErrors';
import { normalizeArtifactPath } from './artifactPath';

export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  fileSize?: number;
}

export interface StoredFile {
  path: string;
  sha256: string;
  size: number;
  blobPath: string;
}

export interface GcReport {
  blobsRemoved: number;
  bytesFreed: number;
  runsPurged: number;
}

// An upload's lease outlives any realistic upload; a crashed uploader's lease
// simply expires and its blob becomes collectable again.
const LEASE_MS = 60 * 60 * 1000;

// Model versions keep their files after the run that produced them changes or
// is purged: their blobs are live too.
const REGISTRY_BLOBS = 'UNION SELECT sha256 FROM model_version_files';

/**
 * Content-addressed artifacts: each file is stored once under its sha256 in
 * `artifacts/blobs/ab/cdef…` (read-only), and runs map relative paths to blobs.
 * Identical files across runs share one blob.
 */
export class ArtifactStore {
  /**
   * @param recordChange called inside the transaction that records a file, so
   *   the change log (and the event stream) sees artifact writes like any other.
   */
  constructor(
    private readonly store: Store,
    private readonly recordChange: (experimentId: number, runId: string) => void = () => {},
  ) {}

  blobPath(sha256: string): string {
    return join(this.store.layout.blobs, sha256.slice(0, 2), sha256.slice(2));
  }

  /**
   * Streams `body` to disk while hashing it, then records it as the run's `path`.
   * The run is checked before a byte is read, so a refused upload costs no disk;
   * whatever fails later (the client leaving, the disk, the run deleted
   * meanwhile), the partial file goes.
   */
  async writeStream(runId: string, rawPath: string, body: Readable, onChange?: () => void): Promise<StoredFile> {
    const path = normalizeArtifactPath(rawPath);
    requireActiveRun(this.store, runId);
    const tmp = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const file = createWriteStream(tmp, { mode: 0o600 });
    try {
      await pipeline(body, hasher, file);
      const stored = this.commit(runId, path, tmp, hash.digest('hex'), size, 'move');
      onChange?.();
      return stored;
    } catch (err) {
      // A stream destroyed before its file was open still opens (and creates) it:
      // removing the file before it is closed could leave it behind.
      if (!file.closed) await new Promise<void>((r) => file.once('close', () => r()));
      safeUnlink(tmp);
      throw err;
    }
  }

  /**
   * Records a local file as the run's `path`. With `mode: 'link'` the blob is a
   * hard link to the file (for files the caller owns and will not modify, like a
   * finished log); otherwise the content is copied, so later edits to the
   * source cannot change what was stored.
   */
  async importFile(runId: string, rawPath: string, source: string, mode: 'link' | 'copy' = 'copy'): Promise<StoredFile> {
    const path = normalizeArtifactPath(rawPath);
    const { sha256, size } = await hashFile(source);
    return this.commit(runId, path, source, sha256, size, mode);
  }

  /**
   * Stores a local file as a blob (copied, so later edits to the source cannot
   * change it) without tying it to a run, under a lease that keeps garbage
   * collection away until the caller records a reference to it in a write
   * transaction and calls `releaseLease` (in that transaction, or after a failure).
   */
  async storeBlob(source: string): Promise<{ sha256: string; size: number; lease: number; blobPath: string }> {
    const { sha256, size } = await hashFile(source);
    const db = this.store.db;
    const lease = this.store.write(() => Number(db.prepare('INSERT INTO blob_leases (sha256, expires_at) VALUES (?, ?)').run(sha256, Date.now() + LEASE_MS).lastInsertRowid));
    try {
      const blob = this.blobPath(sha256);
      if (!existsSync(blob)) {
        mkdirSync(dirname(blob), { recursive: true, mode: 0o700 });
        placeBlob(source, blob, 'copy', this.tempPath());
        chmodSync(blob, 0o444);
      }
      this.store.write(() => db.prepare('INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)').run(sha256, size, Date.now()));
      return { sha256, size, lease, blobPath: blob };
    } catch (err) {
      this.releaseLease(lease);
      throw err;
    }
  }

  releaseLease(lease: number): void {
    this.store.write(() => this.store.db.prepare('DELETE FROM blob_leases WHERE lease_id = ?').run(lease));
  }

  private commit(runId: string, path: string, source: string, sha256: string, size: number, mode: 'move' | 'link' | 'copy'): StoredFile {
    const db = this.store.db;
    const lease = this.store.write(() => {
      requireActiveRun(this.store, runId);
      return Number(db.prepare('INSERT INTO blob_leases (sha256, expires_at) VALUES (?, ?)').run(sha256, Date.now() + LEASE_MS).lastInsertRowid);
    });
    try {
      const blob = this.blobPath(sha256);
      if (existsSync(blob)) {
        if (mode === 'move') safeUnlink(source);
      } else {
        mkdirSync(dirname(blob), { recursive: true, mode: 0o700 });
        placeBlob(source, blob, mode, this.tempPath());
        chmodSync(blob, 0o444);
      }
      this.store.write(() => {
        const run = requireActiveRun(this.store, runId);
        db.prepare('INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)').run(sha256, size, Date.now());
        db.prepare('INSERT OR REPLACE INTO run_artifacts (run_uuid, path, sha256, size) VALUES (?, ?, ?, ?)').run(runId, path, sha256, size);
        db.prepare('DELETE FROM blob_leases WHERE lease_id = ?').run(lease);
        this.recordChange(run.experiment_id, runId);
      });
      return { path, sha256, size, blobPath: blob };
    } catch (err) {
      this.store.write(() => db.prepare('DELETE FROM blob_leases WHERE lease_id = ?').run(lease));
      throw err;
    }
  }

  /** Immediate children of `dir` in the run's artifacts, as MLflow's list. */
  list(runId: string, rawDir = ''): ArtifactEntry[] {
    const dir = normalizeArtifactPath(rawDir, { allowRoot: true });
    const prefix = dir ? `${dir}/` : '';
    const rows = this.store.db
      .prepare(`SELECT path, size FROM run_artifacts WHERE run_uuid = ? AND substr(path, 1, ?) = ? ORDER BY path`)
      .all(runId, prefix.length, prefix) as { path: string; size: number }[];
    const entries = new Map<string, ArtifactEntry>();
    for (const row of rows) {
      const rest = row.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) entries.set(row.path, { path: row.path, isDir: false, fileSize: row.size });
      else {
        const child = prefix + rest.slice(0, slash);
        if (!entries.has(child)) entries.set(child, { path: child, isDir: true });
      }
    }
    return [...entries.values()];
  }

  /** The stored file for a run's artifact path, or a 404-style error. */
  find(runId: string, rawPath: string): StoredFile {
    const path = normalizeArtifactPath(rawPath);
    const row = this.store.db.prepare('SELECT sha256, size FROM run_artifacts WHERE run_uuid = ? AND path = ?').get(runId, path) as
      | { sha256: string; size: number }
      | undefined;
    if (!row) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No artifact '${path}' in run ${runId}.`);
    return { path, sha256: row.sha256, size: row.size, blobPath: this.blobPath(row.sha256) };
  }

  /**
   * Removes blobs no run references. Holds the write lock throughout, so an
   * upload either leased its blob before (and is skipped) or starts after (and
   * writes the blob anew). With `purgeDeletedRuns`, runs in the deleted state
   * are removed for good first, as `mlflow gc` does.
   */
  gc(options: { purgeDeletedRuns?: boolean } = {}): GcReport {
    const db = this.store.db;
    return this.store.write(() => {
      let runsPurged = 0;
      if (options.purgeDeletedRuns) {
        runsPurged = db.prepare(`DELETE FROM runs WHERE lifecycle_stage = 'deleted'`).run().changes;
      }
      db.prepare('DELETE FROM blob_leases WHERE expires_at < ?').run(Date.now());
      const live = new Set(
        db.prepare(`SELECT sha256 FROM run_artifacts UNION SELECT sha256 FROM blob_leases ${REGISTRY_BLOBS}`).pluck().all() as string[],
      );
      let blobsRemoved = 0;
      let bytesFreed = 0;
      const forget = db.prepare('DELETE FROM blobs WHERE sha256 = ?');
      for (const sha256 of this.blobsOnDisk()) {
        if (live.has(sha256)) continue;
        const file = this.blobPath(sha256);
        try {
          bytesFreed += statSync(file).size;
          unlinkSync(file);
          blobsRemoved++;
        } catch {
          /* already gone */
        }
        forget.run(sha256);
      }
      db.prepare(`DELETE FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM run_artifacts UNION SELECT sha256 FROM blob_leases ${REGISTRY_BLOBS})`).run();
      return { blobsRemoved, bytesFreed, runsPurged };
    });
  }

  private *blobsOnDisk(): Generator<string> {
    const root = this.store.layout.blobs;
    if (!existsSync(root)) return;
    for (const prefix of readdirSync(root)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const rest of readdirSync(join(root, prefix))) yield prefix + rest;
    }
  }

  private tempPath(): string {
    return join(this.store.layout.uploads, `${Date.now()}-${randomBytes(6).toString('hex')}.part`);
  }
}

function requireActiveRun(store: Store, runId: string): { experiment_id: number } {
  const run = store.db.prepare('SELECT experiment_id, lifecycle_stage FROM runs WHERE run_uuid = ?').get(runId) as
    | { experiment_id: number; lifecycle_stage: string }
    | undefined;
  if (!run) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`);
  if (run.lifecycle_stage !== 'active') {
    throw new StoreError('INVALID_PARAMETER_VALUE', `The run ${runId} must be in the 'active' state. Current state is ${run.lifecycle_stage}.`);
  }
  return run;
}

function placeBlob(source: string, blob: string, mode: 'move' | 'link' | 'copy', scratch: string): void {
  if (mode === 'move') {
    renameSync(source, blob);
    return;
  }
  if (mode === 'link') {
    try {
      linkSync(source, blob);
      return;
    } catch {
      /* another device or a file system without hard links: copy */
    }
  }
  // Copy to a scratch name first, so a crash never leaves a partial blob under its hash.
  copyFileSync(source, scratch);
  renameSync(scratch, blob);
}

export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

function safeUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* nothing to remove */
  }
}
