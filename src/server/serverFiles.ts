import { get as httpGet } from 'node:http';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import type { StoreLayout } from '../core/store/storeLayout';
import { serverInfo, type ServerInfo } from '../protocol/native';

// The files that let clients find a workspace's server and keep the same
// token (and port) across restarts, so jobs that are logging keep working.

export interface ServerState {
  token: string;
  port?: number;
}

export function writePrivateJson(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export function readState(layout: StoreLayout): ServerState | undefined {
  try {
    const state = JSON.parse(readFileSync(layout.serverState, 'utf8')) as ServerState;
    if (typeof state.token === 'string' && state.token.length >= 32) return state;
  } catch {
    /* missing or unreadable */
  }
  return undefined;
}

export function loadOrCreateState(layout: StoreLayout): ServerState {
  const existing = readState(layout);
  if (existing) return existing;
  // Several processes may start at once in a new workspace: exactly one token
  // must win. Write it aside, then link it into place (fails if one exists).
  const state = { token: randomBytes(32).toString('base64url') };
  const tmp = `${layout.serverState}.${process.pid}.new`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, layout.serverState);
    return state;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = readState(layout);
    if (winner) return winner;
    writePrivateJson(layout.serverState, state); // an unreadable file: replace it
    return state;
  } finally {
    safeUnlink(tmp);
  }
}

export function readServerInfo(layout: StoreLayout): ServerInfo | undefined {
  try {
    const parsed = serverInfo.safeParse(JSON.parse(readFileSync(layout.serverInfo, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return url.startsWith('http://') && (host === '127.0.0.1' || host === 'localhost' || host === '[::1]');
  } catch {
    return false;
  }
}

/**
 * This user's and writable by no one else. The CLI finds a workspace by walking up
 * from the current folder, so its server.json may sit in a folder another user
 * could write: such a file may name any server.
 */
export function isPrivateToUser(path: string): boolean {
  if (typeof process.getuid !== 'function') return true; // Windows: ACLs, not modes
  try {
    const st = statSync(path);
    return st.uid === process.getuid() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Health-checks a server with a token; true only if it answers as ours. */
export function answersWithToken(url: string, token: string, timeoutMs = 1500): Promise<boolean> {
  // node:http, not fetch: every CLI command asks this once, and loading fetch's
  // client costs 50-65 ms of the CLI's start (measured by bench/pipeline.ts).
  return new Promise((resolve) => {
    let req: ReturnType<typeof httpGet>;
    try {
      req = httpGet(`${url}/api/v1/health`, { headers: { Authorization: `Bearer ${token}` }, timeout: timeoutMs }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
    } catch {
      return resolve(false);
    }
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * The running server described by server.json, if it is trustworthy: the file
 * and its folder this user's alone, a live pid, a loopback URL, the workspace's
 * token, and it answers. Anything else is stale and must be replaced, never used.
 */
export async function liveServer(layout: StoreLayout, state: ServerState): Promise<ServerInfo | undefined> {
  if (!isPrivateToUser(layout.root) || !isPrivateToUser(layout.serverInfo)) return undefined;
  const info = readServerInfo(layout);
  if (!info) return undefined;
  if (!isProcessAlive(info.pid) || !isLoopbackUrl(info.url) || info.token !== state.token) return undefined;
  return (await answersWithToken(info.url, info.token)) ? info : undefined;
}

/** Takes the start-up lock (O_EXCL). Returns false if a live process holds it. */
export function tryLock(layout: StoreLayout): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(layout.serverLock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(safeRead(layout.serverLock));
      if (Number.isInteger(holder) && holder > 0 && isProcessAlive(holder)) return false;
      // Left behind by a process that died: remove and race again.
      safeUnlink(layout.serverLock);
    }
  }
  return false;
}

export function releaseLock(layout: StoreLayout): void {
  if (safeRead(layout.serverLock) === String(process.pid)) safeUnlink(layout.serverLock);
}

export function removeServerInfo(layout: StoreLayout): void {
  const info = readServerInfo(layout);
  if (!info || info.pid === process.pid) safeUnlink(layout.serverInfo);
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function safeUnlink(file: string): void {
  try {
    if (existsSync(file)) unlinkSync(file);
  } catch {
    /* already gone */
  }
}
