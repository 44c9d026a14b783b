import { spawn } from 'node:child_process';
import { openSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { storeLayout } from '../core/store/storeLayout';
import { liveServer, prepareServerFiles, readState } from '../server/serverFiles';
import type { ServerInfo } from '../protocol/native';
import { CliError } from './cliError';

// A server started on demand (by `mlops run`) lives on after the run so later
// runs and the editor reuse it, and exits by itself after this much idleness.
const AUTO_SERVER_IDLE_MINUTES = 30;

/** The workspace's running server, started in the background if none is. */
export async function ensureServer(workspace: string): Promise<{ info: ServerInfo; started: boolean }> {
  const { layout, state } = prepareServerFiles(workspace, (message) => process.stderr.write(`mlops: warning: ${message}\n`));
  const live = await liveServer(layout, state);
  if (live) return { info: live, started: false };

  const serverScript = join(__dirname, 'server.js');
  if (!existsSync(serverScript)) throw new CliError(`Cannot start the server: ${serverScript} is missing. Run "npm run build" first.`);
  const logFile = join(layout.logs, 'server.log');
  const out = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [serverScript, '--workspace', workspace, '--idle-exit-minutes', String(AUTO_SERVER_IDLE_MINUTES)], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();

  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const info = await liveServer(layout, state);
    if (info) return { info, started: true };
    if (child.exitCode !== null && child.exitCode !== 0) break;
  }
  throw new CliError(`The MLOps server for ${workspace} did not start. See ${logFile}.`);
}

/**
 * The workspace's running server, or undefined: for commands that only ask it
 * what it holds (deployments live in it), where starting one would only answer
 * that it holds nothing. Writes nothing, not even a missing .mlops/.
 */
export async function runningServer(workspace: string): Promise<ServerInfo | undefined> {
  const layout = storeLayout(workspace);
  const state = readState(layout);
  return state && liveServer(layout, state);
}
