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
  | 'inputs';

export interface Change {
  seq: number;
  at: number;
  kind: ChangeKind;
  experimentId: string | null;
  runId: string | null;
}

export class ChangeLog {
  private readonly insert;
  private readonly since;
  private readonly last;
  private readonly prune;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO changes (at, kind, experiment_id, run_uuid) VALUES (?, ?, ?, ?)');
    this.since = db.prepare(
      'SELECT seq, at, kind, experiment_id AS experimentId, run_uuid AS runId FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.last = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM changes').pluck();
    this.prune = db.prepare('DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?');
  }

  record(kind: ChangeKind, experimentId: string | number | null, runId: string | null): void {
    this.insert.run(Date.now(), kind, experimentId === null ? null : Number(experimentId), runId);
  }

  changesSince(seq: number, limit = 1000): Change[] {
    return (this.since.all(seq, limit) as Change[]).map((c) => ({
      ...c,
      experimentId: c.experimentId === null ? null : String(c.experimentId),
    }));
  }

  lastSeq(): number {
    return this.last.get() as number;
  }

  /** Keeps the newest `keep` changes; consumers further behind resynchronise. */
  pruneKeeping(keep: number): void {
    this.prune.run(keep);
  }
}
