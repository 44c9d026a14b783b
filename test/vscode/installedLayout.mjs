// What an installed VSIX must hold to work without the source tree, and what it
// must not carry (sources, tests, source maps, other platforms' binaries).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const BUNDLES = ['extension.js', 'extensionSchemas.js', 'extensionWatcher.js', 'server.js', 'deployment.js', 'cli.js', 'monitorWorker.js', 'seriesWorker.js', 'runsTableWorker.js', 'walCheckpointWorker.js', 'build-info.json'];
const WEBVIEWS = ['runsTable', 'comparison', 'runDetail', 'model', 'pipelineDag', 'monitoring'];

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)).split(sep).join('/'));
}

/** Problems with the installed extension folder `dir`, one sentence each; empty when it is as it should be. */
export function installedLayoutProblems(dir, platform = process.platform, arch = process.arch) {
  const problems = [];
  const files = filesUnder(dir);
  const has = (path) => files.includes(path);
  for (const bundle of BUNDLES) if (!has(`dist/${bundle}`)) problems.push(`dist/${bundle} is missing`);
  for (const page of WEBVIEWS) if (!has(`dist/webview/${page}.js`)) problems.push(`dist/webview/${page}.js is missing`);
  for (const path of ['python/mlops_workbench/__init__.py', 'schemas/pipeline.schema.json', 'media/mlops.svg', 'media/webview.css', 'media/walkthrough/track.md', 'package.json']) {
    if (!has(path)) problems.push(`${path} is missing`);
  }
  const modules = 'dist/node_modules';
  if (!has(`${modules}/better-sqlite3/build/Release/better_sqlite3.node`)) problems.push('better-sqlite3\'s compiled binary is missing');
  for (const dep of ['bindings', 'file-uri-to-path', 'onnxruntime-common']) if (!has(`${modules}/${dep}/package.json`)) problems.push(`${dep} (needed at run time) is missing`);
  const ortBin = `${modules}/onnxruntime-node/bin/napi-v6/`;
  const ortFolders = [...new Set(files.filter((f) => f.startsWith(ortBin)).map((f) => f.slice(ortBin.length).split('/').slice(0, 2).join('/')))];
  if (ortFolders.join() !== `${platform}/${arch}`) problems.push(`onnxruntime-node binaries for ${JSON.stringify(ortFolders)}, expected only ${platform}/${arch}`);
  if (!has(`${ortBin}${platform}/${arch}/onnxruntime_binding.node`)) problems.push('onnxruntime-node\'s binding is missing');

  const unwanted = files.filter((f) => /\.(ts|map)$/.test(f) || /^(src|test|webview|bench|examples|scripts|node_modules)\//.test(f) || f.startsWith('python/tests/') || f.includes('__pycache__'));
  if (unwanted.length) problems.push(`shipped but not needed: ${unwanted.slice(0, 10).join(', ')}${unwanted.length > 10 ? ` and ${unwanted.length - 10} more` : ''}`);
  // Bundled by esbuild: a copy in node_modules would only add weight.
  for (const bundled of ['zod', 'yaml', 'chart.js', 'chokidar', 'eventsource-parser', '@vscode/webview-ui-toolkit']) {
    if (files.some((f) => f.startsWith(`${modules}/${bundled}/`))) problems.push(`${bundled} is shipped in node_modules, though esbuild bundles it`);
  }
  const info = existsSync(join(dir, 'dist', 'build-info.json')) ? JSON.parse(readFileSync(join(dir, 'dist', 'build-info.json'), 'utf8')) : {};
  if (!/^\d+$/.test(String(info.nodeAbi))) problems.push(`dist/build-info.json names no Node ABI: ${JSON.stringify(info)}`);
  return problems;
}
