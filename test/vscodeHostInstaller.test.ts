import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './helpers/testServer';

// Under `npm test`, code-server's postinstall saw the outer npm's user agent
// ("node/v20…") and refused to install under Node 24. The real installer runs
// here with the outer npm's variables set, against stand-ins for npm and dpkg
// that record the environment they were started with (and install nothing).
test('the VS Code host installer starts npm without the outer npm\'s npm_* variables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-installer-'));
  const bin = join(dir, 'bin');
  const seen = join(dir, 'seen');
  spawnSync('mkdir', ['-p', bin, seen]);
  const recorder = (name: string, exitCode: number, output = '') =>
    `#!/bin/sh\nenv > "${seen}/${name}.$$"\nprintf '%s' '${output}'\nexit ${exitCode}\n`;
  writeFileSync(join(bin, 'dpkg-query'), recorder('dpkg-query', 0, 'install ok installed'));
  writeFileSync(join(bin, 'npm'), recorder('npm', 1));
  for (const f of ['dpkg-query', 'npm']) chmodSync(join(bin, f), 0o755);

  const res = spawnSync(process.execPath, [join(REPO, 'test', 'vscode', 'installHost.mjs')], {
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: dir,
      MLOPS_VSCODE_HOST_DIR: join(dir, 'host'),
      npm_config_user_agent: 'npm/11.0.0 node/v20.20.2 linux x64 workspaces/false',
      npm_lifecycle_event: 'test:vscode',
      npm_package_name: 'mlops-workbench',
      NPM_CONFIG_PREFIX: join(dir, 'prefix'),
      npm_config_registry: 'http://registry.example.invalid/',
    },
  });
  // The stand-in npm fails the Node 24 step: the installer stops there and says so.
  assert.equal(res.status, 1, res.stdout + res.stderr);
  assert.match(res.stderr, /step "install node 24" failed/);

  const started = readdirSync(seen);
  assert.ok(started.some((f) => f.startsWith('npm.')), `npm was not started: ${started.join(', ')}`);
  for (const file of started) {
    const env = readFileSync(join(seen, file), 'utf8');
    const npmLines = env.split('\n').filter((line) => /^npm_/i.test(line));
    // A registry mirror given in the environment is a connection setting, and stays.
    assert.deepEqual(npmLines, ['npm_config_registry=http://registry.example.invalid/'], `${file.split('.')[0]} was started with the outer npm's settings`);
    assert.match(env, new RegExp(`^PATH=${bin}:`, 'm'), 'other variables are passed on');
  }
});
