// What the editor shows of a backend's start: the warnings in its log (once each)
// and, when it refuses to start, its reason. The backend is the real dist/server.js
// writing to a log file, as the extension starts it; the parsing is the extension's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendWarnings, startFailureReason } from '../src/extension/backend/backendWarnings';
import { makeWorkspace, REPO, waitFor } from './helpers/testServer';

/** Starts dist/server.js with its output in a log file; resolves once it serves or exits. */
async function startLogged(ws: string): Promise<{ log: () => string; stop: () => void; exitCode: () => number | null }> {
  const logFile = join(ws, 'server.log');
  const out = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [join(REPO, 'dist', 'server.js'), '--workspace', ws], { stdio: ['ignore', out, out] });
  closeSync(out);
  await waitFor('the backend to serve or exit', () => child.exitCode !== null || existsSync(join(ws, '.mlops', 'server.json')), 20_000);
  return { log: () => readFileSync(logFile, 'utf8'), stop: () => child.kill('SIGTERM'), exitCode: () => child.exitCode };
}

function worldReadableStore(): string {
  const ws = makeWorkspace('mlops-warnings-');
  mkdirSync(join(ws, '.mlops'), { mode: 0o755 });
  chmodSync(join(ws, '.mlops'), 0o755);
  writeFileSync(join(ws, '.mlops', 'server-state.json'), JSON.stringify({ token: 'x'.repeat(43) }), { mode: 0o644 });
  chmodSync(join(ws, '.mlops', 'server-state.json'), 0o644);
  return ws;
}

test("the backend's start-up warnings are picked out of its log, each once", async () => {
  const backend = await startLogged(worldReadableStore());
  try {
    const warnings = new BackendWarnings();
    const shown = warnings.take(backend.log());
    assert.equal(shown.length, 2, backend.log());
    assert.match(shown[0], /\.mlops was open to other users \(mode 755\); it is 0700 again/);
    assert.match(shown[1], /server-state\.json was not used: other users could read it/);
    assert.deepEqual(warnings.take(backend.log()), [], 'the same warnings are not shown again');
  } finally {
    backend.stop();
  }
});

test("a backend that refuses another user's store says why, for the editor's error", { skip: process.getuid?.() === 0 ? false : 'needs root to give files to another user (uid 65534)' }, async () => {
  const ws = makeWorkspace('mlops-warnings-');
  mkdirSync(join(ws, '.mlops'), { mode: 0o700 });
  chownSync(join(ws, '.mlops'), 65534, 65534);
  const backend = await startLogged(ws);
  assert.equal(backend.exitCode(), 1);
  assert.match(startFailureReason(backend.log()) ?? '', /\.mlops belongs to another user \(uid 65534\)/);
});
