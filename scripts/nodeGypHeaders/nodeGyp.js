#!/usr/bin/env node
// `node-gyp` as this project's install scripts find it first on PATH (a dependency's
// bin, linked before any install script runs). better-sqlite3 builds from source when
// no prebuilt binary can be downloaded, and node-gyp then downloads Node's headers
// unless a nodedir is configured: offline, with an empty home folder, `npm install`
// failed there. The Node that runs npm ships the very headers it needs
// (<prefix>/include/node), so the build uses those when no nodedir is set, then runs
// npm's own node-gyp unchanged.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, realpathSync } = require('node:fs');
const { dirname, join } = require('node:path');

const node = process.env.npm_node_execpath || process.execPath;
const env = { ...process.env };
const prefix = dirname(dirname(realpathSync(node)));
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;

const nodeGyp = [
  env.npm_config_node_gyp,
  env.npm_execpath && join(dirname(env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((candidate) => candidate && existsSync(candidate) && realpathSync(candidate) !== realpathSync(__filename));
if (!nodeGyp) {
  console.error('node-gyp: npm\'s own node-gyp was not found (npm_config_node_gyp, npm_execpath); run the install with npm.');
  process.exit(1);
}
const res = spawnSync(node, [nodeGyp, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(res.status ?? 1);
