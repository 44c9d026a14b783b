import { execFile, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

// Everything `mlops run` does that depends on the operating system's process
// model lives here: process groups and signals (POSIX), and reading the
// process table for system metrics (/proc on Linux, `ps` on other POSIX
// systems). Windows gets the closest thing that exists (taskkill /T for a
// tree) or nothing (no metrics); it is untested (see README).

const run = promisify(execFile);
const isWindows = process.platform === 'win32';

/** Signals `mlops run` forwards to the command and treats as "stopped by the user". */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Spawn options that put the command in its own process group (POSIX), so a
 * stop reaches the whole tree (data-loader workers, shells), not only the
 * first process. On Windows `detached` would open a new console instead.
 */
export const OWN_PROCESS_GROUP: SpawnOptions = isWindows ? {} : { detached: true };

/**
 * How a pipeline step's command line runs: through the platform's shell, so
 * pipes, redirections and `&&` work as written in the pipeline file.
 */
export function shellInvocation(command: string): { file: string; args: string[] } {
  return isWindows ? { file: process.env.ComSpec ?? 'cmd.exe', args: ['/d', '/s', '/c', command] } : { file: '/bin/sh', args: ['-c', command] };
}

/** Sends `signal` to the child's whole process tree; false when it has gone already. */
export function signalProcessTree(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (!child.pid) return false;
  try {
    if (isWindows) {
      // No process groups or signals: end the tree.
      return spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' }).status === 0;
    }
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** One process as the system metrics need it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  /** CPU time used so far, in seconds. */
  cpuSeconds: number;
  rssBytes: number;
}

const LINUX_CLOCK_TICKS = 100; // USER_HZ
const LINUX_PAGE_SIZE = 4096;

/** Every process the system shows us; empty where that is not supported. */
export async function processTable(): Promise<ProcessEntry[]> {
  if (process.platform === 'linux') return linuxProcessTable();
  if (isWindows) return [];
  return psProcessTable();
}

function linuxProcessTable(): ProcessEntry[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  return pids.flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may contain spaces and parentheses; fields follow the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie has exited already and holds no memory: it would read as 0 MB.
      if (fields[0] === 'Z' || fields[0] === 'X') return [];
      return [
        {
          pid: Number(pid),
          ppid: Number(fields[1]),
          pgrp: Number(fields[2]),
          cpuSeconds: (Number(fields[11]) + Number(fields[12])) / LINUX_CLOCK_TICKS,
          rssBytes: Number(fields[21]) * LINUX_PAGE_SIZE,
        },
      ];
    } catch {
      return []; // exited meanwhile
    }
  });
}

/** macOS and BSDs: `ps` prints cumulative CPU time as [[dd-]hh:]mm:ss[.cc] and RSS in KiB. */
async function psProcessTable(): Promise<ProcessEntry[]> {
  try {
    const { stdout } = await run('ps', ['-A', '-o', 'pid=,ppid=,pgid=,rss=,time=', '-o', 'stat='], { timeout: 5000, maxBuffer: 8 * 1024 * 1024 });
    return stdout.split('\n').flatMap((line) => {
      const [pid, ppid, pgrp, rss, time, stat] = line.trim().split(/\s+/);
      if (!pid || !time || stat?.startsWith('Z')) return [];
      return [{ pid: Number(pid), ppid: Number(ppid), pgrp: Number(pgrp), cpuSeconds: psSeconds(time), rssBytes: Number(rss) * 1024 }];
    });
  } catch {
    return [];
  }
}

export function psSeconds(time: string): number {
  const [days, clock] = time.includes('-') ? time.split('-') : ['0', time];
  return clock.split(':').reduce((total, part) => total * 60 + Number(part), 0) + Number(days) * 86400;
}
