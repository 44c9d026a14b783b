import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Activation parses dist/extension.js before anything shows: zod (the protocol's
// schemas) and chokidar are bundles of their own, required on first use.
const dist = resolve(__dirname, '..', '..', 'dist');
const BUNDLES = ['extension.js', 'extensionSchemas.js', 'extensionWatcher.js'];

/** The bundles in a folder beside a stand-in `vscode` (nothing of it runs at load). */
function layout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bundle-'));
  mkdirSync(join(dir, 'node_modules', 'vscode'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'vscode', 'index.js'), 'module.exports = new Proxy({}, { get: () => class {} });\n');
  for (const file of BUNDLES) copyFileSync(join(dist, file), join(dir, file));
  return dir;
}

function node(dir: string, script: string): string {
  const res = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout;
}

test('loading the extension\'s bundle loads neither the schemas nor the file watcher', () => {
  const dir = layout();
  try {
    const loaded = JSON.parse(node(dir, "require('./extension.js'); console.log(JSON.stringify(Object.keys(require.cache).map((f) => require('path').basename(f))))")) as string[];
    assert.deepEqual(loaded.sort(), ['extension.js', 'index.js'], `modules loaded with the extension: ${loaded.join(', ')}`);
    const source = readFileSync(join(dir, 'extension.js'), 'utf8');
    assert.doesNotMatch(source, /node_modules\/zod\//, 'zod is compiled into the extension bundle');
    assert.doesNotMatch(source, /node_modules\/chokidar\//, 'chokidar is compiled into the extension bundle');
    assert.ok(source.length < 400_000, `the extension bundle is ${source.length} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the schemas\' and the watcher\'s bundles, required as the extension does, give what it uses', () => {
  const dir = layout();
  try {
    const out = node(
      dir,
      [
        "const s = require('./extensionSchemas.js');",
        "const w = require('./extensionWatcher.js');",
        'console.log(JSON.stringify({ namespaces: Object.keys(s).sort(), parses: s.comparisonMessages.comparisonToHost.safeParse({ type: "nonsense" }).success, watch: typeof w.watch }));',
      ].join('\n'),
    );
    const seen = JSON.parse(out) as { namespaces: string[]; parses: boolean; watch: string };
    assert.deepEqual(seen.namespaces, ['comparisonMessages', 'deployments', 'modelPanelMessages', 'monitoring', 'monitoringPanelMessages', 'native', 'pipelineApi', 'pipelineDagMessages', 'runDetailMessages', 'runsTableMessages']);
    assert.equal(seen.parses, false, 'the comparison schema refuses a malformed message');
    assert.equal(seen.watch, 'function');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
