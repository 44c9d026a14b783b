import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { openStore } from '../src/core/store/store';
import { SCHEMA_VERSION } from '../src/core/store/schema';
import { WalCheckpointer } from '../src/core/store/walCheckpointer';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { makeWorkspace, CLI, runCli } from './helpers/testServer';

test('a new store: .mlops/ is 0700 with a .gitignore that ignores all of it, WAL on, Default experiment', () => {
  const ws = makeWorkspace();
  const store = openStore(ws);
  assert.equal(statSync(join(ws, '.mlops')).mode & 0o777, 0o700);
  assert.match(readFileSync(join(ws, '.mlops', '.gitignore'), 'utf8'), /^\*$/m);
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
  assert.ok((store.db.pragma('busy_timeout', { simple: true }) as number) >= 5000);
  assert.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal((store.db.prepare("SELECT name FROM experiments WHERE experiment_id = 0").get() as { name: string }).name, 'Default');
  store.close();
});

test('an older store upgrades; a newer one is refused clearly and left untouched', () => {
  const ws = makeWorkspace();
  // An "older" store: the database exists but no migration has run (version 0).
  const dir = join(ws, '.mlops');
  openStore(ws).close();
  const file = join(dir, 'mlops.db');
  const raw = new Database(file);
  raw.exec('DROP TABLE registered_model_aliases; DROP TABLE model_version_files; DROP TABLE model_version_tags; DROP TABLE model_versions; DROP TABLE registered_model_tags; DROP TABLE registered_models;');
  raw.exec('DROP TABLE pipeline_step_cache; DROP TABLE changes; DROP TABLE blob_leases;');
  raw.pragma('user_version = 0');
  raw.exec('DROP TABLE run_artifacts; DROP TABLE blobs; DROP TABLE run_inputs; DROP TABLE metric_buckets; DROP TABLE metric_points; DROP TABLE metric_series; DROP TABLE tags; DROP TABLE params; DROP TABLE runs; DROP TABLE experiment_tags; DROP TABLE experiments;');
  raw.close();
  const upgraded = openStore(ws);
  assert.equal(upgraded.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  upgraded.close();

  const newer = new Database(file);
  newer.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
  newer.close();
  assert.throws(() => openStore(ws), (err: Error) => /newer release/.test(err.message) && /update the extension/.test(err.message));
  const check = new Database(file);
  assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION + 5);
  check.close();
});

/**
 * Two reader connections take turns holding read transactions so that at every
 * write some reader still uses an older snapshot: SQLite's automatic (passive)
 * checkpoints can then never restart the log. Every 20 batches both readers
 * pause briefly, as real readers between statements do.
 */
function overlappingReadersWorkload(withCheckpointer: boolean): { maxWal: number; checkpoints: number; points: number } {
  const ws = makeWorkspace();
  const tracking = TrackingStore.open(ws);
  const run = tracking.runs.create({ experimentId: '0' });
  const file = join(ws, '.mlops', 'mlops.db');
  const readers = [new Database(file), new Database(file)];
  const counts = readers.map((r) => r.prepare('SELECT COUNT(*) FROM metric_points').pluck());
  const checkpointer = new WalCheckpointer(file, { thresholdBytes: 4 * 1024 * 1024, intervalMs: 60_000 });
  let maxWal = 0;
  for (let batch = 0; batch < 240; batch++) {
    const active = readers[batch % 2];
    const idle = readers[(batch + 1) % 2];
    if (!active.inTransaction) active.exec('BEGIN');
    counts[batch % 2].get();
    if (idle.inTransaction) idle.exec('COMMIT');
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 10}`, value: Math.random(), timestamp: batch, step: batch * 100 + Math.floor(i / 10) }));
    tracking.logBatch(run.info.runId, { metrics, params: [], tags: [] });
    if (batch % 20 === 19) {
      for (const r of readers) if (r.inTransaction) r.exec('COMMIT');
      if (withCheckpointer) checkpointer.tick();
    }
    maxWal = Math.max(maxWal, checkpointer.walSize());
  }
  for (const r of readers) if (r.inTransaction) r.exec('COMMIT');
  const points = counts[0].get() as number;
  const checkpoints = checkpointer.checkpoints;
  checkpointer.dispose();
  for (const r of readers) r.close();
  tracking.close();
  return { maxWal, checkpoints, points };
}

test('the WAL stays bounded while other connections keep reading', () => {
  const withCheckpoints = overlappingReadersWorkload(true);
  assert.equal(withCheckpoints.points, 240_000);
  assert.ok(withCheckpoints.checkpoints > 0, 'a checkpoint ran');
  const without = overlappingReadersWorkload(false);
  // The workload really does grow the log when nothing truncates it...
  assert.ok(without.maxWal > 2 * withCheckpoints.maxWal, `without: ${without.maxWal}, with: ${withCheckpoints.maxWal}`);
  // ...and the checkpointer keeps it near its threshold.
  assert.ok(withCheckpoints.maxWal < 16 * 1024 * 1024, `WAL peaked at ${withCheckpoints.maxWal} bytes`);
});

test('two processes writing at once: no "database is locked", nothing lost', async () => {
  const ws = makeWorkspace();
  openStore(ws).close();
  const writer = join(__dirname, 'helpers', 'concurrentWriter.js');
  assert.ok(existsSync(writer), 'helper bundle exists');
  const run = (tag: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [writer, ws, tag, '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (code) => resolve({ code, out }));
    });
  const results = await Promise.all([run('a'), run('b'), run('c')]);
  for (const r of results) assert.equal(r.code, 0, r.out);
  const tracking = TrackingStore.open(ws);
  const runs = tracking.store.db.prepare('SELECT COUNT(*) FROM runs').pluck().get();
  const points = tracking.store.db.prepare('SELECT COUNT(*) FROM metric_points').pluck().get();
  assert.equal(runs, 3 * 200);
  assert.equal(points, 3 * 200 * 50);
  tracking.close();
});

test('mlops CLI commands: experiments list, runs list with a filter, runs show, --json, clear errors', async () => {
  const ws = makeWorkspace();
  const tracking = TrackingStore.open(ws);
  const exp = tracking.experiments.create('cli-exp');
  const run = tracking.runs.create({ experimentId: exp, runName: 'cli-run' });
  tracking.logBatch(run.info.runId, { metrics: [{ key: 'acc', value: 0.93, timestamp: 1, step: 1 }], params: [{ key: 'lr', value: '0.1' }], tags: [] });
  tracking.close();
  const list = await runCli(['experiments', 'list', '--workspace', ws]);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /cli-exp/);
  assert.match(list.stdout, /Default/);
  const runs = await runCli(['runs', 'list', '--workspace', ws, '--experiment', 'cli-exp', '--filter', 'metrics.acc > 0.9']);
  assert.match(runs.stdout, /cli-run/);
  assert.match(runs.stdout, /0\.93/);
  assert.match(runs.stdout, new RegExp(`^${run.info.runId.slice(0, 8)}  `, 'm'), 'a run id prefix, as runs show takes');
  // In a narrow terminal the metric columns that would wrap are left out, and said so.
  const narrow = await runCli(['runs', 'list', '--workspace', ws, '--experiment', 'cli-exp'], { env: { COLUMNS: '60' } });
  assert.doesNotMatch(narrow.stdout, /0\.93/);
  assert.match(narrow.stdout, /acc left out to fit the terminal/);
  const none = await runCli(['runs', 'list', '--workspace', ws, '--filter', 'metrics.acc > 0.99']);
  assert.match(none.stdout, /No runs match/);
  const json = await runCli(['runs', 'list', '--json', '--workspace', ws]);
  assert.equal(JSON.parse(json.stdout)[0].info.run_name, 'cli-run'); // MLflow's shape
  assert.match(runs.stdout, /cli-exp/); // experiments by name
  const show = await runCli(['runs', 'show', run.info.runId, '--workspace', ws]);
  assert.match(show.stdout, /lr\s+0\.1/);
  const badFilter = await runCli(['runs', 'list', '--workspace', ws, '--filter', 'metrics.acc >> 1']);
  assert.notEqual(badFilter.code, 0);
  assert.doesNotMatch(badFilter.stderr, /\n\s+at /); // no stack trace
  const missing = await runCli(['runs', 'show', 'nope', '--workspace', ws]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /not found/);
  const elsewhere = makeWorkspace();
  const noStore = await runCli(['runs', 'list', '--workspace', elsewhere]);
  assert.equal(noStore.code, 1);
  assert.match(noStore.stderr, /No MLOps store in/);
  assert.equal(existsSync(join(elsewhere, '.mlops')), false, 'a read-only command creates no store');
  const notADir = await runCli(['runs', 'list', '--workspace', join(elsewhere, 'nope')]);
  assert.doesNotMatch(notADir.stderr, /\n\s+at /);
  for (const group of ['runs', 'experiments']) {
    const help = await runCli([group, '--help']);
    assert.equal(help.code, 0, group);
    assert.match(help.stdout, /Usage: mlops/);
  }
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /mlops run/);
  assert.ok(CLI);
});

test('a store on a network file system gets a warning about the WAL; a local one does not', async () => {
  const { walSafetyWarning } = await import('../src/core/store/fileSystemCheck');
  const ws = makeWorkspace();
  const local = `/dev/vda1 / ext4 rw 0 0\n`;
  const nfs = `/dev/vda1 / ext4 rw 0 0\nserver:/export ${ws} nfs4 rw 0 0\n`;
  assert.equal(walSafetyWarning(ws, local), undefined);
  assert.match(walSafetyWarning(ws, nfs) ?? '', /nfs4 network mount.*not safe/);
});

test('a read sees one snapshot: another connection\'s write between its queries shows only after it', () => {
  const ws = makeWorkspace();
  const reader = openStore(ws);
  const writer = openStore(ws);
  const count = () => (reader.db.prepare('SELECT COUNT(*) AS n FROM experiments').get() as { n: number }).n;
  const before = count();
  const seen = reader.read(() => {
    const first = count();
    writer.write(() => writer.db.prepare("INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ('other', '', 'active', 0, 0)").run());
    return [first, count()];
  });
  assert.deepEqual(seen, [before, before], 'both queries of the read see the store as it was when it began');
  assert.equal(count(), before + 1, 'the write shows once the read is over');
  reader.close();
  writer.close();
});
