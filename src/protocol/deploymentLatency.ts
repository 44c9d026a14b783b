import type { DeploymentState } from './deployments';

// Apart from the schemas (a type import only), so the editor's Deployments view
// can show latencies without loading zod at activation.

/**
 * The latency to show for a deployment: the last interval's when it had requests
 * (idleMs null), else the last known one and how long ago it was measured;
 * undefined when none was ever measured.
 */
export function deploymentLatency(d: Pick<DeploymentState, 'stats' | 'lastLatency'>, now = Date.now()): { p50Ms: number; p99Ms: number; idleMs: number | null } | undefined {
  const s = d.stats;
  if (s && s.p50Ms !== null && s.p99Ms !== null) return { p50Ms: s.p50Ms, p99Ms: s.p99Ms, idleMs: null };
  const last = d.lastLatency;
  return last ? { p50Ms: last.p50Ms, p99Ms: last.p99Ms, idleMs: Math.max(0, now - last.at) } : undefined;
}
