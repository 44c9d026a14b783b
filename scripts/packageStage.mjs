// The folder a VSIX is packed from: what an installed extension needs at run
// time and nothing else. esbuild already bundles every pure-JS dependency into
// dist/, so node_modules is reduced to the two native packages the backend
// loads and what they require at run time, with binaries for one platform only.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Loaded by the backend, the CLI and the serving processes (esbuild leaves them external). */
export const NATIVE_PACKAGES = ['better-sqlite3', 'onnxruntime-node'];

// Dependencies only an install script uses (to download or compile a binary);
// nothing requires them once the binary is there.
const INSTALL_ONLY = new Set(['prebuild-install', 'adm-zip', 'global-agent']);

// Never needed at run time in any package: sources, build inputs, tests, docs.
const SKIPPED_DIRS = new Set(['test', 'tests', 'src', 'deps', 'docs', 'script', 'scripts', 'obj', 'obj.target', '.github', 'esm']);
const SKIPPED_FILE = /\.(map|ts|md|gyp|gypi|cc|cpp|h|hpp|c|a|o|tsbuildinfo|mk)$|^(binding\.gyp|Makefile)$/;
const KEPT_FILE = /^(LICENSE|LICENCE|NOTICE|ThirdPartyNotices)/i;

/**
 * Files of one package worth shipping. `build/` keeps only the package's own
 * addon (better-sqlite3's build also holds a test extension and objects), and
 * onnxruntime-node's `bin/` only the target's folder, whose layout its binding
 * relies on to find the shared library beside it.
 */
function keep(name, rel, target) {
  const parts = rel.split(sep);
  const file = parts[parts.length - 1];
  if (parts.slice(0, -1).some((d) => SKIPPED_DIRS.has(d))) return false;
  if (parts[0] === 'build') return rel === join('build', 'Release', `${name.replace(/-/g, '_')}.node`);
  if (parts[0] === 'bin' && name === 'onnxruntime-node') return parts.length === 5 && parts[1] === 'napi-v6' && parts[2] === target.platform && parts[3] === target.arch;
  if (KEPT_FILE.test(file)) return true;
  return !file.startsWith('.') && !SKIPPED_FILE.test(file);
}

/** Files under `dir`, relative to it; a nested node_modules is another package's, so it is left out unless asked for. */
function filesOf(dir, { nested = false } = {}, root = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' && !nested ? [] : filesOf(path, { nested }, root);
    return [relative(root, path)];
  });
}

/** The native packages and, transitively, what they require at run time, as installed in `nodeModules`. */
export function runtimePackages(nodeModules) {
  const found = new Map();
  const visit = (name) => {
    if (found.has(name) || INSTALL_ONLY.has(name)) return;
    const dir = join(nodeModules, name);
    if (!existsSync(join(dir, 'package.json'))) throw new Error(`${name} is not installed in ${nodeModules}: run npm ci first`);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    found.set(name, { dir, version: manifest.version });
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep);
  };
  NATIVE_PACKAGES.forEach(visit);
  return found;
}

/** The extension's manifest as shipped: no development scripts or tools. */
function shippedManifest(manifest, packages) {
  const { scripts: _scripts, devDependencies: _dev, ...rest } = manifest;
  return { ...rest, dependencies: Object.fromEntries(NATIVE_PACKAGES.map((n) => [n, packages.get(n).version])) };
}

function copyTree(from, to, filter = () => true) {
  for (const rel of filesOf(from)) {
    if (!filter(rel)) continue;
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    cpSync(join(from, rel), join(to, rel));
  }
}

/**
 * Fills `stage` (emptied first) from the built repository: dist/ without
 * source maps, the Python client without its tests, schemas/, media/, README,
 * LICENSE, the manifest, and the runtime packages under dist/node_modules
 * (Node resolves them from the bundles there; vsce leaves out a top-level
 * node_modules when it does not run npm). Returns the packages staged.
 */
export function stageExtension(repo, stage, target) {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const dist = join(repo, 'dist');
  if (!existsSync(join(dist, 'build-info.json'))) throw new Error('dist/ is not built: run node esbuild.mjs first');
  copyTree(dist, join(stage, 'dist'), (rel) => !rel.endsWith('.map'));
  copyTree(join(repo, 'python', 'mlops_workbench'), join(stage, 'python', 'mlops_workbench'), (rel) => !rel.includes('__pycache__') && !rel.endsWith('.pyc'));
  copyTree(join(repo, 'schemas'), join(stage, 'schemas'));
  copyTree(join(repo, 'media'), join(stage, 'media'));
  for (const file of ['README.md', 'LICENSE', '.vscodeignore']) cpSync(join(repo, file), join(stage, file));

  const packages = runtimePackages(join(repo, 'node_modules'));
  for (const [name, { dir }] of packages) copyTree(dir, join(stage, 'dist', 'node_modules', name), (rel) => keep(name, rel, target));
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  writeFileSync(join(stage, 'package.json'), JSON.stringify(shippedManifest(manifest, packages), null, 2) + '\n');
  return packages;
}

/** Total bytes and file count under a folder. */
export function treeSize(dir) {
  const files = filesOf(dir, { nested: true });
  return { files: files.length, bytes: files.reduce((n, f) => n + statSync(join(dir, f)).size, 0) };
}

export const stageName = (repo) => join(repo, 'build', 'vsix-stage');
export const describePackages = (packages) => [...packages].map(([n, p]) => `${n}@${p.version}`).join(', ');
