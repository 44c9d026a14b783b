// Bundles the integration suite (test/vscode/suite) into one CommonJS file that
// VS Code's extension host loads as `extensionTestsPath`. Shared by the runner
// on the browser-based host (runHost.mjs) and the @vscode/test-electron one.
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export async function bundleSuite(repo) {
  const esbuild = await import('esbuild');
  const suiteDir = join(repo, 'out', 'vscode-suite');
  rmSync(suiteDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [join(repo, 'test', 'vscode', 'suite', 'index.ts')],
    outfile: join(suiteDir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'external',
    external: ['vscode'],
    logLevel: 'silent',
  });
  return join(suiteDir, 'index.js');
}
