import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { ModelRegistry, manifestDigest } from '../src/core/registry/modelRegistry';
import { parseModelUri } from '../src/core/registry/modelUri';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/core/store/schema';
import type { InspectModel } from '../src/core/registry/modelInspector';
import { makeWorkspace } from './helpers/testServer';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

function setup(options: { inspectModel?: InspectModel } = {}) {
  const ws = makeWorkspace('mlops-registry-');
  const tracking = TrackingStore.open(ws);
  const registry = new ModelRegistry(tracking, options);
  const scratch = join(ws, 'scratch');
  mkdirSync(scratch);
  let n = 0;
  /** Logs `content` as the run's artifact `path`. */
  const log = async (runId: string, path: string, content: string) => {
    const file = join(scratch, `f${n++}`);
    writeFileSync(file, content);
    await tracking.artifacts.importFile(runId, path, file);
  };
  return { ws, tracking, registry, log, scratch };
}

async function rejectsWith(p: Promise<unknown> | (() => unknown), code: string, message?: RegExp): Promise<void> {
  await assert.rejects(
    async () => (typeof p === 'function' ? p() : p),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, code, err.message);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

test('a version from a run folder freezes its files; sha256, primary file, manifest, format, READY', async () => {
  const { tracking, registry, log } = setup();
  const run = tracking.runs.create({ experimentId: '0' });
  const runId = run.info.runId;
  await log(runId, 'model/MLmodel', 'flavors: {}\n');
  await log(runId, 'model/model.onnx', 'onnx-bytes');
  await log(runId, 'model/extra/vocab.txt', 'a\nb\n');
  await log(runId, 'other.txt', 'not part of the model');
  registry.createModel('churn', { description: 'churn model', tags: [{ key: 'team', value: 'cv' }] });
  const v = await registry.createVersion({ name: 'churn', source: `runs:/${runId}/model` });
  assert.equal(v.version, 1);
  assert.equal(v.status, 'READY');
  assert.equal(v.runId, runId);
  assert.equal(v.primaryPath, 'model.onnx');
  assert.equal(v.sha256, sha('onnx-bytes'));
  assert.equal(v.size, 'onnx-bytes'.length);
  assert.equal(v.format, 'mlflow-model');
  assert.equal(v.servable, false);
  assert.equal(v.signature, null);
  const files = registry.versionFiles('churn', 1);
  assert.deepEqual(files.map((f) => f.path), ['MLmodel', 'extra/vocab.txt', 'model.onnx']);
  assert.equal(v.manifestSha256, manifestDigest(files));
  // The same source through the run's own artifact location, and a single file.
  const v2 = await registry.createVersion({ name: 'churn', source: `mlflow-artifacts:/0/${runId}/artifacts/model/model.onnx`, runId });
  assert.equal(v2.version, 2);
  assert.equal(v2.format, 'onnx');
  assert.equal(v2.manifestSha256, null);
  assert.deepEqual(registry.versionFiles('churn', 2).map((f) => f.path), ['model.onnx']);
  await rejectsWith(registry.createVersion({ name: 'churn', source: `runs:/${runId}/model`, runId: 'someotherrun' }), 'INVALID_PARAMETER_VALUE', /belongs to run/);
  await rejectsWith(registry.createVersion({ name: 'churn', source: `mlflow-artifacts:/7/${runId}/artifacts/model` }), 'INVALID_PARAMETER_VALUE', /experiment 7/);
  await rejectsWith(registry.createVersion({ name: 'churn', source: `runs:/${runId}/nothing-here` }), 'RESOURCE_DOES_NOT_EXIST', /no artifact/);
  await rejectsWith(registry.createVersion({ name: 'nope', source: `runs:/${runId}/model` }), 'RESOURCE_DOES_NOT_EXIST', /Registered Model with name=nope not found/);
  await rejectsWith(registry.createVersion({ name: 'churn', source: 's3://bucket/model' }), 'INVALID_PARAMETER_VALUE', /Unsupported model source/);
  await rejectsWith(registry.createVersion({ name: 'churn', source: '/etc' }), 'INVALID_PARAMETER_VALUE', /not accepted over the API/);
  // Version numbers are never reused.
  registry.deleteVersion('churn', 2);
  assert.equal((await registry.createVersion({ name: 'churn', source: `runs:/${runId}/model` })).version, 3);
  tracking.close();
});

test('version isolation: changing or purging the run\'s artifacts leaves the version unchanged, gc keeps its blobs', async () => {
  const { tracking, registry, log } = setup();
  const runId = tracking.runs.create({ experimentId: '0' }).info.runId;
  await log(runId, 'model.onnx', 'version-one');
  registry.createModel('iso');
  await registry.createVersion({ name: 'iso', source: `runs:/${runId}/model.onnx` });
  await log(runId, 'model.onnx', 'changed afterwards');
  assert.equal(readFileSync(tracking.artifacts.find(runId, 'model.onnx').blobPath, 'utf8'), 'changed afterwards');
  assert.equal(readFileSync(await registry.openModelVersionFile('iso', 1), 'utf8'), 'version-one');
  tracking.runs.setLifecycle(runId, 'deleted');
  const report = tracking.artifacts.gc({ purgeDeletedRuns: true });
  assert.equal(report.runsPurged, 1);
  assert.equal(report.blobsRemoved, 1); // the changed file; the version's blob is live
  assert.equal(readFileSync(await registry.openModelVersionFile('iso', 1), 'utf8'), 'version-one');
  assert.equal(registry.getVersion('iso', 1).runId, runId);
  // Deleting the model makes its blobs collectable.
  registry.deleteModel('iso');
  assert.equal(tracking.artifacts.gc().blobsRemoved, 1);
  tracking.close();
});

test('integrity: a corrupted stored file is a clear error and never handed out; a good one is verified once', async () => {
  const { tracking, registry, log } = setup();
  const runId = tracking.runs.create({ experimentId: '0' }).info.runId;
  await log(runId, 'm/model.onnx', 'the real model');
  registry.createModel('safe');
  await registry.createVersion({ name: 'safe', source: `runs:/${runId}/m` });
  const path = await registry.openModelVersionFile('safe', '1');
  assert.equal(readFileSync(path, 'utf8'), 'the real model');
  assert.equal(await registry.openModelVersionFile('safe', 1), path);
  chmodSync(path, 0o644);
  writeFileSync(path, 'the evil model'); // same size, different content
  await rejectsWith(registry.openModelVersionFile('safe', 1), 'DATA_LOSS', /Integrity check failed for model version \(name=safe, version=1\).*expected sha256/);
  writeFileSync(path, 'short');
  await rejectsWith(registry.openModelVersionFile('safe', 1), 'DATA_LOSS', /expected 14 bytes, found 5/);
  // And a new version cannot be made from a corrupted blob either.
  await rejectsWith(registry.createVersion({ name: 'safe', source: `runs:/${runId}/m` }), 'DATA_LOSS');
  tracking.close();
});

test('path traversal in sources and version paths is refused', async () => {
  const { tracking, registry, log } = setup();
  const runId = tracking.runs.create({ experimentId: '0' }).info.runId;
  await log(runId, 'model.onnx', 'x');
  registry.createModel('trav');
  for (const source of [`runs:/${runId}/../../etc/passwd`, `runs:/${runId}/%2e%2e/x`, `runs:/${runId}//etc/passwd`, `mlflow-artifacts:/0/${runId}/artifacts/a/../../b`, `runs:/${runId}/a\\b`]) {
    await rejectsWith(registry.createVersion({ name: 'trav', source }), 'INVALID_PARAMETER_VALUE', /Invalid artifact path|Invalid model source/);
  }
  await registry.createVersion({ name: 'trav', source: `runs:/${runId}/model.onnx` });
  await rejectsWith(registry.openVersionPath('trav', 1, '../model.onnx'), 'INVALID_PARAMETER_VALUE');
  await rejectsWith(registry.openVersionPath('trav', 1, '/etc/passwd'), 'INVALID_PARAMETER_VALUE');
  assert.throws(() => registry.createModel('a/b'), /cannot contain '\/'/);
  assert.throws(() => registry.createModel('..'), /Invalid model name/);
  tracking.close();
});

test('local files and folders are copied in (CLI only); symbolic links are refused; edits to the source do not reach the version', async () => {
  const { tracking, registry, scratch } = setup();
  registry.createModel('local');
  const file = join(scratch, 'model.onnx');
  writeFileSync(file, 'local-bytes');
  // The default inspector reads nothing, so it ties no features to the model.
  const v = await registry.createVersion({ name: 'local', source: file, allowLocal: true, featuresSpec: 'a' });
  assert.equal(v.format, 'onnx');
  assert.equal(v.sha256, sha('local-bytes'));
  assert.equal(v.features, null);
  writeFileSync(file, 'edited later');
  assert.equal(readFileSync(await registry.openModelVersionFile('local', 1), 'utf8'), 'local-bytes');
  const dir = join(scratch, 'dir');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'MLmodel'), 'flavors: {}');
  writeFileSync(join(dir, 'sub', 'weights.bin'), 'w'.repeat(100));
  const d = await registry.createVersion({ name: 'local', source: dir, allowLocal: true });
  assert.equal(d.primaryPath, 'sub/weights.bin');
  assert.equal(d.format, 'mlflow-model');
  assert.deepEqual(registry.versionFiles('local', 2).map((f) => f.path), ['MLmodel', 'sub/weights.bin']);
  symlinkSync('/etc/passwd', join(dir, 'link'));
  await rejectsWith(registry.createVersion({ name: 'local', source: dir, allowLocal: true }), 'INVALID_PARAMETER_VALUE', /symbolic link/);
  await rejectsWith(registry.createVersion({ name: 'local', source: join(scratch, 'missing'), allowLocal: true }), 'RESOURCE_DOES_NOT_EXIST');
  assert.equal(tracking.store.db.prepare('SELECT COUNT(*) FROM blob_leases').pluck().get(), 0);
  tracking.close();
});

test('the inspectModel seam decides format, signature and servable, and may add files', async () => {
  const seen: string[] = [];
  const { tracking, registry, scratch } = setup({
    inspectModel: async ({ primary, files, featuresSpec }) => {
      seen.push(primary.path, readFileSync(primary.localPath, 'utf8'), String(files.length), String(featuresSpec));
      return {
        format: 'onnx',
        servable: true,
        signature: { inputs: [{ name: 'x', elementType: 'float32', shape: [null, 3] }], outputs: [] },
        features: { input: 'x', features: [{ name: 'a', categorical: false, index: 0 }] },
        extraFiles: [{ path: 'MLmodel', content: 'flavors:\n  onnx: {}\n' }],
      };
    },
  });
  registry.createModel('seam');
  const file = join(scratch, 'm.onnx');
  writeFileSync(file, 'bytes');
  const v = await registry.createVersion({ name: 'seam', source: file, allowLocal: true, featuresSpec: 'a' });
  assert.deepEqual(seen, ['m.onnx', 'bytes', '1', 'a']);
  assert.deepEqual(v.features, { input: 'x', features: [{ name: 'a', categorical: false, index: 0 }] });
  assert.equal(v.servable, true);
  assert.deepEqual(v.signature?.inputs[0].shape, [null, 3]);
  assert.deepEqual(registry.versionFiles('seam', 1).map((f) => f.path), ['MLmodel', 'm.onnx']);
  assert.equal(v.primaryPath, 'm.onnx');
  tracking.close();
});

test('aliases follow MLflow\'s rules: one version per alias, setting moves it, reserved names refused', async () => {
  const { tracking, registry, scratch } = setup();
  registry.createModel('al');
  const file = join(scratch, 'm.onnx');
  writeFileSync(file, 'm');
  await registry.createVersion({ name: 'al', source: file, allowLocal: true });
  await registry.createVersion({ name: 'al', source: file, allowLocal: true });
  registry.setAlias('al', 'champion', '1');
  assert.deepEqual(registry.getVersion('al', 1).aliases, ['champion']);
  registry.setAlias('al', 'champion', 2);
  assert.deepEqual(registry.getVersion('al', 1).aliases, []);
  assert.deepEqual(registry.getVersion('al', 2).aliases, ['champion']);
  assert.equal(registry.getVersionByAlias('al', 'champion').version, 2);
  assert.deepEqual(registry.getModel('al').aliases, [{ alias: 'champion', version: 2 }]);
  for (const bad of ['latest', 'LATEST', 'v1', 'V12', 'has space', 'a/b', '', 'x'.repeat(256)]) {
    assert.throws(() => registry.setAlias('al', bad, 1), (err: Error & { code?: string }) => err.code === 'INVALID_PARAMETER_VALUE', bad);
  }
  registry.setAlias('al', 'x'.repeat(255), 1);
  registry.setAlias('al', 'with-dash_and_1', 1);
  assert.throws(() => registry.setAlias('al', 'champion', 9), /Model Version \(name=al, version=9\) not found/);
  registry.deleteVersion('al', 2); // takes its aliases with it
  assert.throws(() => registry.getVersionByAlias('al', 'champion'), /alias champion not found/);
  registry.deleteAlias('al', 'with-dash_and_1');
  assert.throws(() => registry.deleteAlias('al', 'with-dash_and_1'), /not found/);
  tracking.close();
});

test('legacy stages: transition, archive_existing_versions, latest versions per stage', async () => {
  const { tracking, registry, scratch } = setup();
  registry.createModel('st');
  const file = join(scratch, 'm.onnx');
  writeFileSync(file, 'm');
  for (let i = 0; i < 3; i++) await registry.createVersion({ name: 'st', source: file, allowLocal: true });
  assert.equal(registry.transitionStage('st', 1, 'production', false).currentStage, 'Production');
  registry.transitionStage('st', 2, 'Production', false);
  assert.deepEqual(registry.getLatestVersions('st', ['Production']).map((v) => v.version), [2]);
  registry.transitionStage('st', 3, 'Production', true);
  assert.equal(registry.getVersion('st', 1).currentStage, 'Archived');
  assert.equal(registry.getVersion('st', 2).currentStage, 'Archived');
  assert.deepEqual(registry.getLatestVersions('st').map((v) => [v.currentStage, v.version]), [['Production', 3], ['Archived', 2]]);
  assert.deepEqual(registry.getModel('st').latestVersions.map((v) => v.version), [3, 2]);
  assert.throws(() => registry.transitionStage('st', 1, 'Archived', true), /not an Active stage/);
  assert.throws(() => registry.transitionStage('st', 1, 'Prod', false), /Invalid Model Version stage: Prod/);
  assert.throws(() => registry.getLatestVersions('st', ['nope']), /Invalid Model Version stage/);
  tracking.close();
});

test('models:/ URIs resolve: version, alias, latest, stage; bad ones are clear errors', async () => {
  const { tracking, registry, scratch } = setup();
  registry.createModel('uri model');
  const file = join(scratch, 'm.onnx');
  writeFileSync(file, 'm');
  for (let i = 0; i < 3; i++) await registry.createVersion({ name: 'uri model', source: file, allowLocal: true });
  registry.setAlias('uri model', 'champion', 2);
  registry.transitionStage('uri model', 1, 'Staging', false);
  assert.equal(registry.resolveModelUri('models:/uri model/3').version, 3);
  assert.equal(registry.resolveModelUri('models:/uri%20model/1').version, 1);
  assert.equal(registry.resolveModelUri('models:/uri model@champion').version, 2);
  assert.equal(registry.resolveModelUri('models:/uri model/latest').version, 3);
  assert.equal(registry.resolveModelUri('models:/uri model/staging').version, 1);
  assert.throws(() => registry.resolveModelUri('models:/uri model/Production'), /no version in stage 'Production'/);
  assert.throws(() => registry.resolveModelUri('models:/uri model/9'), /not found/);
  assert.throws(() => registry.resolveModelUri('models:/other/1'), /Registered Model with name=other not found/);
  assert.throws(() => registry.resolveModelUri('models:/uri model@nope'), /alias nope not found/);
  assert.throws(() => parseModelUri('runs:/x/y'), /does not start with 'models:\/'/);
  assert.throws(() => parseModelUri('models:/a/b/c'), /Invalid model URI/);
  assert.throws(() => parseModelUri('models:/a@'), /Invalid model URI/);
  assert.deepEqual(parseModelUri('models:/a@b'), { name: 'a', kind: 'alias', alias: 'b' });
  // A version copied from another model's version (models:/ as a source).
  registry.createModel('copy');
  const copy = await registry.createVersion({ name: 'copy', source: 'models:/uri model@champion' });
  assert.equal(copy.sha256, registry.getVersion('uri model', 2).sha256);
  tracking.close();
});

test('registry writes are in the change log with the model name and version', async () => {
  const { tracking, registry, scratch } = setup();
  const before = tracking.changes.lastSeq();
  registry.createModel('ch');
  const file = join(scratch, 'm.onnx');
  writeFileSync(file, 'm');
  await registry.createVersion({ name: 'ch', source: file, allowLocal: true });
  registry.setAlias('ch', 'prod', 1);
  const changes = tracking.changes.changesSince(before);
  assert.deepEqual(changes.map((c) => [c.kind, c.modelName, c.version]), [
    ['model', 'ch', null],
    ['model_version', 'ch', '1'],
    ['model', 'ch', null],
    ['model_version', 'ch', '1'],
  ]);
  tracking.close();
});

test('a v1 store (tracking only) upgrades to the current version with its data kept and the registry usable', async () => {
  const ws = makeWorkspace('mlops-v1-');
  mkdirSync(join(ws, '.mlops'));
  const db = new Database(join(ws, '.mlops', 'mlops.db'));
  db.exec(MIGRATIONS[0].sql);
  db.pragma('user_version = 1');
  db.prepare(`INSERT INTO runs (run_uuid, experiment_id, name, status, start_time, artifact_uri) VALUES ('r1', 0, 'old-run', 'FINISHED', 1, 'mlflow-artifacts:/0/r1/artifacts')`).run();
  db.prepare(`INSERT INTO changes (at, kind, experiment_id, run_uuid) VALUES (1, 'run', 0, 'r1')`).run();
  db.close();
  assert.ok(SCHEMA_VERSION >= 2);
  const tracking = TrackingStore.open(ws);
  assert.equal(tracking.store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(tracking.runs.get('r1').info.runName, 'old-run');
  assert.deepEqual(tracking.changes.changesSince(0).map((c) => [c.kind, c.runId, c.modelName]), [['run', 'r1', undefined]]);
  const registry = new ModelRegistry(tracking);
  registry.createModel('after-upgrade');
  assert.equal(registry.listModels().length, 1);
  tracking.close();
});

test('search: filters on name, tags, run_id, version_number; order_by; paging', async () => {
  const { tracking, registry, scratch } = setup();
  const file = join(scratch, 'm.onnx');
  writeFileSync(file, 'm');
  const runA = tracking.runs.create({ experimentId: '0' }).info.runId;
  for (const name of ['alpha', 'beta', 'Gamma', 'delta']) registry.createModel(name, { tags: name === 'beta' ? [{ key: 'team', value: 'vision' }] : [] });
  await registry.createVersion({ name: 'alpha', source: file, allowLocal: true, runId: runA });
  await registry.createVersion({ name: 'alpha', source: file, allowLocal: true });
  await registry.createVersion({ name: 'beta', source: file, allowLocal: true, tags: [{ key: 'stage', value: 'qa' }] });
  const names = (filter?: string, orderBy?: string[]) => registry.searchModels({ filter, orderBy, maxResults: 100, offset: 0 }).models.map((m) => m.name);
  assert.deepEqual(names(), ['Gamma', 'alpha', 'beta', 'delta']);
  assert.deepEqual(names("name = 'beta'"), ['beta']);
  assert.deepEqual(names("name LIKE '%a'"), ['Gamma', 'alpha', 'beta', 'delta']);
  assert.deepEqual(names("name LIKE 'g%'"), []);
  assert.deepEqual(names("name ILIKE 'g%'"), ['Gamma']);
  assert.deepEqual(names("tags.team = 'vision'"), ['beta']);
  assert.deepEqual(names(undefined, ['name DESC']), ['delta', 'beta', 'alpha', 'Gamma']);
  assert.throws(() => names("run_id = 'x'"), /Invalid attribute key 'run_id'/);
  assert.throws(() => names('name = beta'), /not quoted/);
  const page1 = registry.searchModels({ maxResults: 3, offset: 0 });
  assert.equal(page1.models.length, 3);
  assert.equal(page1.nextOffset, 3);
  const page2 = registry.searchModels({ maxResults: 3, offset: 3 });
  assert.deepEqual(page2.models.map((m) => m.name), ['delta']);
  assert.equal(page2.nextOffset, undefined);
  const versions = (filter?: string, orderBy?: string[]) => registry.searchVersions({ filter, orderBy, maxResults: 100, offset: 0 }).versions.map((v) => `${v.name}/${v.version}`);
  assert.deepEqual(versions(`run_id = '${runA}'`), ['alpha/1']);
  assert.deepEqual(versions(`run_id IN ('${runA}', 'zzz')`), ['alpha/1']);
  assert.deepEqual(versions("name = 'alpha'", ['version_number ASC']), ['alpha/1', 'alpha/2']);
  assert.deepEqual(versions('version_number > 1'), ['alpha/2']);
  assert.deepEqual(versions("tags.stage = 'qa'"), ['beta/1']);
  assert.deepEqual(versions(undefined, ['name ASC', 'version_number DESC']), ['alpha/2', 'alpha/1', 'beta/1']);
  tracking.close();
});
