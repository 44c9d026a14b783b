// `npm run package`: a platform VSIX that works without the source tree.
// Builds the bundles, stages what an installed extension needs
// (scripts/packageStage.mjs), checks that the staged native modules load from
// the stage alone, and packs the stage with vsce.
//
//   npm run package                          the target of this machine, e.g. linux-x64
//   npm run package -- --target alpine-x64   another name for this machine's platform (or MLOPS_VSIX_TARGET)
//   npm run package -- --out FILE.vsix       where to write it (default: the repository root)
//
// Prints the VSIX's path, size and file count; the last line is its path.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describePackages, stageExtension, stageName, treeSize } from './packageStage.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// vsce's platform targets, as Node names their platform and architecture.
const TARGETS = {
  'linux-x64': { platform: 'linux', arch: 'x64' },
  'linux-arm64': { platform: 'linux', arch: 'arm64' },
  'linux-armhf': { platform: 'linux', arch: 'arm' },
  'alpine-x64': { platform: 'linux', arch: 'x64' },
  'alpine-arm64': { platform: 'linux', arch: 'arm64' },
  'darwin-x64': { platform: 'darwin', arch: 'x64' },
  'darwin-arm64': { platform: 'darwin', arch: 'arm64' },
  'win32-x64': { platform: 'win32', arch: 'x64' },
  'win32-arm64': { platform: 'win32', arch: 'arm64' },
};

class UsageError extends Error {}

function machineTarget() {
  const arch = process.arch === 'arm' ? 'armhf' : process.arch;
  if (process.platform !== 'linux') return `${process.platform}-${arch}`;
  // musl (Alpine) has no glibc version in Node's report.
  const glibc = process.report?.getReport().header.glibcVersionRuntime;
  return `${glibc ? 'linux' : 'alpine'}-${arch}`;
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--target') options.target = value();
    else if (flag === '--out') options.out = resolve(value());
    else throw new UsageError(`unknown option ${argv[i]} (known: --target NAME, --out FILE.vsix)`);
  }
  return options;
}

function run(cmd, args, cwd) {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw new Error(`${cmd}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} failed (${res.status ?? res.signal}):\n${res.stdout}${res.stderr}`);
  return res.stdout + res.stderr;
}

/**
 * Loads both native modules from the stage, in a fresh Node, and fails if any
 * module came from outside it: the stage lies inside the repository, so a
 * runtime dependency left out would otherwise be found in its node_modules.
 */
function checkStageLoads(stage) {
  const modules = join(stage, 'dist', 'node_modules');
  const probe = `
    const { join } = require('node:path');
    const Database = require(join(${JSON.stringify(modules)}, 'better-sqlite3'));
    const db = new Database(':memory:');
    if (db.prepare('select 40 + 2 as n').get().n !== 42) throw new Error('better-sqlite3 answered wrongly');
    db.close();
    const ort = require(join(${JSON.stringify(modules)}, 'onnxruntime-node'));
    if (typeof ort.InferenceSession?.create !== 'function') throw new Error('onnxruntime-node has no InferenceSession');
    const outside = Object.keys(require.cache).filter((f) => !f.startsWith(${JSON.stringify(stage)}));
    if (outside.length) throw new Error('loaded from outside the stage: ' + outside.join(', '));
  `;
  run(process.execPath, ['-e', probe], stage);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const target = options.target || process.env.MLOPS_VSIX_TARGET || machineTarget();
  const spec = TARGETS[target];
  if (!spec) throw new UsageError(`unknown target "${target}" (one of ${Object.keys(TARGETS).join(', ')})`);
  if (spec.platform !== process.platform || spec.arch !== process.arch) {
    throw new UsageError(
      `target ${target} is ${spec.platform}-${spec.arch}, but this machine is ${process.platform}-${process.arch}: ` +
        `better-sqlite3 in node_modules is compiled for this machine, so package ${target} on a ${spec.platform}-${spec.arch} machine`,
    );
  }
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const out = options.out ?? join(repo, `${manifest.name}-${target}-${manifest.version}.vsix`);

  console.log(`building the bundles (${process.execPath}, Node ${process.version})`);
  run(process.execPath, ['esbuild.mjs'], repo);
  const info = JSON.parse(readFileSync(join(repo, 'dist', 'build-info.json'), 'utf8'));
  if (info.nodeAbi !== process.versions.modules) {
    throw new UsageError(`better-sqlite3 in node_modules is built for Node ABI ${info.nodeAbi}, not this Node's ${process.versions.modules}: rebuild it (npm rebuild better-sqlite3) or package with the Node it was built for`);
  }

  const stage = stageName(repo);
  const packages = stageExtension(repo, stage, spec);
  const staged = treeSize(stage);
  console.log(`staged ${staged.files} files, ${(staged.bytes / 1e6).toFixed(1)} MB; native modules for ${target}, Node ABI ${info.nodeAbi}: ${describePackages(packages)}`);
  checkStageLoads(stage);

  const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
  // --no-dependencies: the stage is already exactly what ships; vsce must not ask npm.
  const output = run(process.execPath, [vsce, 'package', '--target', target, '--no-dependencies', '--out', out], stage);
  const files = /\((\d+) files?,/.exec(output)?.[1] ?? '?';
  const mb = (statSync(out).size / 1e6).toFixed(1);
  console.log(`VSIX for ${target}: ${mb} MB, ${files} files`);
  console.log(out);
}

try {
  main();
} catch (err) {
  console.error(`package: ${err instanceof UsageError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
}
