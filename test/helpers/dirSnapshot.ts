import { lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

// What a folder tree holds (path -> kind, size, mtime), to show that a process
// wrote nothing where it should not: snapshot before, snapshot after, diff.

export type DirSnapshot = Map<string, string>;

export function snapshotDir(root: string, skip: readonly string[] = []): DirSnapshot {
  const out: DirSnapshot = new Map();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (skip.includes(path)) continue;
      const stat = lstatSync(path);
      const kind = entry.isDirectory() ? 'dir' : entry.isSymbolicLink() ? 'link' : 'file';
      out.set(relative(root, path), kind === 'dir' ? 'dir' : `${kind} ${stat.size} ${stat.mtimeMs}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

/** Lines "+ path", "- path", "~ path" for what was added, removed or changed. */
export function diffSnapshots(before: DirSnapshot, after: DirSnapshot): string[] {
  const changes: string[] = [];
  for (const [path, state] of after) {
    if (!before.has(path)) changes.push(`+ ${path}`);
    else if (before.get(path) !== state && state !== 'dir') changes.push(`~ ${path}`);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push(`- ${path}`);
  return changes.sort();
}
