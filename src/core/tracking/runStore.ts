import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store';
import { StoreError } from '../store/storeErrors';
import type { ChangeLog } from './changeLog';
import { validateKey, validateParamValue, validateTagValue, MAX_RUN_NAME_LENGTH } from './limits';
import { generateRunName } from './runNames';
import type { DatasetInput, KeyValue, LifecycleStage, MetricPoint, Run, RunInfo, RunStatus } from './types';

export const RUN_NAME_TAG = 'mlflow.runName';
export const USER_TAG = 'mlflow.user';

interface RunRow {
  run_uuid: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: RunStatus;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: LifecycleStage;
  artifact_uri: string;
  heartbeat_at: number | null;
}

export interface CreateRunInput {
  experimentId: string;
  userId?: string;
  startTime?: number;
  tags?: KeyValue[];
  runName?: string;
  /** Something (mlops run, the Python client) promises to heartbeat this run. */
  heartbeat?: boolean;
}

export interface UpdateRunInput {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export class RunStore {
  constructor(
    private readonly store: Store,
    private readonly changes: ChangeLog,
  ) {}

  private get db() {
    return this.store.db;
  }

  create(input: CreateRunInput): Run {
    const tags = input.tags ?? [];
    for (const tag of tags) {
      validateKey('tag', tag.key);
      validateTagValue(tag.key, tag.value);
    }
    const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    if (input.runName && tagName && input.runName !== tagName) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`,
      );
    }
    const name = input.runName || tagName || generateRunName();
    if (name.length > MAX_RUN_NAME_LENGTH) {
      throw new StoreError('INVALID_PARAMETER_VALUE', `Run name had length ${name.length}, which exceeded length limit of ${MAX_RUN_NAME_LENGTH}.`);
    }
    const runId = randomUUID().replace(/-/g, '');
    const userId = input.userId ?? tags.find((t) => t.key === USER_TAG)?.value ?? '';
    return this.store.write(() => {
      const experiment = this.store.statement('SELECT experiment_id, lifecycle_stage FROM experiments WHERE experiment_id = ?')
        .get(/^\d+$/.test(input.experimentId) ? Number(input.experimentId) : -1) as { experiment_id: number; lifecycle_stage: string } | undefined;
      if (!experiment) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${input.experimentId} exists`);
      if (experiment.lifecycle_stage !== 'active') {
        throw new StoreError('INVALID_PARAMETER_VALUE', `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`);
      }
      const now = Date.now();
      this.store.statement(`INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, artifact_uri, heartbeat_at)
           VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, ?)`,
        )
        .run(runId, experiment.experiment_id, name, userId, input.startTime ?? now, `mlflow-artifacts:/${experiment.experiment_id}/${runId}/artifacts`, input.heartbeat ? now : null);
      const insertTag = this.store.statement('INSERT OR REPLACE INTO tags (run_uuid, key, value) VALUES (?, ?, ?)');
      for (const tag of tags) insertTag.run(runId, tag.key, tag.value);
      insertTag.run(runId, RUN_NAME_TAG, name);
      if (userId && !tags.some((t) => t.key === USER_TAG)) insertTag.run(runId, USER_TAG, userId);
      this.changes.record('run', experiment.experiment_id, runId);
      return this.get(runId);
    });
  }

  get(runId: string): Run {
    const [run] = this.getMany([runId]);
    if (!run) throw notFound(runId);
    return run;
  }

  exists(runId: string): boolean {
    return this.store.statement('SELECT 1 FROM runs WHERE run_uuid = ?').get(runId) !== undefined;
  }

  info(runId: string): RunInfo {
    const row = this.row(runId);
    if (!row) throw notFound(runId);
    return toInfo(row);
  }

  /** Full runs for the ids, in the order given; unknown ids are skipped. */
  getMany(runIds: string[]): Run[] {
    if (runIds.length === 0) return [];
    const out: Run[] = [];
    // SQLite limits bound parameters; chunk large pages.
    for (let i = 0; i < runIds.length; i += 500) out.push(...this.loadChunk(runIds.slice(i, i + 500)));
    return out;
  }

  private loadChunk(ids: string[]): Run[] {
    const marks = ids.map(() => '?').join(',');
    // One run (create, get, a run page's refresh) is the common case: its SQL is
    // always the same, so its statements are prepared once per connection.
    // Other sizes are prepared each time rather than kept, one set per size.
    const prepare = (sql: string) => (ids.length === 1 ? this.store.statement(sql) : this.db.prepare(sql));
    const rows = prepare(`SELECT * FROM runs WHERE run_uuid IN (${marks})`).all(...ids) as RunRow[];
    const runs = new Map<string, Run>();
    for (const row of rows) {
      runs.set(row.run_uuid, { info: toInfo(row), data: { metrics: [], params: [], tags: [] }, inputs: { datasetInputs: [] } });
    }
    for (const p of prepare(`SELECT run_uuid, key, value FROM params WHERE run_uuid IN (${marks}) ORDER BY key`).all(...ids) as (KeyValue & { run_uuid: string })[]) {
      runs.get(p.run_uuid)?.data.params.push({ key: p.key, value: p.value });
    }
    for (const t of prepare(`SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (${marks}) ORDER BY key`).all(...ids) as (KeyValue & { run_uuid: string })[]) {
      runs.get(t.run_uuid)?.data.tags.push({ key: t.key, value: t.value });
    }
    const metricRows = prepare(
      `SELECT run_uuid, key, latest_step, latest_ts, latest_value, latest_is_nan FROM metric_series
       WHERE run_uuid IN (${marks}) AND point_count > 0 ORDER BY key`,
    ).all(...ids) as { run_uuid: string; key: string; latest_step: number; latest_ts: number; latest_value: number | null; latest_is_nan: number }[];
    for (const m of metricRows) {
      const point: MetricPoint = { key: m.key, value: m.latest_is_nan ? NaN : (m.latest_value as number), timestamp: m.latest_ts, step: m.latest_step };
      runs.get(m.run_uuid)?.data.metrics.push(point);
    }
    const inputRows = prepare(`SELECT * FROM run_inputs WHERE run_uuid IN (${marks}) ORDER BY name`).all(...ids) as { run_uuid: string; name: string; digest: string; source_type: string; source: string; schema: string | null; profile: string | null; tags_json: string }[];
    for (const r of inputRows) {
      const input: DatasetInput = {
        dataset: { name: r.name, digest: r.digest, sourceType: r.source_type, source: r.source, schema: r.schema ?? undefined, profile: r.profile ?? undefined },
        tags: JSON.parse(r.tags_json) as KeyValue[],
      };
      runs.get(r.run_uuid)?.inputs.datasetInputs.push(input);
    }
    return ids.flatMap((id) => {
      const run = runs.get(id);
      return run ? [run] : [];
    });
  }

  update(runId: string, input: UpdateRunInput): RunInfo {
    if (input.runName !== undefined && input.runName.length > MAX_RUN_NAME_LENGTH) {
      throw new StoreError('INVALID_PARAMETER_VALUE', `Run name had length ${input.runName.length}, which exceeded length limit of ${MAX_RUN_NAME_LENGTH}.`);
    }
    return this.store.write(() => {
      const row = this.requireActive(runId);
      if (input.status !== undefined) {
        this.store.statement('UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?').run(input.status, input.endTime ?? (input.status === 'RUNNING' ? null : row.end_time ?? Date.now()), runId);
      } else if (input.endTime !== undefined) {
        this.store.statement('UPDATE runs SET end_time = ? WHERE run_uuid = ?').run(input.endTime, runId);
      }
      if (input.runName) this.setName(runId, input.runName);
      this.changes.record('run', row.experiment_id, runId);
      return this.info(runId);
    });
  }

  setLifecycle(runId: string, stage: LifecycleStage): void {
    this.store.write(() => {
      const row = this.row(runId);
      if (!row) throw notFound(runId);
      this.store.statement('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?').run(stage, stage === 'deleted' ? Date.now() : null, runId);
      this.changes.record('run', row.experiment_id, runId);
    });
  }

  /** Params are immutable: the same value again is fine, a different one is an error. */
  logParams(runId: string, params: KeyValue[]): void {
    for (const p of params) {
      validateKey('param', p.key);
      validateParamValue(p.key, p.value);
    }
    // Inside a caller's transaction (log-batch) this joins it; alone it is its own.
    this.store.write(() => {
      const row = this.requireActive(runId);
      const existing = this.store.statement('SELECT value FROM params WHERE run_uuid = ? AND key = ?').pluck();
      const insert = this.store.statement('INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)');
      const seen = new Map<string, string>();
      for (const p of params) {
        const prior = seen.get(p.key) ?? (existing.get(runId, p.key) as string | undefined);
        if (prior !== undefined) {
          if (prior !== p.value) {
            throw new StoreError(
              'INVALID_PARAMETER_VALUE',
              `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${prior}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
            );
          }
          continue;
        }
        insert.run(runId, p.key, p.value);
        seen.set(p.key, p.value);
      }
      if (params.length) this.changes.record('params', row.experiment_id, runId);
    });
  }

  /** Last write wins; `mlflow.runName` also renames the run. */
  setTags(runId: string, tags: KeyValue[]): void {
    for (const t of tags) {
      validateKey('tag', t.key);
      validateTagValue(t.key, t.value);
    }
    this.store.write(() => {
      const row = this.requireActive(runId);
      const upsert = this.store.statement('INSERT OR REPLACE INTO tags (run_uuid, key, value) VALUES (?, ?, ?)');
      for (const t of tags) {
        if (t.key === RUN_NAME_TAG) this.setName(runId, t.value);
        else upsert.run(runId, t.key, t.value);
      }
      if (tags.length) this.changes.record('tags', row.experiment_id, runId);
    });
  }

  deleteTag(runId: string, key: string): void {
    this.store.write(() => {
      const row = this.requireActive(runId);
      const result = this.store.statement('DELETE FROM tags WHERE run_uuid = ? AND key = ?').run(runId, key);
      if (result.changes === 0) {
        throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No tag with name: ${key} in run with id ${runId}`);
      }
      this.changes.record('tags', row.experiment_id, runId);
    });
  }

  logInputs(runId: string, inputs: DatasetInput[]): void {
    this.store.write(() => {
      const row = this.requireActive(runId);
      const insert = this.store.statement(`INSERT INTO run_inputs (run_uuid, name, digest, source_type, source, schema, profile, tags_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_uuid, name, digest) DO UPDATE SET tags_json = excluded.tags_json`,
      );
      for (const { dataset, tags } of inputs) {
        insert.run(runId, dataset.name, dataset.digest, dataset.sourceType, dataset.source, dataset.schema ?? null, dataset.profile ?? null, JSON.stringify(tags));
      }
      this.changes.record('inputs', row.experiment_id, runId);
    });
  }

  /** Records that the process behind a run is alive; starts heartbeat tracking. */
  heartbeat(runId: string): void {
    const result = this.store.statement(`UPDATE runs SET heartbeat_at = ? WHERE run_uuid = ? AND status = 'RUNNING'`).run(Date.now(), runId);
    if (result.changes === 0 && !this.exists(runId)) throw notFound(runId);
  }

  /**
   * Marks RUNNING runs whose heartbeat is older than `timeoutMs` as FAILED, with a
   * tag that says why, so a SIGKILLed or OOM-killed process does not leave its run
   * RUNNING forever. Returns the runs it failed.
   */
  failStaleRuns(timeoutMs: number, now = Date.now()): string[] {
    return this.store.write(() => {
      const stale = this.store.statement(`SELECT run_uuid, experiment_id, heartbeat_at FROM runs WHERE status = 'RUNNING' AND heartbeat_at IS NOT NULL AND heartbeat_at < ?`)
        .all(now - timeoutMs) as { run_uuid: string; experiment_id: number; heartbeat_at: number }[];
      const fail = this.store.statement(`UPDATE runs SET status = 'FAILED', end_time = ? WHERE run_uuid = ?`);
      const tag = this.store.statement('INSERT OR REPLACE INTO tags (run_uuid, key, value) VALUES (?, ?, ?)');
      for (const run of stale) {
        fail.run(run.heartbeat_at, run.run_uuid);
        tag.run(
          run.run_uuid,
          'mlops.failureReason',
          `No heartbeat since ${new Date(run.heartbeat_at).toISOString()} (timeout ${Math.round(timeoutMs / 1000)} s): ` +
            `the process that ran it stopped without ending the run (killed, out of memory, or the machine slept).`,
        );
        this.changes.record('run', run.experiment_id, run.run_uuid);
      }
      return stale.map((r) => r.run_uuid);
    });
  }

  /** The run's row if it exists and is active; otherwise an MLflow-style error. */
  requireActive(runId: string): RunRow {
    const row = this.row(runId);
    if (!row) throw notFound(runId);
    if (row.lifecycle_stage !== 'active') {
      throw new StoreError('INVALID_PARAMETER_VALUE', `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
    }
    return row;
  }

  private setName(runId: string, name: string): void {
    this.store.statement('UPDATE runs SET name = ? WHERE run_uuid = ?').run(name, runId);
    this.store.statement('INSERT OR REPLACE INTO tags (run_uuid, key, value) VALUES (?, ?, ?)').run(runId, RUN_NAME_TAG, name);
  }

  private row(runId: string): RunRow | undefined {
    return this.store.statement('SELECT * FROM runs WHERE run_uuid = ?').get(runId) as RunRow | undefined;
  }
}

function notFound(runId: string): StoreError {
  return new StoreError('RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`);
}

function toInfo(row: RunRow): RunInfo {
  return {
    runId: row.run_uuid,
    runName: row.name,
    experimentId: String(row.experiment_id),
    userId: row.user_id,
    status: row.status,
    startTime: row.start_time,
    endTime: row.end_time,
    artifactUri: row.artifact_uri,
    lifecycleStage: row.lifecycle_stage,
  };
}
