import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitInfo {
  commit: string;
  branch: string;
  dirty: boolean;
  repoUrl?: string;
  /** `git diff HEAD` of a dirty tree, plus the names of untracked files. */
  diff?: string;
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 15_000 });
  return stdout;
}

/** The code version of `cwd`, or undefined outside a git work tree (or without git). */
export async function readGitInfo(cwd: string): Promise<GitInfo | undefined> {
  let commit: string;
  try {
    commit = (await git(cwd, ['rev-parse', 'HEAD'])).trim();
  } catch {
    return undefined;
  }
  const [branch, status, remote] = await Promise.all([
    git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']).then((s) => s.trim(), () => ''),
    git(cwd, ['status', '--porcelain']).catch(() => ''),
    git(cwd, ['config', '--get', 'remote.origin.url']).then((s) => s.trim(), () => ''),
  ]);
  const dirty = status.trim().length > 0;
  let diff: string | undefined;
  if (dirty) {
    const tracked = await git(cwd, ['diff', 'HEAD', '--binary']).catch(() => '');
    const untracked = status
      .split('\n')
      .filter((l) => l.startsWith('?? '))
      .map((l) => `# untracked: ${l.slice(3)}`);
    diff = [tracked, ...untracked].filter(Boolean).join('\n') + '\n';
  }
  return { commit, branch, dirty, repoUrl: remote || undefined, diff };
}
