import { readFileSync, realpathSync } from 'node:fs';

// SQLite's WAL needs shared memory that network file systems do not provide
// reliably; concurrent writers there can corrupt the database.
const NETWORK_FILE_SYSTEMS = new Set([
  'nfs', 'nfs4', 'cifs', 'smb', 'smb2', 'smbfs', 'smb3', 'afs', 'ncpfs', '9p', 'fuse.sshfs',
  'sshfs', 'glusterfs', 'fuse.glusterfs', 'ceph', 'fuse.ceph', 'lustre', 'gpfs', 'davfs', 'fuse.rclone',
  'fuse.s3fs', 'fuse.gcsfuse', 'fuse.mountpoint-s3', 'virtiofs', 'vboxsf', 'prl_fs', 'drvfs',
]);

function readMounts(): string | undefined {
  try {
    return readFileSync('/proc/mounts', 'utf8');
  } catch {
    return undefined; // not Linux: no check
  }
}

/** The mount that holds `path` and its type, from /proc/mounts (Linux only). */
export function mountOf(path: string, mounts = readMounts()): { mountPoint: string; type: string } | undefined {
  if (!mounts) return undefined;
  const real = realpathSync(path);
  let best: { mountPoint: string; type: string } | undefined;
  for (const line of mounts.split('\n')) {
    const [, rawMountPoint, type] = line.split(' ');
    if (!rawMountPoint || !type) continue;
    const mountPoint = rawMountPoint.replace(/\\040/g, ' ');
    const inside = real === mountPoint || real.startsWith(mountPoint.endsWith('/') ? mountPoint : mountPoint + '/');
    if (inside && (!best || mountPoint.length >= best.mountPoint.length)) best = { mountPoint, type };
  }
  return best;
}

/** A warning to show when the store sits on a file system where WAL is unsafe. */
export function walSafetyWarning(path: string, mounts = readMounts()): string | undefined {
  const mount = mountOf(path, mounts);
  if (!mount || !NETWORK_FILE_SYSTEMS.has(mount.type)) return undefined;
  return (
    `The MLOps store ${path} is on a ${mount.type} network mount (${mount.mountPoint}). ` +
    `SQLite's write-ahead log is not safe there when several processes write; ` +
    `keep the workspace on a local disk.`
  );
}
