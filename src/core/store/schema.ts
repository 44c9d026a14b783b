// The store's schema, as an ordered list of migrations. PRAGMA user_version holds
// the number of migrations applied; a store whose version is higher than this
// list is from a newer build and is refused rather than guessed at.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'tracking: experiments, runs, params, tags, metrics, artifacts, change log',
    sql: `
CREATE TABLE experiments (
  experiment_id     INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  artifact_location TEXT NOT NULL,
  lifecycle_stage   TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted')),
  creation_time     INTEGER NOT NULL,
  last_update_time  INTEGER NOT NULL
);
CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

CREATE TABLE runs (
  run_uuid        TEXT PRIMARY KEY,
  experiment_id   INTEGER NOT NULL REFERENCES experiments(experiment_id),
  name            TEXT NOT NULL,
  user_id         TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL CHECK (status IN ('RUNNING','SCHEDULED','FINISHED','FAILED','KILLED')),
  start_time      INTEGER,
  end_time        INTEGER,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted')),
  deleted_time    INTEGER,
  artifact_uri    TEXT NOT NULL,
  -- Set only for runs something promises to heartbeat (mlops run, the Python
  -- client); a run whose heartbeat goes stale while RUNNING is marked FAILED.
  heartbeat_at    INTEGER,
  created_seq     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time DESC);
CREATE INDEX runs_heartbeat ON runs (heartbeat_at) WHERE heartbeat_at IS NOT NULL AND status = 'RUNNING';

CREATE TABLE params (
  run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (run_uuid, key)
) WITHOUT ROWID;

CREATE TABLE tags (
  run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (run_uuid, key)
) WITHOUT ROWID;

-- One row per (run, metric key). Carries the "latest" point by MLflow's rule
-- (highest step, then timestamp, then value) so tables never scan points.
CREATE TABLE metric_series (
  series_id     INTEGER PRIMARY KEY,
  run_uuid      TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  point_count   INTEGER NOT NULL DEFAULT 0,
  latest_step   INTEGER,
  latest_ts     INTEGER,
  latest_value  REAL,
  latest_is_nan INTEGER NOT NULL DEFAULT 0,
  UNIQUE (run_uuid, key)
);

-- Every point is kept. SQLite stores NaN as NULL, so NaN is value NULL + is_nan;
-- +-Infinity are stored as REAL infinities.
CREATE TABLE metric_points (
  series_id INTEGER NOT NULL REFERENCES metric_series(series_id) ON DELETE CASCADE,
  step      INTEGER NOT NULL,
  ts        INTEGER NOT NULL,
  value     REAL,
  is_nan    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX metric_points_by_series ON metric_points (series_id, step, ts);

-- Shape-preserving summaries (M4: first, last, min, max) of fixed-width step
-- buckets, maintained at ingest, so a chart of 500 long series reads a few
-- hundred rows per series instead of every point. NaN points are counted but do
-- not take part in first/last/min/max.
CREATE TABLE metric_buckets (
  series_id  INTEGER NOT NULL REFERENCES metric_series(series_id) ON DELETE CASCADE,
  bucket     INTEGER NOT NULL,
  n          INTEGER NOT NULL,
  first_step INTEGER, first_ts INTEGER, first_value REAL,
  last_step  INTEGER, last_ts  INTEGER, last_value  REAL,
  min_step   INTEGER, min_ts   INTEGER, min_value   REAL,
  max_step   INTEGER, max_ts   INTEGER, max_value   REAL,
  PRIMARY KEY (series_id, bucket)
) WITHOUT ROWID;

CREATE TABLE run_inputs (
  run_uuid    TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  digest      TEXT NOT NULL,
  source_type TEXT NOT NULL,
  source      TEXT NOT NULL,
  schema      TEXT,
  profile     TEXT,
  tags_json   TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (run_uuid, name, digest)
) WITHOUT ROWID;

-- Content-addressed artifact blobs (files under artifacts/blobs/ab/cdef...).
CREATE TABLE blobs (
  sha256     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE run_artifacts (
  run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
  path     TEXT NOT NULL,
  sha256   TEXT NOT NULL REFERENCES blobs(sha256),
  size     INTEGER NOT NULL,
  PRIMARY KEY (run_uuid, path)
) WITHOUT ROWID;
CREATE INDEX run_artifacts_by_blob ON run_artifacts (sha256);
-- An upload in progress leases its blob so garbage collection cannot delete it
-- between the file landing and the row that references it.
CREATE TABLE blob_leases (
  lease_id   INTEGER PRIMARY KEY,
  sha256     TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

-- Append-only log of writes, written in the same transaction as the write, so
-- the server's event stream sees writes made by any process.
CREATE TABLE changes (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  at            INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  experiment_id INTEGER,
  run_uuid      TEXT
);

INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time)
VALUES (0, 'Default', 'mlflow-artifacts:/0', CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));
`,
  },
  {
    version: 2,
    description: 'model registry: registered models, versions (frozen files), aliases, tags; change log names models',
    sql: `
CREATE TABLE registered_models (
  model_id               INTEGER PRIMARY KEY,
  name                   TEXT NOT NULL UNIQUE,
  description            TEXT NOT NULL DEFAULT '',
  creation_timestamp     INTEGER NOT NULL,
  last_updated_timestamp INTEGER NOT NULL,
  -- Version numbers are never reused, even after a version is deleted (as MLflow).
  next_version           INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE registered_model_tags (
  model_id INTEGER NOT NULL REFERENCES registered_models(model_id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
) WITHOUT ROWID;

-- A version's files are frozen at registration: model_version_files names blobs
-- of the content-addressed store, so later changes to the source run's
-- artifacts cannot change it. run_id is not a foreign key: a version outlives
-- its run (MLflow keeps run_id as plain text too).
CREATE TABLE model_versions (
  model_id               INTEGER NOT NULL REFERENCES registered_models(model_id) ON DELETE CASCADE,
  version                INTEGER NOT NULL,
  creation_timestamp     INTEGER NOT NULL,
  last_updated_timestamp INTEGER NOT NULL,
  user_id                TEXT NOT NULL DEFAULT '',
  current_stage          TEXT NOT NULL DEFAULT 'None' CHECK (current_stage IN ('None','Staging','Production','Archived')),
  description            TEXT NOT NULL DEFAULT '',
  source                 TEXT NOT NULL,
  run_id                 TEXT,
  run_link               TEXT,
  status                 TEXT NOT NULL DEFAULT 'READY' CHECK (status IN ('PENDING_REGISTRATION','FAILED_REGISTRATION','READY')),
  status_message         TEXT,
  -- The primary model file (the .onnx of a directory), its sha256 and size; for
  -- a directory manifest_sha256 digests the sorted list of (path, sha256, size).
  primary_path           TEXT,
  sha256                 TEXT,
  size                   INTEGER,
  manifest_sha256        TEXT,
  format                 TEXT NOT NULL DEFAULT 'other' CHECK (format IN ('onnx','mlflow-model','other')),
  servable               INTEGER NOT NULL DEFAULT 0,
  signature_json         TEXT,
  features_json          TEXT,
  PRIMARY KEY (model_id, version)
) WITHOUT ROWID;
CREATE INDEX model_versions_by_run ON model_versions (run_id) WHERE run_id IS NOT NULL;
CREATE TABLE model_version_tags (
  model_id INTEGER NOT NULL,
  version  INTEGER NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (model_id, version, key),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE model_version_files (
  model_id INTEGER NOT NULL,
  version  INTEGER NOT NULL,
  path     TEXT NOT NULL,
  sha256   TEXT NOT NULL REFERENCES blobs(sha256),
  size     INTEGER NOT NULL,
  PRIMARY KEY (model_id, version, path),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX model_version_files_by_blob ON model_version_files (sha256);
-- One version per alias: the primary key makes setting an alias move it.
CREATE TABLE registered_model_aliases (
  model_id INTEGER NOT NULL REFERENCES registered_models(model_id) ON DELETE CASCADE,
  alias    TEXT NOT NULL,
  version  INTEGER NOT NULL,
  PRIMARY KEY (model_id, alias),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
) WITHOUT ROWID;

-- Registry changes name the model (and version) they touched.
ALTER TABLE changes ADD COLUMN model_name TEXT;
ALTER TABLE changes ADD COLUMN model_version INTEGER;
`,
  },
  {
    version: 3,
    description: 'pipeline step cache: per pipeline file and step, the last successful run, its cache key and outs',
    sql: `
-- One row per (pipeline file, step): the inputs of the step's last successful
-- run (inputs_json: command, params, env, dep hashes; cache_key digests them),
-- the run, and the sha256 of each out file (stored as that run's outs/ artifacts).
-- run_uuid is not a foreign key: a purged run just makes the entry stale.
CREATE TABLE pipeline_step_cache (
  pipeline_file TEXT NOT NULL,
  step          TEXT NOT NULL,
  cache_key     TEXT NOT NULL,
  run_uuid      TEXT NOT NULL,
  inputs_json   TEXT NOT NULL,
  outs_json     TEXT NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (pipeline_file, step)
) WITHOUT ROWID;
`,
  },

];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
