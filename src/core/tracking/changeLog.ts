import type { Db } from '../store/openDatabase';

// Every write appends a row to `changes` inside its own transaction; the
// server's event stream tails this table, so it reports writes made by any
// process (the CLI, a pipeline) and never reports a write that rolled back.
export type ChangeKind =
  | 'experiment'
  | 'run'
  | 'params'
  | 'tags'
  | 'metrics'
  | 'artifacts'
  | 'inputs'
  // Registry: a registered model (its tags, description, aliases, name) or one version.
  | 'model'
  | 'model_version';

export interface Change {
  seq: number;
  at: number;
  kind: ChangeKind;
  experimentId: string | null;
  runId: string | null;
  /** Registry changes: the model's name, and the version for 'model_version'. */
  modelName?: string | null;
  version?: string | null;
}

export class ChangeLog {
  private readonly insert;
  private readonly since;
  private readonly last;
  private readonly prune;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO changes (at, kind, experiment_id, run_uuid, model_name, model_version) VALUES (?, ?, ?, ?, ?, ?)');
    this.since = db.prepare(
      'SELECT seq, at, kind, experiment_id AS experimentId, run_uuid AS runId, model_name AS modelName, model_version AS version FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.last = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM changes').pluck();
    this.prune = db.prepare('DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?');
  }

  record(kind: ChangeKind, experimentId: string | number | null, runId: string | null): void {
    this.insert.run(Date.now(), kind, experimentId === null ? null : Number(experimentId), runId, null, null);
  }

  /** A registry change: the model (and version) it touched, and the source run when there is one. */
  recordModel(kind: 'model' | 'model_version', modelName: string, version: number | null = null, runId: string | null = null): void {
    this.insert.run(Date.now(), kind, null, runId, modelName, version);
  }

  changesSince(seq: number, limit = 1000): Change[] {
    return (this.since.all(seq, limit) as (Change & { version: number | null })[]).map((c) => {
      const change: Change = { seq: c.seq, at: c.at, kind: c.kind, experimentId: c.experimentId === null ? null : String(c.experimentId), runId: c.runId };
      // Tracking changes keep their old shape; only registry changes name a model.
      if (c.modelName !== null && c.modelName !== undefined) {
        change.modelName = c.modelName;
        change.version = c.version === null ? null : String(c.version);
      }
      return change;
    });
  }

  lastSeq(): number {
    return this.last.get() as number;
  }

  /** Keeps the newest `keep` changes; consumers further behind resynchronise. */
  pruneKeeping(keep: number): void {
    this.prune.run(keep);
  }
}
