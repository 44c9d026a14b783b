// What the VS Code host runners share (runHost.mjs for the development path,
// runInstalled.mjs for the VSIX): browser flags, machine settings, ports, processes.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

// Chromium on a machine without internet: background fetches would be refused by the dozen.
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The workbench without first-run and update noise, which would cover what the checks look at.
export const MACHINE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
};

/** A port on loopback that was free a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** Kills the processes whose command line names `dir`: a run's temporary folder, so they were started for that run. */
export function killProcessesMentioning(dir) {
  if (!dir || process.platform !== 'linux') return;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile, or not readable
    }
  }
}
