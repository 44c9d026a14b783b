import type { Store } from '../store/store';
import { openStore } from '../store/store';
import { ArtifactStore } from '../store/artifactStore';
import { StoreError } from '../store/storeErrors';
import { ChangeLog } from './changeLog';
import { ExperimentStore } from './experimentStore';
import { RunStore } from './runStore';
import { MetricStore } from './metricStore';
import type { KeyValue, MetricPoint, Run, Experiment, ViewType } from './types';
import { compileRunSearch } from './runSearchSql';
import { compileExperimentSearch } from './experimentSearchSql';

export interface LogBatchInput {
  metrics: MetricPoint[];
  params: KeyValue[];
  tags: KeyValue[];
}

export interface RunSearchInput {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  viewType: ViewType;
  maxResults: number;
  offset: number;
}

export interface ExperimentSearchInput {
  filter?: string;
  orderBy?: string[];
  viewType: ViewType;
  maxResults: number;
  offset: number;
}

/** The tracking domain over one store: what the server, the CLI and pipelines share. */
export class TrackingStore {
  readonly changes: ChangeLog;
  readonly experiments: ExperimentStore;
  readonly runs: RunStore;
  readonly metrics: MetricStore;
  readonly artifacts: ArtifactStore;

  constructor(readonly store: Store) {
    this.changes = new ChangeLog(store.db);
    this.experiments = new ExperimentStore(store, this.changes);
    this.runs = new RunStore(store, this.changes);
    this.metrics = new MetricStore(store, this.changes);
    this.artifacts = new ArtifactStore(store, (experimentId, runId) => this.changes.record('artifacts', experimentId, runId));
  }

  static open(workspace: string): TrackingStore {
    return new TrackingStore(openStore(workspace));
  }

  close(): void {
    this.store.close();
  }

  /** Metrics, params and tags of one run, all written or none (MLflow's log-batch). */
  logBatch(runId: string, batch: LogBatchInput): void {
    this.metrics.validate(batch.metrics);
    this.store.write(() => {
      const run = this.runs.requireActive(runId);
      if (batch.params.length) this.runs.logParams(runId, batch.params);
      this.metrics.insert(runId, run.experiment_id, batch.metrics);
      if (batch.tags.length) this.runs.setTags(runId, batch.tags);
    });
  }

  logMetric(runId: string, point: MetricPoint): void {
    this.logBatch(runId, { metrics: [point], params: [], tags: [] });
  }

  searchRuns(input: RunSearchInput): { runs: Run[]; nextOffset?: number } {
    const experimentIds = input.experimentIds.map((id) => {
      if (!/^\d+$/.test(id)) throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid experiment id '${id}'.`);
      return Number(id);
    });
    // Ask for one extra row to know whether another page exists.
    const { sql, params } = compileRunSearch({ ...input, experimentIds, maxResults: input.maxResults + 1 });
    const ids = this.store.db.prepare(sql).pluck().all(...params) as string[];
    const more = ids.length > input.maxResults;
    const runs = this.runs.getMany(more ? ids.slice(0, input.maxResults) : ids);
    return { runs, nextOffset: more ? input.offset + input.maxResults : undefined };
  }

  /** Counts for a status line: active experiments, runs, and runs in progress. */
  summary(): { experiments: number; runs: number; running: number } {
    const count = (sql: string) => this.store.statement(sql).pluck().get() as number;
    return {
      experiments: count(`SELECT COUNT(*) FROM experiments WHERE lifecycle_stage = 'active'`),
      runs: count(`SELECT COUNT(*) FROM runs WHERE lifecycle_stage = 'active'`),
      running: count(`SELECT COUNT(*) FROM runs WHERE lifecycle_stage = 'active' AND status = 'RUNNING'`),
    };
  }

  searchExperiments(input: ExperimentSearchInput): { experiments: Experiment[]; nextOffset?: number } {
    const { sql, params } = compileExperimentSearch({ ...input, maxResults: input.maxResults + 1 });
    const ids = this.store.db.prepare(sql).pluck().all(...params) as number[];
    const more = ids.length > input.maxResults;
    const experiments = this.experiments.list(more ? ids.slice(0, input.maxResults) : ids);
    return { experiments, nextOffset: more ? input.offset + input.maxResults : undefined };
  }
}
