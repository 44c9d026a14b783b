import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { storeLayout } from '../src/core/store/storeLayout';
import { liveServer, readState } from '../src/server/serverFiles';
import { makeWorkspace, startServer } from './helpers/testServer';

// The CLI walks up from the current folder to a workspace: a server.json there that
// another user owns, or that others may write, is not used whatever it names.

test('a live server is not used when its server.json or .mlops is writable by others or not this user\'s', async () => {
  const server = await startServer(makeWorkspace('mlops-trust-'), ['--port', '0']);
  try {
    const layout = storeLayout(server.workspace);
    const state = readState(layout)!;
    assert.equal((await liveServer(layout, state))?.url, server.url);
    chmodSync(layout.serverInfo, 0o666);
    assert.equal(await liveServer(layout, state), undefined, 'a world-writable server.json is used');
    chmodSync(layout.serverInfo, 0o600);
    chmodSync(layout.root, 0o777);
    assert.equal(await liveServer(layout, state), undefined, 'server.json in a world-writable .mlops is used');
    chmodSync(layout.root, 0o700);
    if (process.getuid?.() === 0) {
      chownSync(join(layout.root, 'server.json'), 65534, 65534);
      assert.equal(await liveServer(layout, state), undefined, 'another user\'s server.json is used');
      chownSync(layout.serverInfo, 0, 0);
    }
    assert.equal((await liveServer(layout, state))?.url, server.url);
  } finally {
    await server.stop();
  }
});
