import type { RunsTableRow } from '../../protocol/native';

const PARENT_TAG = 'mlflow.parentRunId';
const PIPELINE_TAG = 'mlops.pipeline';

/**
 * A run's children as the Experiments view lists them under it: a pipeline run's
 * steps in the order they ran (prepare before register), other children (a sweep's
 * trials) newest first, as the runs they are among.
 */
export function childRunsOf(parent: RunsTableRow, runs: readonly RunsTableRow[]): RunsTableRow[] {
  const children = runs.filter((r) => r.tags[PARENT_TAG] === parent.runId);
  if (parent.tags[PIPELINE_TAG]) children.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0));
  return children;
}
