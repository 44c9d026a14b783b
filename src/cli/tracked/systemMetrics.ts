import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Samples CPU and memory of a process tree from /proc (Linux), and GPUs via
// nvidia-smi when present. Metric names follow MLflow's system metrics.

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_SIZE = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  cpuTicks: number;
  rssPages: number;
}

function readProc(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has exited already and holds no memory: it would read as 0 MB.
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return {
      pid,
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      rssPages: Number(fields[21]),
    };
  } catch {
    return undefined;
  }
}

/** The root and every descendant of it (by parent pid or by its process group). */
export function processTree(root: number): ProcStat[] {
  let all: ProcStat[];
  try {
    all = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => readProc(Number(d)) ?? []);
  } catch {
    return [];
  }
  const children = new Map<number, ProcStat[]>();
  for (const p of all) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const tree = new Map<number, ProcStat>();
  const stack = all.filter((p) => p.pid === root || p.pgrp === root);
  while (stack.length) {
    const p = stack.pop() as ProcStat;
    if (tree.has(p.pid)) continue;
    tree.set(p.pid, p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return [...tree.values()];
}

export class SystemMetricsSampler {
  private lastTicks = new Map<number, number>();
  private lastAt = Date.now();
  private hasGpu: boolean | undefined;

  constructor(private readonly root: number) {}

  async sample(): Promise<Record<string, number>> {
    const now = Date.now();
    const tree = processTree(this.root);
    // The process has ended: a sample of nothing would read as "0 MB used".
    if (tree.length === 0) return {};
    let deltaTicks = 0;
    const ticks = new Map<number, number>();
    for (const p of tree) {
      ticks.set(p.pid, p.cpuTicks);
      deltaTicks += p.cpuTicks - (this.lastTicks.get(p.pid) ?? 0);
    }
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    this.lastTicks = ticks;
    this.lastAt = now;
    const metrics: Record<string, number> = {
      'system/cpu_utilization_percentage': round((deltaTicks / CLOCK_TICKS / seconds) * 100),
      'system/process_memory_rss_megabytes': round((tree.reduce((s, p) => s + p.rssPages, 0) * PAGE_SIZE) / 1024 / 1024),
      'system/process_count': tree.length,
    };
    Object.assign(metrics, await this.gpuMetrics());
    return metrics;
  }

  private async gpuMetrics(): Promise<Record<string, number>> {
    if (this.hasGpu === false) return {};
    try {
      const { stdout } = await run('nvidia-smi', ['--query-gpu=index,utilization.gpu,memory.used', '--format=csv,noheader,nounits'], { timeout: 5000 });
      this.hasGpu = true;
      const out: Record<string, number> = {};
      for (const line of stdout.trim().split('\n')) {
        const [index, util, memory] = line.split(',').map((s) => Number(s.trim()));
        if (Number.isFinite(index)) {
          out[`system/gpu_${index}_utilization_percentage`] = util;
          out[`system/gpu_${index}_memory_usage_megabytes`] = memory;
        }
      }
      return out;
    } catch {
      this.hasGpu = false; // no nvidia-smi: stop asking
      return {};
    }
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
