// Builds every bundle: the extension, the backend server, the CLI, and (with
// --tests / --bench) the test and benchmark entry points. Native modules and
// `vscode` stay external: they are loaded at run time by the runtime that owns them.
import * as esbuild from 'esbuild';
import { readdirSync, mkdirSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const external = ['vscode', 'better-sqlite3', 'onnxruntime-node'];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  logLevel: 'warning',
};

const entries = [
  { in: 'src/extension/extension.ts', out: 'dist/extension.js' },
  { in: 'src/server/main.ts', out: 'dist/server.js' },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'src/core/tracking/seriesWorker.ts', out: 'dist/seriesWorker.js' },
  { in: 'src/core/store/walCheckpointWorker.ts', out: 'dist/walCheckpointWorker.js' },
];

function entriesOf(dir, suffix, outDir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => ({ in: join(dir, f), out: join(outDir, f.replace(/\.ts$/, '.js')) }));
}
if (args.has('--tests')) entries.push(...entriesOf('test', '.test.ts', 'out/test'), ...entriesOf('test/helpers', 'Writer.ts', 'out/test/helpers'));
if (args.has('--bench')) entries.push(...entriesOf('bench', '.ts', 'out/bench'));

await Promise.all(
  entries.map((e) =>
    esbuild.build({
      ...common,
      entryPoints: [e.in],
      outfile: e.out,
      banner: e.banner ? { js: e.banner } : undefined,
    }),
  ),
);

// The CLI is a `bin`: make it executable.
chmodSync('dist/cli.js', 0o755);

// Record which Node ABI the native modules in node_modules were built for, so the
// backend launcher (and people reading bug reports) can tell whether a runtime fits.
mkdirSync('dist', { recursive: true });
writeFileSync(
  'dist/build-info.json',
  JSON.stringify(
    {
      nodeAbi: process.versions.modules,
      nodeVersion: process.versions.node,
      platform: process.platform,
      arch: process.arch,
      nativeModules: ['better-sqlite3'],
      builtAt: new Date().toISOString(),
    },
    null,
    2,
  ) + '\n',
);
