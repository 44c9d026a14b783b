import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/**
 * A file named by a client (a pipeline, a reference data set), resolved in the
 * workspace. One outside it, also through a symlink, is refused with why: the
 * backend reads and runs workspace files only.
 */
export function workspaceFile(workspace: string, file: string): { ok: true; path: string } | { ok: false; why: 'outside' | 'links outside' } {
  const path = isAbsolute(file) ? resolve(file) : resolve(workspace, file);
  const outside = (p: string, root: string): boolean => {
    const rel = relative(root, p);
    return rel.startsWith('..') || isAbsolute(rel);
  };
  if (outside(path, workspace)) return { ok: false, why: 'outside' };
  if (existsSync(path) && outside(realpathSync(path), realpathSync(workspace))) return { ok: false, why: 'links outside' };
  return { ok: true, path };
}
