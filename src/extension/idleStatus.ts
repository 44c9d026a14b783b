/**
 * What the status bar item says while no folder has a backend: no folder open,
 * or folders that stay closed to the backend because the workspace is in
 * Restricted Mode (not trusted), which only trusting it changes.
 */
export function idleStatus(folderCount: number, trusted: boolean): { tooltip: string; command?: string } {
  if (folderCount === 0) return { tooltip: 'MLOps Workbench: open a folder to track runs.' };
  if (!trusted) {
    return {
      tooltip:
        'MLOps Workbench: this workspace is in Restricted Mode, so the backend does not start and no run is tracked ' +
        '(both would run code from it). Click to trust the folder (Manage Workspace Trust), or use "Trust" in the Restricted Mode banner.',
      command: 'workbench.trust.manage',
    };
  }
  return { tooltip: 'MLOps Workbench: starting the backend for this workspace…' };
}
