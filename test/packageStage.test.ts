// The folder `npm run package` packs: what ships with the VSIX, from the real
// node_modules and the built dist/ (the bundles these tests run from).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain ESM scripts without type declarations
import { runtimePackages, stageExtension } from '../scripts/packageStage.mjs';
// @ts-expect-error plain ESM scripts without type declarations
import { installedLayoutProblems } from './vscode/installedLayout.mjs';

type Packages = Map<string, { dir: string; version: string }>;

test('the runtime packages are the two native modules and what they require at run time, not their install tools', () => {
  const packages = runtimePackages('node_modules') as Packages;
  assert.deepEqual([...packages.keys()].sort(), ['better-sqlite3', 'bindings', 'file-uri-to-path', 'onnxruntime-common', 'onnxruntime-node']);
});

test('the stage holds the bundles, the Python client, schemas, media and this platform\'s binaries, and nothing else', (t) => {
  const stage = mkdtempSync(join(tmpdir(), 'mlops-stage-'));
  t.after(() => rmSync(stage, { recursive: true, force: true }));
  stageExtension('.', stage, { platform: process.platform, arch: process.arch });
  assert.deepEqual(installedLayoutProblems(stage), []);
  const shipped = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(shipped.scripts, undefined);
  assert.equal(shipped.devDependencies, undefined);
  assert.deepEqual(Object.keys(shipped.dependencies as object).sort(), ['better-sqlite3', 'onnxruntime-node']);
});

test('a stage for another platform carries only that platform\'s onnxruntime binaries, in the layout its binding loads', (t) => {
  const stage = mkdtempSync(join(tmpdir(), 'mlops-stage-'));
  t.after(() => rmSync(stage, { recursive: true, force: true }));
  stageExtension('.', stage, { platform: 'darwin', arch: 'arm64' });
  const bin = join(stage, 'dist', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
  assert.deepEqual(readdirSync(bin), ['darwin']);
  assert.deepEqual(readdirSync(join(bin, 'darwin')), ['arm64']);
  assert.ok(readdirSync(join(bin, 'darwin', 'arm64')).includes('onnxruntime_binding.node'));
});
