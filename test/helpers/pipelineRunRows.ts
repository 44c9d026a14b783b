// Runs table rows as a project's pipeline runs and a sweep write them: the
// tags are those the pipeline runner (core/pipeline/runPipeline.ts) and the
// Python client's nested runs set, the params and metrics what each step logs.
import type { RunsTableRow } from '../../src/protocol/native';

const T0 = 1_760_000_000_000;

function row(runId: string, runName: string, startTime: number, data: Partial<Pick<RunsTableRow, 'params' | 'metrics' | 'tags'>> = {}): RunsTableRow {
  return {
    runId,
    runName,
    experimentId: '1',
    status: 'FINISHED',
    lifecycleStage: 'active',
    startTime,
    endTime: startTime + 1000,
    userId: 'ana',
    params: data.params ?? {},
    metrics: data.metrics ?? {},
    tags: data.tags ?? {},
  };
}

/**
 * `lrs.length` runs of pipeline "churn" (prepare -> train -> evaluate), the
 * n-th with `--set lr=lrs[n]`. The steps log different params and metrics.
 */
export function churnPipelineRuns(lrs: string[], start = T0): RunsTableRow[] {
  const rows: RunsTableRow[] = [];
  lrs.forEach((lr, n) => {
    const t = start + n * 60_000;
    const parentId = `churn${n}`;
    const pipelineTags = { 'mlops.pipeline': 'churn', 'mlops.pipeline.file': 'churn.pipeline.yaml', 'mlflow.source.name': 'churn.pipeline.yaml' };
    rows.push(row(parentId, 'churn', t, { params: { lr, epochs: '10', rows: '5000' }, tags: pipelineTags }));
    const step = (name: string, i: number, params: Record<string, string>, metrics: Record<string, number>) =>
      rows.push(
        row(`${parentId}-${name}`, name, t + (i + 1) * 1000, {
          params,
          metrics,
          tags: { 'mlflow.parentRunId': parentId, 'mlops.pipeline': 'churn', 'mlops.pipeline.step': name, 'mlflow.source.name': `python3 ${name}.py` },
        }),
      );
    step('prepare', 0, { rows: '5000' }, { n_rows: 5000 });
    step('train', 1, { lr, epochs: '10' }, { train_loss: 0.5 - Number(lr) / 2 + n / 100 });
    step('evaluate', 2, {}, { auc: 0.8 + Number(lr) / 10 + n / 1000 });
  });
  return rows;
}

/** A sweep: one parent run and a trial per learning rate; only the second trial sets dropout. */
export function sweepRuns(lrs: string[], start = T0 + 3_600_000): RunsTableRow[] {
  const tags = { 'mlflow.source.name': 'sweep.py' };
  const rows = [row('sweep', 'sweep', start, { params: { trials: String(lrs.length) }, tags })];
  lrs.forEach((lr, i) =>
    rows.push(
      row(`trial${i}`, 'trial', start + (i + 1) * 1000, {
        params: { lr, seed: '7', ...(i === 1 ? { dropout: '0.2' } : {}) },
        metrics: { val_loss: 1 - Number(lr) },
        tags: { ...tags, 'mlflow.parentRunId': 'sweep' },
      }),
    ),
  );
  return rows;
}

/** Plain runs of one script; the first logged a param no other run has. */
export function plainRuns(count: number, start = T0 + 7_200_000): RunsTableRow[] {
  return Array.from({ length: count }, (_, i) =>
    row(`plain${i}`, `baseline-${i}`, start + i * 1000, {
      params: { model: 'logreg', ...(i === 0 ? { note: 'first try' } : {}) },
      metrics: { auc: 0.7 + i / 100 },
      tags: { 'mlflow.source.name': 'baseline.py' },
    }),
  );
}
