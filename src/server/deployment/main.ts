// Entry of dist/deployment.js: one deployment, forked by the backend with an IPC
// channel. Configured by the environment (MLOPS_WORKSPACE: the workspace folder
// whose store holds the models; MLOPS_DEPLOYMENT_TOKEN: the workspace token) and
// driven by IPC messages (src/protocol/deployments.ts).
import { resolve } from 'node:path';
import { TrackingStore } from '../../core/tracking/trackingStore';
import { ModelRegistry } from '../../core/registry/modelRegistry';
import { inspectOnnxModel } from '../../core/registry/onnxInspector';
import type { FromDeploymentProcess } from '../../protocol/deployments';
import { DeploymentProcess } from './deploymentProcess';

function main(): void {
  const log = (line: string) => process.stderr.write(`[mlops-deployment ${process.pid}] ${new Date().toISOString()} ${line}\n`);
  if (!process.send) {
    process.stderr.write('dist/deployment.js is started by the mlops backend (fork with an IPC channel); use `mlops serve` to serve a model.\n');
    process.exit(2);
  }
  const workspace = process.env.MLOPS_WORKSPACE;
  if (!workspace) {
    log('MLOPS_WORKSPACE is not set: it names the workspace whose models are served.');
    process.exit(2);
  }
  const tracking = TrackingStore.open(resolve(workspace));
  const registry = new ModelRegistry(tracking, { inspectModel: inspectOnnxModel });
  const send = (message: FromDeploymentProcess) => {
    // After the backend is gone there is nobody to tell; a message still queued
    // when the channel closes fails with EPIPE, which is the same news (the
    // 'disconnect' handler stops us), not a crash.
    if (process.connected) process.send!(message, undefined, {}, () => {});
  };
  const deployment = new DeploymentProcess({
    registry,
    tracking,
    workspace: resolve(workspace),
    token: process.env.MLOPS_DEPLOYMENT_TOKEN || undefined,
    send,
    log,
    exit: (code) => {
      tracking.close();
      // Let the last IPC message flush before the channel goes.
      if (process.connected) process.disconnect();
      process.exitCode = code;
      setTimeout(() => process.exit(code), 100).unref();
    },
  });
  process.on('message', (message) => deployment.receive(message));
  process.on('disconnect', () => deployment.disconnected());
  // The backend stops us by message; a signal (Ctrl-C in `mlops serve`'s terminal) means the same.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => deployment.disconnected());
}

main();
