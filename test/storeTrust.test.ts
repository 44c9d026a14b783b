// The backend adopts the token in .mlops/server-state.json across restarts. A token
// that others could read (a store committed to git, or unpacked from a CI artifact
// with its modes lost) or that another user wrote must not be adopted: whoever knows
// it can talk to the server. Real files, real modes, the real `mlops server` and
// dist/server.js (the backend the editor starts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, REPO, runCli, startServer } from './helpers/testServer';

const PLANTED = { token: 'planted-token-known-to-everyone-who-cloned-it', port: 0 };
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const hasGit = spawnSync('git', ['--version'], { stdio: 'ignore' }).status === 0;

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

/** A workspace whose .mlops/ holds a state file with the planted token. */
function plantedWorkspace(folderMode: number, fileMode: number): string {
  const ws = makeWorkspace('mlops-trust-');
  mkdirSync(join(ws, '.mlops'), { mode: folderMode });
  chmodSync(join(ws, '.mlops'), folderMode);
  writeFileSync(join(ws, '.mlops', 'server-state.json'), JSON.stringify(PLANTED), { mode: fileMode });
  chmodSync(join(ws, '.mlops', 'server-state.json'), fileMode);
  return ws;
}

test('a token others could read (modes lost: 0755 folder, 0644 file) is replaced, the modes restored, and `mlops server` warns', async () => {
  const ws = plantedWorkspace(0o755, 0o644);
  const s = await startServer(ws);
  try {
    assert.notEqual(s.token, PLANTED.token);
    assert.equal(mode(join(ws, '.mlops')), 0o700);
    assert.equal(mode(join(ws, '.mlops', 'server-state.json')), 0o600);
    assert.equal(mode(join(ws, '.mlops', 'server.json')), 0o600, 'server.json, which clients read the token from');
    assert.equal(JSON.parse(readFileSync(join(ws, '.mlops', 'server-state.json'), 'utf8')).token, s.token);
    assert.equal((await s.api('GET', '/api/v1/health', undefined, { Authorization: `Bearer ${PLANTED.token}` })).status, 401);
    const output = s.output();
    assert.match(output, /warning: .*\.mlops was open to other users \(mode 755\); it is 0700 again/);
    assert.match(output, /warning: .*server-state\.json was not used: other users could read it \(mode 644\)/);
  } finally {
    await s.stop();
  }
});

test('the token of a private state file (0600 in a 0700 folder) is kept across restarts, without a warning', async () => {
  const ws = plantedWorkspace(0o700, 0o600);
  const s = await startServer(ws);
  try {
    assert.equal(s.token, PLANTED.token);
    assert.equal(mode(join(ws, '.mlops', 'server.json')), 0o600);
    assert.doesNotMatch(s.output(), /warning/);
  } finally {
    await s.stop();
  }
});

test('a state file that is a link (a repository can commit one) is not read through', async () => {
  const ws = plantedWorkspace(0o700, 0o600);
  const committed = join(ws, 'committed-state.json');
  writeFileSync(committed, JSON.stringify(PLANTED), { mode: 0o600 });
  const file = join(ws, '.mlops', 'server-state.json');
  unlinkSync(file);
  symlinkSync(committed, file);
  const s = await startServer(ws);
  try {
    assert.notEqual(s.token, PLANTED.token);
    assert.match(s.output(), /server-state\.json was not used: it is a symbolic link/);
    assert.equal(readFileSync(committed, 'utf8'), JSON.stringify(PLANTED), 'the link target is left alone');
  } finally {
    await s.stop();
  }
});

test("another user's .mlops/ or state file: the backend does not start, and says why", { skip: isRoot ? false : 'needs root to give files to another user (uid 65534)' }, async () => {
  const foreignFolder = plantedWorkspace(0o700, 0o600);
  chownSync(join(foreignFolder, '.mlops'), NOBODY, NOBODY);
  const foreignFile = plantedWorkspace(0o700, 0o600);
  chownSync(join(foreignFile, '.mlops', 'server-state.json'), NOBODY, NOBODY);
  for (const [ws, owned] of [
    [foreignFolder, /\.mlops belongs to another user \(uid 65534\)/],
    [foreignFile, /server-state\.json belongs to another user \(uid 65534\)/],
  ] as const) {
    const cli = await runCli(['server', '--workspace', ws]);
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);
    assert.match(cli.stderr, owned);
    assert.match(cli.stderr, /Use a workspace folder of your own/);
    // The backend the editor starts, and the background start of `mlops run`.
    const backend = spawnSync(process.execPath, [join(REPO, 'dist', 'server.js'), '--workspace', ws], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(backend.status, 1, backend.stderr);
    assert.match(backend.stderr, owned);
    const run = await runCli(['run', '--workspace', ws, '--', 'true']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, owned);
    assert.equal(existsSync(join(ws, '.mlops', 'server.json')), false, 'no server started');
    assert.equal(JSON.parse(readFileSync(join(ws, '.mlops', 'server-state.json'), 'utf8')).token, PLANTED.token, 'their file is left as it was');
    assert.equal(statSync(join(ws, '.mlops')).mode & 0o777, 0o700);
  }
});

test('a .mlops/ that git tracks is warned about; a workspace outside git is not', { skip: hasGit ? false : 'git is not installed' }, async () => {
  const ws = makeWorkspace('mlops-trust-git-');
  const git = (...args: string[]) => assert.equal(spawnSync('git', args, { cwd: ws, stdio: 'ignore' }).status, 0, `git ${args.join(' ')}`);
  git('init', '-q');
  mkdirSync(join(ws, '.mlops'), { mode: 0o700 });
  writeFileSync(join(ws, '.mlops', 'notes.txt'), 'committed by mistake\n');
  git('add', '-f', '.mlops/notes.txt');
  const tracked = await startServer(ws);
  try {
    assert.match(tracked.output(), /warning: git tracks 1 file\(s\) under \.mlops\/ \(e\.g\. \.mlops\/notes\.txt\).*git rm -r --cached \.mlops/);
  } finally {
    await tracked.stop();
  }
  const plain = await startServer(makeWorkspace('mlops-trust-nogit-'));
  try {
    assert.doesNotMatch(plain.output(), /git tracks/);
  } finally {
    await plain.stop();
  }
});

test('CLI path for a CI store: `mlops run` replaces a world-readable token and says so on stderr', async () => {
  const ws = plantedWorkspace(0o755, 0o644);
  const r = await runCli(['run', '--workspace', ws, '--', 'true'], { cwd: ws });
  try {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /mlops: warning: .*server-state\.json was not used: other users could read it/);
    assert.notEqual(JSON.parse(readFileSync(join(ws, '.mlops', 'server-state.json'), 'utf8')).token, PLANTED.token);
    assert.equal(mode(join(ws, '.mlops', 'server-state.json')), 0o600);
  } finally {
    const info = join(ws, '.mlops', 'server.json');
    if (existsSync(info)) process.kill(JSON.parse(readFileSync(info, 'utf8')).pid, 'SIGTERM');
  }
});
