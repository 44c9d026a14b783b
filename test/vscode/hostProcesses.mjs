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

/** Every process's parent and process group, from /proc (Linux only; elsewhere empty). */
function processTable() {
  const table = new Map();
  if (process.platform !== 'linux') return table;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After the command name in parentheses (which may hold spaces): state, ppid, pgrp.
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') table.set(pid, { ppid: Number(ppid), pgid: Number(pgid) });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/** `root` and its descendants still running, with their process groups; `spare(pid)` leaves a process and its own descendants out. */
export function processTree(root, spare = () => false) {
  const table = processTable();
  const children = new Map();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree = [];
  const pending = [root];
  while (pending.length) {
    const pid = pending.pop();
    if (!table.has(pid) || spare(pid)) continue;
    tree.push({ pid, pgid: table.get(pid).pgid });
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * Stops a VS Code server and everything under it. Its terminals' shells run in
 * sessions of their own (one per pty), so the server's process group does not
 * reach them or their jobs: each process of the tree, found before anything
 * stops (orphans are re-parented and lost from the tree), gets its own group
 * signalled. SIGHUP as well as SIGTERM: an interactive shell ignores SIGTERM,
 * and a hang-up is what a closed terminal sends. What still runs after
 * `graceMs` is killed.
 */
export async function stopProcessTree(root, { spare, graceMs = 5000 } = {}) {
  const tree = processTree(root, spare);
  const ours = new Set([process.pid, readOwnGroup()]);
  const signal = (sig) => {
    for (const { pid, pgid } of tree) {
      for (const target of ours.has(pgid) ? [pid] : [-pgid, pid]) {
        try {
          process.kill(target, sig);
        } catch {
          // gone already
        }
      }
    }
  };
  const running = () => {
    const table = processTable();
    return tree.filter(({ pid }) => table.has(pid));
  };
  signal('SIGTERM');
  signal('SIGHUP');
  const deadline = Date.now() + graceMs;
  while (running().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (running().length) signal('SIGKILL');
}

function readOwnGroup() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return process.pid;
  }
}
