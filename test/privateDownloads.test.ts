// Files the extension downloads for VS Code to open (a run's artifact, a model
// version's files) go to a folder only this user can enter, and nothing there is
// used through a link: another user who plants links at a guessable temp path,
// or links left inside the download folder, must not make a download write
// through them or a clean-up delete through them. The download code is the
// extension's, run here without VS Code against a real backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { downloadArtifact } from '../src/extension/panels/runDetailData';
import { downloadVersion } from '../src/extension/models/modelFiles';
import { PrivateDownloads } from '../src/extension/downloads/privateDownloads';
import type { WorkspaceBackend } from '../src/extension/backend/workspaceBackend';
import type { ModelVersionSummary, ModelsResponse } from '../src/protocol/native';
import { registerModel } from './helpers/deploymentProcess';
import { linearModel } from './helpers/onnxModels';
import { makeWorkspace, startServer, type TestServer } from './helpers/testServer';

const ARTIFACT = 'notes/readme.txt';
const ARTIFACT_TEXT = 'what the run wrote\n';
const MODEL = 'linear';

let server: TestServer;
let backend: WorkspaceBackend;
let run: { runId: string; experimentId: string };
let version: ModelVersionSummary;

before(async () => {
  const workspace = makeWorkspace('mlops-downloads-');
  await registerModel(workspace, MODEL, linearModel());
  server = await startServer(workspace);
  // What the download code uses of the editor's backend connection: its URL and
  // token, and JSON requests with the token (for a version's file listing).
  const request = async (method: string, path: string) => {
    const res = await server.api(method, path);
    if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return res.body;
  };
  backend = { info: { url: server.url, token: server.token }, request } as unknown as WorkspaceBackend;
  const created = await server.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' });
  run = { runId: created.body.run.info.run_id, experimentId: '0' };
  const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${run.runId}/artifacts/${ARTIFACT}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${server.token}` },
    body: ARTIFACT_TEXT,
  });
  assert.equal(put.status, 200, await put.text());
  const models = (await server.api('GET', `/api/v1/models?name=${MODEL}`)).body as ModelsResponse;
  version = models.models[0].versions.find((v) => v.version === '1')!;
  assert.ok(version.primaryPath, 'the version has a model file');
});

after(async () => {
  await server.stop();
});

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** A folder that stands for another user's files: nothing may appear in it or vanish from it. */
function victim(): { dir: string; keep: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-victim-'));
  const keep = join(dir, MODEL, 'v1', 'keep.txt');
  mkdirSync(join(dir, MODEL, 'v1'), { recursive: true });
  writeFileSync(keep, 'not yours\n');
  return { dir, keep };
}

test('links planted at the shared temp names the downloads once used are not followed, nor deleted through', async () => {
  const shared = mkdtempSync(join(tmpdir(), 'mlops-shared-tmp-'));
  const artifactsVictim = victim();
  const modelsVictim = victim();
  symlinkSync(artifactsVictim.dir, join(shared, 'mlops-workbench-artifacts'));
  symlinkSync(modelsVictim.dir, join(shared, 'mlops-workbench-models'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = shared; // the temp folder everyone shares, as /tmp is
  const downloads = new PrivateDownloads(undefined);
  try {
    const file = await downloadArtifact(backend, run, ARTIFACT, downloads);
    assert.equal(basename(file), 'readme.txt', 'named like the artifact');
    assert.equal(readFileSync(file, 'utf8'), ARTIFACT_TEXT);
    assert.equal(modeOf(file), 0o600);
    const root = await downloads.folder();
    assert.ok(file.startsWith(root + '/'), file);
    assert.equal(modeOf(root), 0o700);

    const model = await downloadVersion(backend, MODEL, version, downloads);
    assert.equal(basename(model), basename(version.primaryPath!));
    assert.deepEqual(readFileSync(model), Buffer.from(linearModel()));
    assert.ok(model.startsWith(root + '/'), model);

    for (const v of [artifactsVictim, modelsVictim]) {
      assert.equal(readFileSync(v.keep, 'utf8'), 'not yours\n', 'nothing deleted through the link');
      assert.deepEqual(readdirSync(v.dir), [MODEL], 'nothing written through the link');
      assert.deepEqual(readdirSync(join(v.dir, MODEL, 'v1')), ['keep.txt']);
    }
    await downloads.dispose();
    assert.equal(existsSync(root), false, "the process's temp folder goes with it");
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
});

test('downloads go to the storage folder (0700); a second download of the same file replaces it', async () => {
  const storage = mkdtempSync(join(tmpdir(), 'mlops-storage-'));
  const downloads = new PrivateDownloads(storage);
  const first = await downloadArtifact(backend, run, ARTIFACT, downloads);
  assert.equal(first, join(storage, 'downloads', 'artifacts', run.runId, 'notes', 'readme.txt'));
  assert.equal(modeOf(join(storage, 'downloads')), 0o700);
  writeFileSync(first, 'edited in the editor');
  assert.equal(await downloadArtifact(backend, run, ARTIFACT, downloads), first);
  assert.equal(readFileSync(first, 'utf8'), ARTIFACT_TEXT);
  const model = await downloadVersion(backend, MODEL, version, downloads);
  writeFileSync(join(storage, 'downloads', 'models', MODEL, 'v1', 'stale.txt'), 'from an earlier download');
  assert.equal(await downloadVersion(backend, MODEL, version, downloads), model);
  assert.equal(existsSync(join(storage, 'downloads', 'models', MODEL, 'v1', 'stale.txt')), false, 'the version folder is downloaded afresh');
  await downloads.dispose();
  assert.equal(existsSync(model), true, 'the storage folder is kept');
});

test('a link inside the download folder is refused: no write through it, no delete through it', async () => {
  const storage = mkdtempSync(join(tmpdir(), 'mlops-storage-'));
  const root = join(storage, 'downloads');
  mkdirSync(join(root, 'artifacts'), { recursive: true });
  mkdirSync(join(root, 'models'), { recursive: true });
  const artifactsVictim = victim();
  const modelsVictim = victim();
  symlinkSync(artifactsVictim.dir, join(root, 'artifacts', run.runId));
  symlinkSync(modelsVictim.dir, join(root, 'models', MODEL));
  const downloads = new PrivateDownloads(storage);

  await assert.rejects(downloadArtifact(backend, run, ARTIFACT, downloads), /Refusing to use .*: it is a symbolic link/);
  await assert.rejects(downloadVersion(backend, MODEL, version, downloads), /Refusing to use .*: it is a symbolic link/);
  for (const v of [artifactsVictim, modelsVictim]) {
    assert.equal(readFileSync(v.keep, 'utf8'), 'not yours\n');
    assert.deepEqual(readdirSync(v.dir), [MODEL]);
  }

  // A link in place of the file itself: not written through, not replaced silently.
  const outside = join(victim().dir, 'target.txt');
  writeFileSync(outside, 'theirs');
  const otherRun = { ...run, runId: 'a-run-folder' };
  mkdirSync(join(root, 'artifacts', otherRun.runId, 'notes'), { recursive: true });
  symlinkSync(outside, join(root, 'artifacts', otherRun.runId, 'notes', 'readme.txt'));
  await assert.rejects(downloads.createFile(['artifacts', otherRun.runId, 'notes', 'readme.txt']), /symbolic link/);
  assert.equal(readFileSync(outside, 'utf8'), 'theirs');
  assert.equal(lstatSync(join(root, 'artifacts', otherRun.runId, 'notes', 'readme.txt')).isSymbolicLink(), true);

  // The download folder itself a link.
  const linkedStorage = mkdtempSync(join(tmpdir(), 'mlops-storage-'));
  const elsewhere = victim();
  symlinkSync(elsewhere.dir, join(linkedStorage, 'downloads'));
  await assert.rejects(downloadArtifact(backend, run, ARTIFACT, new PrivateDownloads(linkedStorage)), /is a symbolic link/);
  assert.deepEqual(readdirSync(elsewhere.dir), [MODEL]);
});

test('names from the backend stay inside the download folder', async () => {
  const downloads = new PrivateDownloads(mkdtempSync(join(tmpdir(), 'mlops-storage-')));
  for (const parts of [['artifacts', 'r', '..', '..', 'escape.txt'], ['artifacts', 'r', ''], ['artifacts', '.', 'x'], ['models', 'a\\b']]) {
    await assert.rejects(downloads.createFile(parts), /is not a usable file or folder name/, parts.join('/'));
    await assert.rejects(downloads.remove(parts), /is not a usable file or folder name/);
  }
});
