import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The workspace a command works on: --workspace, else $MLOPS_WORKSPACE, else the
 * nearest folder above the current one that has a `.mlops/`, else the current
 * folder (where a new store is created).
 */
export function resolveWorkspace(flag?: string): string {
  if (flag) return resolve(flag);
  if (process.env.MLOPS_WORKSPACE) return resolve(process.env.MLOPS_WORKSPACE);
  let dir = process.cwd();
  for (;;) {
    if (existsSync(join(dir, '.mlops', 'mlops.db'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
