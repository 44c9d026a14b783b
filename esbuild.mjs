// Builds every bundle: the extension, the backend server, the CLI, and (with
// --tests / --bench) the test and benchmark entry points. Native modules and
// `vscode` stay external: they are loaded at run time by the runtime that owns them.
import * as esbuild from 'esbuild';
import { readdirSync, mkdirSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

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

// onnxruntime-node 1.30's Linux library starts a telemetry uploader with the first
// session and leaves an empty $TMPDIR/mat-debug-<pid>.log behind for every process.
// It reads ORT_DISABLE_TELEMETRY from the C environment when that session is made,
// so each program sets it first thing (children inherit it). It is set, never
// read: a value from outside cannot turn telemetry back on. The extension is left
// out: it shares its process with other extensions and sets it in what it spawns.
// The directive comes first so the bundle keeps the strict mode esbuild gives it.
const noTelemetry = "'use strict';\nprocess.env.ORT_DISABLE_TELEMETRY = '1';";

// In the extension's bundle, lazySchemas.ts's require('./protocolSchemas') stays a
// require of the schemas' own bundle, next to it in dist/.
// Likewise chokidar, which the pipelines' dep watcher imports when it first watches.
const schemasApart = {
  name: 'schemas-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/protocolSchemas$/ }, (args) =>
      args.importer.endsWith(join('src', 'extension', 'lazySchemas.ts')) ? { path: './extensionSchemas.js', external: true } : undefined,
    );
    build.onResolve({ filter: /^chokidar$/ }, () => ({ path: './extensionWatcher.js', external: true }));
  },
};

// A wall-clock and a CPU-time stamp (this thread's where Node can tell it): a slow load on
// a machine busy starting VS Code is told apart from a heavy bundle.
const loadStamp = (at) =>
  `globalThis.__mlopsLoad${at} = performance.now(); globalThis.__mlopsLoadCpu${at} = (process.threadCpuUsage ?? process.cpuUsage)();`;

const entries = [
  // The banner and footer stamp when the bundle starts and ends loading, so activation time
  // includes loading it and tells it apart from VS Code's own wait before it calls activate().
  // `navigator` is compiled away: zod probes it (for Cloudflare) when it builds a schema, and
  // VS Code's extension host answers any read of that global with a logged PendingMigrationError.
  // The protocol's schemas (and zod), and chokidar, are bundles of their own, required on first use.
  { in: 'src/extension/extension.ts', out: 'dist/extension.js', banner: loadStamp('Start'), footer: loadStamp('End'), define: { navigator: 'undefined' }, plugins: [schemasApart] },
  { in: 'src/extension/protocolSchemas.ts', out: 'dist/extensionSchemas.js', define: { navigator: 'undefined' } },
  { in: 'src/extension/pipelines/watcherBundle.ts', out: 'dist/extensionWatcher.js' },
  { in: 'src/server/main.ts', out: 'dist/server.js', banner: noTelemetry },
  { in: 'src/server/deployment/main.ts', out: 'dist/deployment.js', banner: noTelemetry },
  { in: 'src/server/deployment/monitorWorker.ts', out: 'dist/monitorWorker.js', banner: noTelemetry },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: `#!/usr/bin/env node\n${noTelemetry}` },
  { in: 'src/core/tracking/seriesWorker.ts', out: 'dist/seriesWorker.js', banner: noTelemetry },
  { in: 'src/core/tracking/runsTableWorker.ts', out: 'dist/runsTableWorker.js', banner: noTelemetry },
  { in: 'src/core/store/walCheckpointWorker.ts', out: 'dist/walCheckpointWorker.js', banner: noTelemetry },
];

function entriesOf(dir, suffix, outDir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => ({ in: join(dir, f), out: join(outDir, f.replace(/\.ts$/, '.js')), banner: noTelemetry }));
}
if (args.has('--tests')) entries.push(...entriesOf('test', '.test.ts', 'out/test'), ...entriesOf('test/helpers', 'Writer.ts', 'out/test/helpers'));
if (args.has('--bench')) entries.push(...entriesOf('bench', '.ts', 'out/bench'));

// One browser bundle per panel: webview/<name>/main.ts -> dist/webview/<name>.js.
const webviewEntries = existsSync('webview')
  ? readdirSync('webview', { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(join('webview', d.name, 'main.ts')))
      .map((d) => ({ in: join('webview', d.name, 'main.ts'), out: join('dist', 'webview', `${d.name}.js`) }))
  : [];

await Promise.all([
  ...webviewEntries.map((e) =>
    esbuild.build({
      entryPoints: [e.in],
      outfile: e.out,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      minify: true,
      sourcemap: true,
      logLevel: 'warning',
      // zod's compiled parsers probe `new Function`, which the panels' CSP (no unsafe-eval)
      // refuses and reports as a violation; a panel's own zod config (its own page) says not to.
      banner: { js: 'globalThis.__zod_globalConfig = { jitless: true };' },
    }),
  ),
  ...entries.map((e) =>
    esbuild.build({
      ...common,
      entryPoints: [e.in],
      outfile: e.out,
      banner: e.banner ? { js: e.banner } : undefined,
      footer: e.footer ? { js: e.footer } : undefined,
      define: e.define,
      plugins: e.plugins,
    }),
  ),
]);

// The CLI is a `bin`: make it executable.
chmodSync('dist/cli.js', 0o755);

// Record which Node ABI the native modules in node_modules were built for, so the
// backend launcher (and people reading bug reports) can tell whether a runtime fits.
// Loading the module is the test: it loads only under the ABI it was built for,
// and a mismatch names the ABI it needs.
function nativeAbi(name) {
  try {
    const Database = createRequire(import.meta.url)(name);
    new Database(':memory:').close();
    return { abi: process.versions.modules, loads: true };
  } catch (err) {
    const built = /NODE_MODULE_VERSION (\d+)/.exec(String(err.message));
    return { abi: built ? built[1] : 'unknown', loads: false, error: String(err.message).split('\n')[0] };
  }
}
const sqlite = nativeAbi('better-sqlite3');
if (!sqlite.loads) console.warn(`warning: better-sqlite3 does not load in this Node (${process.version}): ${sqlite.error}`);
mkdirSync('dist', { recursive: true });
writeFileSync(
  'dist/build-info.json',
  JSON.stringify(
    {
      nodeAbi: sqlite.abi,
      nativeModules: { 'better-sqlite3': sqlite.abi },
      builtWith: { nodeVersion: process.versions.node, nodeAbi: process.versions.modules },
      platform: process.platform,
      arch: process.arch,
      builtAt: new Date().toISOString(),
    },
    null,
    2,
  ) + '\n',
);
