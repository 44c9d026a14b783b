import type { Store } from '../store/store';
import { StoreError } from '../store/storeErrors';
import type { ChangeLog } from './changeLog';
import { validateExperimentName, MAX_EXPERIMENT_TAG_VAL_LENGTH, validateKey } from './limits';
import type { Experiment, KeyValue, LifecycleStage } from './types';

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
}

export class ExperimentStore {
  constructor(
    private readonly store: Store,
    private readonly changes: ChangeLog,
  ) {}

  private get db() {
    return this.store.db;
  }

  create(name: string, tags: KeyValue[] = [], artifactLocation?: string): string {
    validateExperimentName(name);
    for (const tag of tags) this.validateTag(tag);
    return this.store.write(() => {
      // Names stay unique including deleted experiments, as in MLflow.
      const existing = this.store.statement('SELECT lifecycle_stage FROM experiments WHERE name = ?').get(name) as
        | { lifecycle_stage: string }
        | undefined;
      if (existing) {
        const deleted = existing.lifecycle_stage === 'deleted' ? ' (it is deleted; restore it or choose another name)' : '';
        throw new StoreError('RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists${deleted}.`);
      }
      const now = Date.now();
      const id = Number(
        this.store.statement(`INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time)
             VALUES ((SELECT MAX(experiment_id) + 1 FROM experiments), ?, '', ?, ?) RETURNING experiment_id`,
          )
          .pluck()
          .get(name, now, now),
      );
      this.store.statement('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?')
        .run(artifactLocation || `mlflow-artifacts:/${id}`, id);
      const insertTag = this.store.statement('INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)');
      for (const tag of tags) insertTag.run(id, tag.key, tag.value);
      this.changes.record('experiment', id, null);
      return String(id);
    });
  }

  /** The experiment, or a RESOURCE_DOES_NOT_EXIST error naming the id. */
  get(experimentId: string): Experiment {
    const row = this.row(experimentId);
    if (!row) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${experimentId} exists`);
    return this.toExperiment(row);
  }

  find(experimentId: string): Experiment | undefined {
    const row = this.row(experimentId);
    return row && this.toExperiment(row);
  }

  getByName(name: string): Experiment {
    const row = this.store.statement('SELECT * FROM experiments WHERE name = ?').get(name) as ExperimentRow | undefined;
    if (!row) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
    return this.toExperiment(row);
  }

  /** Returns the id of the experiment with this name, creating it when missing. */
  ensure(name: string): string {
    const row = this.store.statement('SELECT experiment_id, lifecycle_stage FROM experiments WHERE name = ?').get(name) as
      | { experiment_id: number; lifecycle_stage: string }
      | undefined;
    if (row) {
      if (row.lifecycle_stage === 'deleted') {
        throw new StoreError(
          'INVALID_STATE',
          `Experiment '${name}' is deleted. Restore it (mlops experiments restore, or the MLflow API) or use another name.`,
        );
      }
      return String(row.experiment_id);
    }
    try {
      return this.create(name);
    } catch (err) {
      // Another process created it between our read and our write.
      if (err instanceof StoreError && err.code === 'RESOURCE_ALREADY_EXISTS') return this.getByName(name).experimentId;
      throw err;
    }
  }

  list(ids: number[]): Experiment[] {
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM experiments WHERE experiment_id IN (${ids.map(() => '?').join(',')})`)
      .all(...ids) as ExperimentRow[];
    const byId = new Map(rows.map((r) => [r.experiment_id, r]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [this.toExperiment(row)] : [];
    });
  }

  rename(experimentId: string, newName: string): void {
    validateExperimentName(newName);
    this.store.write(() => {
      const row = this.requireRow(experimentId);
      if (row.lifecycle_stage !== 'active') {
        throw new StoreError('INVALID_PARAMETER_VALUE', `Cannot rename a non-active experiment (id=${experimentId}). Restore it first.`);
      }
      const clash = this.store.statement('SELECT experiment_id FROM experiments WHERE name = ? AND experiment_id != ?').get(newName, row.experiment_id);
      if (clash) throw new StoreError('RESOURCE_ALREADY_EXISTS', `Experiment '${newName}' already exists.`);
      this.store.statement('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?').run(newName, Date.now(), row.experiment_id);
      this.changes.record('experiment', row.experiment_id, null);
    });
  }

  /** Deletes (softly) the experiment and its runs, as MLflow's SQL store does. */
  setLifecycle(experimentId: string, stage: LifecycleStage): void {
    this.store.write(() => {
      const row = this.requireRow(experimentId);
      if (stage === 'deleted' && row.experiment_id === 0) {
        throw new StoreError('INVALID_PARAMETER_VALUE', 'Cannot delete the default experiment (id=0). This is an internal experiment.');
      }
      const now = Date.now();
      this.store.statement('UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?').run(stage, now, row.experiment_id);
      this.store.statement('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?')
        .run(stage, stage === 'deleted' ? now : null, row.experiment_id);
      this.changes.record('experiment', row.experiment_id, null);
    });
  }

  setTag(experimentId: string, tag: KeyValue): void {
    this.validateTag(tag);
    this.store.write(() => {
      const row = this.requireRow(experimentId);
      if (row.lifecycle_stage !== 'active') {
        throw new StoreError('INVALID_PARAMETER_VALUE', `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
      }
      this.store.statement('INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)').run(row.experiment_id, tag.key, tag.value);
      this.changes.record('experiment', row.experiment_id, null);
    });
  }

  deleteTag(experimentId: string, key: string): void {
    this.store.write(() => {
      const row = this.requireRow(experimentId);
      const result = this.store.statement('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?').run(row.experiment_id, key);
      if (result.changes === 0) {
        throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No tag with name: ${key} in experiment with id ${experimentId}`);
      }
      this.changes.record('experiment', row.experiment_id, null);
    });
  }

  private validateTag(tag: KeyValue): void {
    validateKey('tag', tag.key);
    if (tag.value.length > MAX_EXPERIMENT_TAG_VAL_LENGTH) {
      throw new StoreError('INVALID_PARAMETER_VALUE', `Experiment tag value had length ${tag.value.length}, which exceeded length limit of ${MAX_EXPERIMENT_TAG_VAL_LENGTH}.`);
    }
  }

  private row(experimentId: string): ExperimentRow | undefined {
    if (!/^\d+$/.test(experimentId)) return undefined;
    return this.store.statement('SELECT * FROM experiments WHERE experiment_id = ?').get(Number(experimentId)) as ExperimentRow | undefined;
  }

  private requireRow(experimentId: string): ExperimentRow {
    const row = this.row(experimentId);
    if (!row) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${experimentId} exists`);
    return row;
  }

  private toExperiment(row: ExperimentRow): Experiment {
    const tags = this.store.statement('SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key')
      .all(row.experiment_id) as KeyValue[];
    return {
      experimentId: String(row.experiment_id),
      name: row.name,
      artifactLocation: row.artifact_location,
      lifecycleStage: row.lifecycle_stage,
      creationTime: row.creation_time,
      lastUpdateTime: row.last_update_time,
      tags,
    };
  }
}
