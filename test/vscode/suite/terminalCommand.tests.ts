// `mlops` in the integrated terminal, whichever way the extension came to its
// backend: one it started, one that was already running (as after `npm start`
// seeds the example, or `mlops server` in a shell), one it restarted.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from './testApi';
import { until } from './until';
import { extensionId, repoPath } from './context';

interface ServerFile {
  url: string;
  token: string;
  pid: number;
}

function serverFile(folder: string): ServerFile | undefined {
  try {
    return JSON.parse(readFileSync(join(folder, '.mlops', 'server.json'), 'utf8')) as ServerFile;
  } catch {
    return undefined;
  }
}

async function answers(info: ServerFile): Promise<boolean> {
  try {
    const res = await fetch(`${info.url}/api/v1/health`, { headers: { Authorization: `Bearer ${info.token}` }, signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The folder's backend once one answers (other than `not`, when given). */
function liveBackend(folder: string, not?: number): Promise<ServerFile> {
  return until(
    not ? `a backend other than pid ${not}` : 'a backend for the folder',
    async () => {
      const info = serverFile(folder);
      return info && info.pid !== not && (await answers(info)) ? info : undefined;
    },
    () => true,
    30_000,
  );
}

/** What a command line prints in a new integrated terminal (which gets the extension's PATH), and its exit code. */
async function inNewTerminal(folder: string, commandLine: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-terminal-'));
  const out = join(dir, 'out.txt');
  const terminal = vscode.window.createTerminal({
    name: 'mlops PATH check',
    cwd: folder,
    shellPath: '/bin/sh',
    shellArgs: ['-c', `${commandLine} > "$0.tmp" 2>&1; echo "exit $?" >> "$0.tmp"; mv "$0.tmp" "$0"`, out],
  });
  try {
    return await until('the terminal command to finish', async () => (existsSync(out) ? readFileSync(out, 'utf8').trim() : undefined), () => true, 20_000);
  } finally {
    terminal.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('mlops runs in a new terminal after the extension started its backend, attached to one started outside VS Code, and restarted it', async () => {
  await vscode.extensions.getExtension(extensionId())?.activate();
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const version = (JSON.parse(readFileSync(join(repoPath(), 'package.json'), 'utf8')) as { version: string }).version;
  const started = await liveBackend(folder);

  const found = await until('`command -v mlops` in a terminal', () => inNewTerminal(folder, 'command -v mlops'), (o) => o.endsWith('exit 0'), 30_000);
  const launcher = found.split('\n')[0];
  assert.match(launcher, /\/mlops$/, `the terminal's mlops: ${found}`);
  assert.equal(await inNewTerminal(folder, 'mlops --version'), `${version}\nexit 0`, 'after the extension started the backend');

  // The launcher goes first, so that only the path under test can bring it back
  // (its PATH entry is kept between sessions, as on a machine after a first start).
  process.kill(started.pid, 'SIGTERM');
  await until('the backend to stop', async () => !(await answers(started)), (gone) => gone, 15_000);
  rmSync(launcher, { force: true });
  const outside = spawn('node', [join(repoPath(), 'dist', 'cli.js'), 'server', '--workspace', folder], { detached: true, stdio: 'ignore' });
  outside.unref();
  const attached = await liveBackend(folder, started.pid);
  assert.equal(attached.pid, outside.pid, 'the backend now running is the one started outside VS Code');
  await until('the extension to put mlops back after attaching', async () => existsSync(launcher), (there) => there, 30_000);
  assert.equal(await inNewTerminal(folder, 'mlops --version'), `${version}\nexit 0`, 'after attaching to a backend started outside VS Code');

  rmSync(launcher, { force: true });
  await vscode.commands.executeCommand('mlops.restartBackend');
  await liveBackend(folder, attached.pid);
  await until('the extension to put mlops back after a restart', async () => existsSync(launcher), (there) => there, 30_000);
  assert.equal(await inNewTerminal(folder, 'mlops --version'), `${version}\nexit 0`, 'after Restart Backend');
}, { timeoutMs: 180_000 });
