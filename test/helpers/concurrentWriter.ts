import { TrackingStore } from '../../src/core/tracking/trackingStore';

// A separate process that writes the store as fast as it can: many small
// transactions, to collide with other writers.
const [workspace, tag, count] = process.argv.slice(2);
const tracking = TrackingStore.open(workspace);
for (let i = 0; i < Number(count); i++) {
  const run = tracking.runs.create({ experimentId: '0', runName: `${tag}-${i}` });
  const metrics = Array.from({ length: 50 }, (_, s) => ({ key: 'loss', value: Math.random(), timestamp: Date.now(), step: s }));
  tracking.logBatch(run.info.runId, { metrics, params: [{ key: 'tag', value: tag }], tags: [] });
  tracking.runs.update(run.info.runId, { status: 'FINISHED' });
}
tracking.close();
