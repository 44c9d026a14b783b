// Starts a deployment's monitoring for the models it now serves, or says why it is
// off: no monitoring in the spec, no reference found, or requests whose features
// cannot be named. Whatever happens here, serving goes on.
import { join } from 'node:path';
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import { featureLayout } from '../../core/serving/featureRows';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { LiveDriftSnapshot } from '../../core/monitoring';
import type { DeploymentSpec, FromDeploymentProcess } from '../../protocol/deployments';
import { DeploymentMonitor } from './deploymentMonitor';
import { locateReference } from './monitorReference';
import type { LoadedVariant } from './variantLoader';

export interface MonitorStartOptions {
  spec: DeploymentSpec;
  variants: LoadedVariant[];
  registry: ModelRegistry;
  tracking: TrackingStore;
  workspace: string;
  send(message: FromDeploymentProcess): void;
  log(line: string): void;
  onSnapshot(snapshot: LiveDriftSnapshot): void;
}

/** Where a deployment's requests are recorded. */
export function recordDirOf(workspace: string, deployment: string): string {
  return join(workspace, '.mlops', 'deployments', deployment, 'requests');
}

export function startMonitor(o: MonitorStartOptions): DeploymentMonitor | undefined {
  const off = (message: string) => {
    o.send({ type: 'monitoring', status: 'off', message, windowRows: 0, recordedRows: 0 });
    return undefined;
  };
  const monitoring = o.spec.monitoring;
  if (!monitoring) return off('Monitoring is off for this deployment (started with --no-monitoring).');
  const champion = o.variants.find((v) => v.name === 'champion')!;
  const layout = featureLayout(champion.served.session.signature, champion.served.features);
  // The status already says off; the message says why.
  if (!layout.ok) return off(`${layout.error.charAt(0).toUpperCase()}${layout.error.slice(1)}.`);
  let reference;
  try {
    reference = locateReference({ registry: o.registry, tracking: o.tracking, workspace: o.workspace, reference: monitoring.reference, model: champion.model, version: champion.version });
  } catch (err) {
    reference = { ok: false as const, message: `No reference data set: ${(err as Error).message}` };
  }
  if (!reference.ok) return off(reference.message);
  o.send({ type: 'monitoring', status: 'loading', message: `Loading the reference ${reference.source}`, windowRows: 0, recordedRows: 0 });
  return new DeploymentMonitor({
    spec: monitoring,
    layout: layout.layout,
    referenceFile: reference.file,
    referenceSource: reference.source,
    recordDir: recordDirOf(o.workspace, o.spec.name),
    champion,
    shadow: o.spec.shadow,
    events: {
      status: (status, message, windowRows, recordedRows) => o.send({ type: 'monitoring', status, message, windowRows, recordedRows }),
      reference: (info) => {
        o.log(`monitoring: reference ${info.source}, ${info.rows} rows, ${info.features.length} features, loaded in ${info.loadMs} ms`);
        o.send({ type: 'reference', info });
      },
      snapshot: (snapshot, recordedRows) => {
        o.onSnapshot(snapshot);
        o.send({ type: 'drift', snapshot, recordedRows });
      },
      log: o.log,
    },
  });
}
