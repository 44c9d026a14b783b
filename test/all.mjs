// `npm test`: the unit and integration tests (node:test, test/*.test.ts), then
// the extension's suite in a real VS Code (test/vscode, installed and cached on
// first use), then the packaged VSIX installed into that VS Code. Each part
// prints its own "N passed, N failed"; this prints the total last, which is
// what CI reads. Exits non-zero if anything failed.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function part(name, args) {
  return new Promise((resolve) => {
    console.log(`\n=== ${name}: npm run ${args.join(' ')}`);
    const child = spawn(npm, ['run', '--silent', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk).slice(-2000);
    });
    child.on('close', (code) => {
      const counts = [...tail.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
      const passed = Number(counts?.[1] ?? 0);
      // A part that ended without its summary line counts as one failure.
      const failed = counts ? Number(counts[2]) : 1;
      resolve({ name, passed, failed: code !== 0 && failed === 0 ? 1 : failed });
    });
  });
}

const parts = [
  await part('unit and integration tests', ['test:unit']),
  await part('VS Code extension tests', ['test:vscode']),
  await part('installed VSIX smoke test', ['test:vsix']),
  await part('npm start check', ['test:start']),
];
console.log('');
for (const p of parts) console.log(`${p.name}: ${p.passed} passed, ${p.failed} failed`);
const passed = parts.reduce((n, p) => n + p.passed, 0);
const failed = parts.reduce((n, p) => n + p.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
