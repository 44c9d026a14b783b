// Whether a deployment's Retrain can start a run now, for the Monitoring panel to
// explain a disabled button. Mirrors what Managed.retrainNow and raise() do: a
// run by hand is refused only while another one goes; the cooldown holds back
// only the runs drift starts by itself.
import type { MonitoringSpec, RetrainAvailability } from '../../protocol/monitoring';

export interface RetrainFacts {
  deployment: string;
  spec: MonitoringSpec | null;
  running: boolean;
  lastRetrainAt: number | null;
  now?: number;
}

export function retrainAvailability(f: RetrainFacts): RetrainAvailability {
  const pipeline = f.spec?.onDrift ?? null;
  const cooldownEnds = f.spec && f.lastRetrainAt !== null ? f.lastRetrainAt + f.spec.cooldownMinutes * 60_000 : null;
  const cooldownUntil = pipeline && cooldownEnds !== null && cooldownEnds > (f.now ?? Date.now()) ? cooldownEnds : null;
  return {
    available: !f.running,
    reason: f.running ? `Retraining is running; its output goes to .mlops/deployments/${f.deployment}/retrain.log.` : null,
    pipeline,
    running: f.running,
    cooldownUntil,
  };
}
