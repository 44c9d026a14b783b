import { execFile } from 'node:child_process';

/**
 * A warning when git tracks files under `.mlops/` in the workspace: the store
 * (and a token, if one was ever committed) is then in the repository's history
 * for everyone who clones it. Nothing when git is missing or the folder is not a
 * repository: the check must never stop a server from starting.
 */
export function gitTrackedStoreWarning(workspace: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['ls-files', '-z', '--', '.mlops'], { cwd: workspace, timeout: 5000, windowsHide: true, maxBuffer: 1 << 20 }, (err, stdout) => {
      const tracked = err ? [] : String(stdout).split('\0').filter(Boolean);
      if (tracked.length === 0) return resolve(undefined);
      resolve(
        `git tracks ${tracked.length} file(s) under .mlops/ (e.g. ${tracked[0]}): the store is local state, and a committed token is known to everyone who clones the repository. ` +
          'Stop tracking it with "git rm -r --cached .mlops" (the folder stays on disk; its .gitignore keeps it out from then on).',
      );
    });
  });
}
