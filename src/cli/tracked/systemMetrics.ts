import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { processTable, type ProcessEntry } from './processControl';

const run = promisify(execFile);

// Samples CPU and memory of a process tree (from the process table that
// processControl reads for this platform), and GPUs via nvidia-smi when
// present. Metric names follow MLflow's system metrics.

/** The root and every descendant of it (by parent pid or by its process group). */
export async function processTree(root: number): Promise<ProcessEntry[]> {
  const all = await processTable();
  const children = new Map<number, ProcessEntry[]>();
  for (const p of all) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const tree = new Map<number, ProcessEntry>();
  const stack = all.filter((p) => p.pid === root || p.pgrp === root);
  while (stack.length) {
    const p = stack.pop() as ProcessEntry;
    if (tree.has(p.pid)) continue;
    tree.set(p.pid, p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return [...tree.values()];
}

export class SystemMetricsSampler {
  private lastCpu = new Map<number, number>();
  private lastAt = Date.now();
  private hasGpu: boolean | undefined;

  constructor(private readonly root: number) {}

  async sample(): Promise<Record<string, number>> {
    const now = Date.now();
    const tree = await processTree(this.root);
    // The process has ended: a sample of nothing would read as "0 MB used".
    if (tree.length === 0) return {};
    let deltaCpu = 0;
    const cpu = new Map<number, number>();
    for (const p of tree) {
      cpu.set(p.pid, p.cpuSeconds);
      deltaCpu += p.cpuSeconds - (this.lastCpu.get(p.pid) ?? 0);
    }
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    this.lastCpu = cpu;
    this.lastAt = now;
    const metrics: Record<string, number> = {
      'system/cpu_utilization_percentage': round((deltaCpu / seconds) * 100),
      'system/process_memory_rss_megabytes': round(tree.reduce((s, p) => s + p.rssBytes, 0) / 1024 / 1024),
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
