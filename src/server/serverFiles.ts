import { get as httpGet } from 'node:http';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, existsSync, fstatSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { ensureStoreFolders } from '../core/store/store';
import { storeLayout, type StoreLayout } from '../core/store/storeLayout';
import { serverInfo, type ServerInfo } from '../protocol/native';

// The files that let clients find a workspace's server and keep the same
// token (and port) across restarts, so jobs that are logging keep working.

export interface ServerState {
  token: string;
  port?: number;
}

export function writePrivateJson(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  safeUnlink(tmp); // left by a crash: a new file, so it gets the mode below
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
}

/** Where a warning about the store's files goes: the backend's log, the CLI's stderr. */
export type Warn = (message: string) => void;

/** A store another user owns: its token would be theirs to know, so nothing starts on it. */
export class ForeignStoreError extends Error {}

const GROUP_OR_WORLD = 0o077;
const canCheckOwners = process.platform !== 'win32' && typeof process.getuid === 'function';

function ownerProblem(path: string, uid: number): string | undefined {
  if (!canCheckOwners || uid === process.getuid!()) return undefined;
  return `${path} belongs to another user (uid ${uid}), so its token is not private to you. Use a workspace folder of your own, or have its owner remove .mlops/.`;
}

/**
 * Checks `.mlops/` before anything in it is used: another user's folder is
 * refused; one that others may enter (a store unpacked from a CI artifact loses
 * its modes) is closed again (0700), with a warning.
 */
export function checkStoreFolder(layout: StoreLayout, warn: Warn): void {
  let stat;
  try {
    stat = statSync(layout.root);
  } catch {
    return; // not there yet: it is made 0700
  }
  const foreign = ownerProblem(layout.root, stat.uid);
  if (foreign) throw new ForeignStoreError(foreign);
  if (canCheckOwners && stat.isDirectory() && stat.mode & GROUP_OR_WORLD) {
    chmodSync(layout.root, 0o700);
    warn(`${layout.root} was open to other users (mode ${(stat.mode & 0o777).toString(8)}); it is 0700 again. A store copied or unpacked from elsewhere (a CI artifact) loses its modes.`);
  }
}

type StateFile = { kind: 'missing' } | { kind: 'usable'; state: ServerState } | { kind: 'discard'; why?: string };

/** The state file, if it can be trusted; throws for one another user owns. */
function inspectState(layout: StoreLayout): StateFile {
  let fd: number;
  try {
    // O_NOFOLLOW: a link in its place (which a repository can commit) is not read through.
    fd = openSync(layout.serverState, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'discard', why: code === 'ELOOP' ? 'it is a symbolic link' : undefined };
  }
  try {
    const stat = fstatSync(fd);
    const foreign = ownerProblem(layout.serverState, stat.uid);
    if (foreign) throw new ForeignStoreError(foreign);
    if (!stat.isFile()) return { kind: 'discard', why: 'it is not a file' };
    if (canCheckOwners && stat.mode & GROUP_OR_WORLD) return { kind: 'discard', why: `other users could read it (mode ${(stat.mode & 0o777).toString(8)})` };
    const state = JSON.parse(readFileSync(fd, 'utf8')) as ServerState;
    if (typeof state.token === 'string' && state.token.length >= 32) return { kind: 'usable', state };
    return { kind: 'discard' };
  } catch (err) {
    if (err instanceof ForeignStoreError) throw err;
    return { kind: 'discard' }; // unreadable or not JSON
  } finally {
    closeSync(fd);
  }
}

/** The saved token and port, when they can be trusted (see loadOrCreateState). */
export function readState(layout: StoreLayout): ServerState | undefined {
  const found = inspectState(layout);
  return found.kind === 'usable' ? found.state : undefined;
}

/**
 * The workspace's token (and last port): the saved one when it is the user's own
 * and private, else a new one. A token others could read (a store committed to
 * git, or unpacked from an archive, with its modes lost) is replaced, never
 * adopted: whoever knows it could talk to the server. Another user's file is
 * refused (ForeignStoreError).
 */
export function loadOrCreateState(layout: StoreLayout, warn: Warn = () => {}): ServerState {
  const existing = inspectState(layout);
  if (existing.kind === 'usable') return existing.state;
  if (existing.kind === 'discard' && existing.why) {
    warn(`${layout.serverState} was not used: ${existing.why}. It is replaced with a new token (mode 0600); clients read the new one from server.json.`);
  }
  if (existing.kind === 'discard') safeUnlink(layout.serverState); // then exactly one new token wins below
  // Several processes may start at once in a new workspace: exactly one token
  // must win. Write it aside, then link it into place (fails if one exists).
  const state = { token: randomBytes(32).toString('base64url') };
  const tmp = `${layout.serverState}.${process.pid}.new`;
  safeUnlink(tmp);
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
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

/**
 * `.mlops/` checked (see checkStoreFolder), made if missing, and the token to
 * serve with: what every program that starts a server does first.
 */
export function prepareServerFiles(workspace: string, warn: Warn): { layout: StoreLayout; state: ServerState } {
  checkStoreFolder(storeLayout(workspace), warn);
  const layout = ensureStoreFolders(workspace);
  return { layout, state: loadOrCreateState(layout, warn) };
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
