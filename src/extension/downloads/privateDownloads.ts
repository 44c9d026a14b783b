import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the extension puts files it downloads for VS Code to open (artifacts, a
 * model version's files). A fixed name in the shared temp folder lets another
 * user plant links there that a download writes through, or a clean-up deletes
 * through; so the root is the extension's own storage folder (or, without one, a
 * fresh temp folder of this process), mode 0700, and nothing inside it is used
 * through a link: every folder on the way is checked with lstat, files are
 * created with O_EXCL (which refuses a link at the last step too).
 */
export class PrivateDownloads {
  private root?: Promise<string>;
  private temporary = false;

  /** `storageFolder`: the extension's storage folder; undefined makes a temp folder for this process. */
  constructor(private readonly storageFolder: string | undefined) {}

  /** The root, made on first use. */
  folder(): Promise<string> {
    this.root ??= this.makeRoot();
    return this.root;
  }

  private async makeRoot(): Promise<string> {
    if (!this.storageFolder) {
      this.temporary = true;
      return mkdtemp(join(tmpdir(), 'mlops-workbench-')); // created 0700, a name nobody could guess
    }
    const root = join(this.storageFolder, 'downloads');
    await mkdir(root, { recursive: true, mode: 0o700 });
    const stat = await lstat(root);
    if (stat.isSymbolicLink() || !stat.isDirectory()) throw new Error(`${root} should be the extension's download folder, but it is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}. Delete it and try again.`);
    if (process.getuid && stat.uid !== process.getuid()) throw new Error(`${root} belongs to another user (uid ${stat.uid}). Delete it and try again.`);
    await chmod(root, 0o700);
    return root;
  }

  /**
   * A new, empty file at `parts` under the root (an earlier download there is
   * replaced), with the folders on the way; its path and a stream that writes it.
   */
  async createFile(parts: string[]): Promise<{ path: string; stream: WriteStream }> {
    checkParts(parts);
    const root = await this.folder();
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      dir = join(dir, part);
      await ensureRealFolder(root, dir);
    }
    const path = join(dir, parts[parts.length - 1]);
    const existing = await lstatOrUndefined(path);
    if (existing?.isSymbolicLink()) throw linkRefusal(root, path);
    if (existing?.isDirectory()) throw new Error(`Cannot download to ${path}: a folder is there. Delete it and try again.`);
    if (existing) await unlink(path);
    const stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return { path, stream };
  }

  /** Removes what is at `parts` under the root (a folder with all it holds); never through a link. */
  async remove(parts: string[]): Promise<void> {
    checkParts(parts);
    const root = await this.folder();
    let path = root;
    for (const part of parts) {
      path = join(path, part);
      const stat = await lstatOrUndefined(path);
      if (!stat) return;
      if (stat.isSymbolicLink()) throw linkRefusal(root, path);
    }
    // rm removes links inside the tree without following them.
    await rm(path, { recursive: true, force: true });
  }

  /** Deletes the temp folder of this process, if one was made (the storage folder is kept). */
  async dispose(): Promise<void> {
    if (!this.temporary || !this.root) return;
    await rm(await this.root, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Names that come from the backend (artifact paths, model names) must each stay one level down. */
function checkParts(parts: string[]): void {
  if (parts.length === 0) throw new Error('Nothing to download: the path is empty.');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || /[/\\\0]/.test(part)) {
      throw new Error(`Cannot download "${parts.join('/')}": "${part}" is not a usable file or folder name.`);
    }
  }
}

async function ensureRealFolder(root: string, dir: string): Promise<void> {
  let stat = await lstatOrUndefined(dir);
  if (!stat) {
    try {
      await mkdir(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    stat = await lstat(dir);
  }
  if (stat.isSymbolicLink()) throw linkRefusal(root, dir);
  if (!stat.isDirectory()) throw new Error(`Cannot download into ${dir}: it is a file, not a folder. Delete it and try again.`);
}

async function lstatOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function linkRefusal(root: string, path: string): Error {
  return new Error(`Refusing to use ${path}: it is a symbolic link, and the download folder ${root} holds only what the extension downloaded. Delete the link and try again.`);
}
