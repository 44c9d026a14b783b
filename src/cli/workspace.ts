import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TrackingStore } from '../core/tracking/trackingStore';
import { CliError } from './cliError';

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

/** Opens the store for commands that only read or tidy it: no store is an error, not an empty one. */
export function openExistingStore(workspace: string): TrackingStore {
  if (!existsSync(join(workspace, '.mlops', 'mlops.db'))) {
    throw new CliError(
      `No MLOps store in ${workspace}: nothing has been tracked here yet. ` +
        `Track a run with "mlops run -- python3 train.py" in this folder, or pass --workspace DIR.`,
    );
  }
  return TrackingStore.open(workspace);
}
