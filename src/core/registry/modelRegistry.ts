import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashFile } from '../store/artifactStore';
import { normalizeArtifactPath } from '../store/artifactPath';
import { StoreError } from '../store/storeErrors';
import type { TrackingStore } from '../tracking/trackingStore';
import type { KeyValue } from '../tracking/types';
import { decodePageToken } from '../tracking/pageToken';
import { canonicalStage, parseVersion, validateAlias, validateDescription, validateModelName, validateRegistryTag } from './registryRules';
import { choosePrimaryFile, inspectByFileName, type InspectModel, type InspectedFile } from './modelInspector';
import { findRunDatasetCsv } from './runDataset';
import type { FeatureSchema } from './featureSchema';
import { compileModelVersionSearch, compileRegisteredModelSearch, type RegistrySearchQuery } from './registrySearchSql';
import { isModelUri, parseModelUri } from './modelUri';
import {
  MODEL_STAGES,
  type ModelFormat,
  type ModelSignature,
  type ModelStage,
  type ModelVersion,
  type ModelVersionFile,
  type ModelVersionStatus,
  type RegisteredModel,
} from './types';

export interface ModelRegistryOptions {
  /** What a version's files are (format, signature, servable): the ONNX seam, see modelInspector.ts. */
  inspectModel?: InspectModel;
}

export interface CreateModelVersionInput {
  name: string;
  /**
   * runs:/<run_id>/<path>, mlflow-artifacts:/<experiment>/<run>/artifacts/<path>
   * (a run's artifact_uri and below), models:/<name>/<version> (copies a
   * version), or, with `allowLocal`, a local file or directory.
   */
  source: string;
  runId?: string;
  runLink?: string;
  description?: string;
  tags?: KeyValue[];
  userId?: string;
  /** The features as the person wrote them (`a,b,c:categorical`), for the inspector to tie to the model's input. */
  featuresSpec?: string;
  /** Local paths are for the CLI only: over HTTP a client must not make the server read its disk. */
  allowLocal?: boolean;
}

interface ModelRow {
  model_id: number;
  name: string;
  description: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  next_version: number;
}

interface VersionRow {
  model_id: number;
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  current_stage: ModelStage;
  description: string;
  source: string;
  run_id: string | null;
  run_link: string | null;
  status: ModelVersionStatus;
  status_message: string | null;
  primary_path: string | null;
  sha256: string | null;
  size: number | null;
  manifest_sha256: string | null;
  format: ModelFormat;
  servable: number;
  signature_json: string | null;
  features_json: string | null;
}

/** A file about to become part of a version, with a readable copy and a lease on its blob. */
interface PendingFile extends ModelVersionFile {
  localPath: string;
}

/** The verified state of a blob, so it is not re-hashed on every read. */
interface VerifiedBlob {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

/**
 * The model registry over one store: registered models, versions whose files
 * are frozen in the content-addressed store, aliases, tags, legacy stages.
 * Every write records a change ('model' / 'model_version') for the event stream.
 */
export class ModelRegistry {
  private readonly inspectModel: InspectModel;
  private readonly verified = new Map<string, VerifiedBlob>();

  constructor(
    readonly tracking: TrackingStore,
    options: ModelRegistryOptions = {},
  ) {
    this.inspectModel = options.inspectModel ?? inspectByFileName;
  }

  private get store() {
    return this.tracking.store;
  }

  // -------------------------------------------------------------------------
  // Registered models

  createModel(name: string, options: { description?: string; tags?: KeyValue[] } = {}): RegisteredModel {
    validateModelName(name);
    const tags = options.tags ?? [];
    for (const t of tags) validateRegistryTag(t.key, t.value);
    validateDescription(options.description ?? '');
    return this.store.write(() => {
      if (this.modelRow(name)) throw new StoreError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
      const now = Date.now();
      const id = Number(
        this.store
          .statement('INSERT INTO registered_models (name, description, creation_timestamp, last_updated_timestamp) VALUES (?, ?, ?, ?) RETURNING model_id')
          .pluck()
          .get(name, options.description ?? '', now, now),
      );
      const insertTag = this.store.statement('INSERT OR REPLACE INTO registered_model_tags (model_id, key, value) VALUES (?, ?, ?)');
      for (const t of tags) insertTag.run(id, t.key, t.value);
      this.tracking.changes.recordModel('model', name);
      return this.getModel(name);
    });
  }

  getModel(name: string): RegisteredModel {
    return this.toModel(this.requireModel(name));
  }

  searchModels(q: RegistrySearchQuery): { models: RegisteredModel[]; nextOffset?: number } {
    const { sql, params } = compileRegisteredModelSearch({ ...q, maxResults: q.maxResults + 1 });
    const ids = this.store.db.prepare(sql).pluck().all(...params) as number[];
    const more = ids.length > q.maxResults;
    const rows = (more ? ids.slice(0, q.maxResults) : ids).map((id) => this.store.statement('SELECT * FROM registered_models WHERE model_id = ?').get(id) as ModelRow);
    return { models: rows.map((r) => this.toModel(r)), nextOffset: more ? q.offset + q.maxResults : undefined };
  }

  renameModel(name: string, newName: string): RegisteredModel {
    validateModelName(newName);
    return this.store.write(() => {
      const row = this.requireModel(name);
      if (newName !== name && this.modelRow(newName)) throw new StoreError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${newName}) already exists.`);
      this.store.statement('UPDATE registered_models SET name = ?, last_updated_timestamp = ? WHERE model_id = ?').run(newName, Date.now(), row.model_id);
      this.tracking.changes.recordModel('model', name);
      this.tracking.changes.recordModel('model', newName);
      return this.getModel(newName);
    });
  }

  updateModel(name: string, description: string | undefined): RegisteredModel {
    if (description !== undefined) validateDescription(description);
    return this.store.write(() => {
      const row = this.requireModel(name);
      if (description !== undefined) {
        this.store.statement('UPDATE registered_models SET description = ?, last_updated_timestamp = ? WHERE model_id = ?').run(description, Date.now(), row.model_id);
        this.tracking.changes.recordModel('model', name);
      }
      return this.getModel(name);
    });
  }

  /** Deletes the model with its versions, aliases and tags (their blobs become collectable by gc). */
  deleteModel(name: string): void {
    this.store.write(() => {
      const row = this.requireModel(name);
      this.store.statement('DELETE FROM registered_models WHERE model_id = ?').run(row.model_id);
      this.tracking.changes.recordModel('model', name);
    });
  }

  setModelTag(name: string, key: string, value: string): void {
    validateRegistryTag(key, value);
    this.store.write(() => {
      const row = this.requireModel(name);
      this.store.statement('INSERT OR REPLACE INTO registered_model_tags (model_id, key, value) VALUES (?, ?, ?)').run(row.model_id, key, value);
      this.touchModel(row);
    });
  }

  deleteModelTag(name: string, key: string): void {
    this.store.write(() => {
      const row = this.requireModel(name);
      const result = this.store.statement('DELETE FROM registered_model_tags WHERE model_id = ? AND key = ?').run(row.model_id, key);
      if (result.changes === 0) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No tag with name: ${key} in registered model ${name}.`);
      this.touchModel(row);
    });
  }

  // -------------------------------------------------------------------------
  // Aliases

  /** Points `alias` at `version`, moving it if it pointed elsewhere. */
  setAlias(name: string, alias: string, version: string | number): void {
    validateAlias(alias);
    const v = parseVersion(version);
    this.store.write(() => {
      const row = this.requireModel(name);
      this.requireVersionRow(row, v);
      this.store.statement('INSERT OR REPLACE INTO registered_model_aliases (model_id, alias, version) VALUES (?, ?, ?)').run(row.model_id, alias, v);
      this.touchModel(row);
      this.tracking.changes.recordModel('model_version', name, v);
    });
  }

  deleteAlias(name: string, alias: string): void {
    validateAlias(alias);
    this.store.write(() => {
      const row = this.requireModel(name);
      const version = this.store.statement('SELECT version FROM registered_model_aliases WHERE model_id = ? AND alias = ?').pluck().get(row.model_id, alias) as number | undefined;
      if (version === undefined) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Registered model alias ${alias} not found.`);
      this.store.statement('DELETE FROM registered_model_aliases WHERE model_id = ? AND alias = ?').run(row.model_id, alias);
      this.touchModel(row);
      this.tracking.changes.recordModel('model_version', name, version);
    });
  }

  getVersionByAlias(name: string, alias: string): ModelVersion {
    const row = this.requireModel(name);
    const version = this.store.statement('SELECT version FROM registered_model_aliases WHERE model_id = ? AND alias = ?').pluck().get(row.model_id, alias) as number | undefined;
    if (version === undefined) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Registered model alias ${alias} not found.`);
    return this.getVersion(name, version);
  }

  // -------------------------------------------------------------------------
  // Versions

  /**
   * Registers a new version: resolves the source to files, freezes them in the
   * content-addressed store (run artifacts are already blobs and are shared;
   * local files are copied), inspects them, and records the version READY.
   */
  async createVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    validateModelName(input.name);
    for (const t of input.tags ?? []) validateRegistryTag(t.key, t.value);
    validateDescription(input.description ?? '');
    this.requireModel(input.name);
    const leases: number[] = [];
    const scratch: string[] = [];
    try {
      const resolved = await this.resolveSourceFiles(input, leases);
      if (resolved.files.length === 0) throw new StoreError('INVALID_PARAMETER_VALUE', `Source '${input.source}' names no files.`);
      // Every file must be what its hash says before anything claims to be a version of it.
      for (const f of resolved.files) await this.verifyBlob(f.localPath, f.sha256, f.size, `${input.source} (${f.path})`);
      const chosen = choosePrimaryFile(resolved.files);
      const inspected = (f: PendingFile): InspectedFile => ({ path: f.path, localPath: f.localPath, size: f.size });
      const sourceRunId = resolved.runId;
      const inspection = await this.inspectModel({
        primary: inspected(chosen),
        files: resolved.files.map(inspected),
        isDirectory: resolved.isDirectory,
        featuresSpec: input.featuresSpec,
        runId: sourceRunId,
        runDatasetCsv: sourceRunId ? () => findRunDatasetCsv(this.tracking, sourceRunId) : undefined,
      });
      const primary = (inspection.primaryPath !== undefined && resolved.files.find((f) => f.path === inspection.primaryPath)) || chosen;
      const features = inspection.features ?? null;
      const files = [...resolved.files];
      for (const extra of inspection.extraFiles ?? []) {
        const path = normalizeArtifactPath(extra.path);
        if (files.some((f) => f.path === path)) continue; // the source's own file wins
        const dir = mkdtempSync(join(tmpdir(), 'mlops-extra-'));
        scratch.push(dir);
        const local = join(dir, basename(path));
        writeFileSync(local, extra.content);
        const blob = await this.tracking.artifacts.storeBlob(local);
        leases.push(blob.lease);
        files.push({ path, sha256: blob.sha256, size: blob.size, localPath: blob.blobPath });
      }
      const manifest = resolved.isDirectory ? manifestDigest(files) : null;
      const runId = resolved.runId ?? null;
      return this.store.write(() => {
        const row = this.requireModel(input.name);
        const now = Date.now();
        const version = row.next_version;
        this.store
          .statement(
            `INSERT INTO model_versions (model_id, version, creation_timestamp, last_updated_timestamp, user_id, description, source, run_id, run_link,
               status, primary_path, sha256, size, manifest_sha256, format, servable, signature_json, features_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'READY', ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            row.model_id, version, now, now, input.userId ?? '', input.description ?? '', input.source, runId, input.runLink ?? null,
            primary.path, primary.sha256, primary.size, manifest, inspection.format, inspection.servable ? 1 : 0,
            inspection.signature ? JSON.stringify(inspection.signature) : null, features === null ? null : JSON.stringify(features),
          );
        const insertFile = this.store.statement('INSERT INTO model_version_files (model_id, version, path, sha256, size) VALUES (?, ?, ?, ?, ?)');
        for (const f of files) insertFile.run(row.model_id, version, f.path, f.sha256, f.size);
        const insertTag = this.store.statement('INSERT OR REPLACE INTO model_version_tags (model_id, version, key, value) VALUES (?, ?, ?, ?)');
        for (const t of input.tags ?? []) insertTag.run(row.model_id, version, t.key, t.value);
        this.store.statement('UPDATE registered_models SET next_version = ?, last_updated_timestamp = ? WHERE model_id = ?').run(version + 1, now, row.model_id);
        for (const lease of leases.splice(0)) this.store.statement('DELETE FROM blob_leases WHERE lease_id = ?').run(lease);
        this.tracking.changes.recordModel('model_version', input.name, version, runId);
        return this.getVersion(input.name, version);
      });
    } finally {
      for (const lease of leases) this.tracking.artifacts.releaseLease(lease);
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    }
  }

  getVersion(name: string, version: string | number): ModelVersion {
    const row = this.requireModel(name);
    return this.toVersion(row, this.requireVersionRow(row, parseVersion(version)));
  }

  /** Every registered model, by name. */
  listModels(): RegisteredModel[] {
    return (this.store.statement('SELECT * FROM registered_models ORDER BY name').all() as ModelRow[]).map((r) => this.toModel(r));
  }

  /** A model's versions, newest first, each with its number of files. */
  listVersions(name: string): (ModelVersion & { fileCount: number })[] {
    const model = this.requireModel(name);
    const rows = this.store.statement('SELECT * FROM model_versions WHERE model_id = ? ORDER BY version DESC').all(model.model_id) as VersionRow[];
    const count = this.store.statement('SELECT COUNT(*) FROM model_version_files WHERE model_id = ? AND version = ?').pluck();
    return rows.map((r) => ({ ...this.toVersion(model, r), fileCount: count.get(model.model_id, r.version) as number }));
  }

  /** The frozen files of a version, by path. */
  versionFiles(name: string, version: string | number): ModelVersionFile[] {
    const row = this.requireModel(name);
    const v = this.requireVersionRow(row, parseVersion(version));
    return this.store.statement('SELECT path, sha256, size FROM model_version_files WHERE model_id = ? AND version = ? ORDER BY path').all(row.model_id, v.version) as ModelVersionFile[];
  }

  searchVersions(q: RegistrySearchQuery): { versions: ModelVersion[]; nextOffset?: number } {
    const { sql, params } = compileModelVersionSearch({ ...q, maxResults: q.maxResults + 1 });
    const keys = this.store.db.prepare(sql).all(...params) as { model_id: number; version: number }[];
    const more = keys.length > q.maxResults;
    const versions = (more ? keys.slice(0, q.maxResults) : keys).map((k) => {
      const model = this.store.statement('SELECT * FROM registered_models WHERE model_id = ?').get(k.model_id) as ModelRow;
      return this.toVersion(model, this.versionRow(k.model_id, k.version) as VersionRow);
    });
    return { versions, nextOffset: more ? q.offset + q.maxResults : undefined };
  }

  updateVersion(name: string, version: string | number, description: string | undefined): ModelVersion {
    if (description !== undefined) validateDescription(description);
    return this.store.write(() => {
      const row = this.requireModel(name);
      const v = this.requireVersionRow(row, parseVersion(version));
      if (description !== undefined) {
        this.store.statement('UPDATE model_versions SET description = ?, last_updated_timestamp = ? WHERE model_id = ? AND version = ?').run(description, Date.now(), row.model_id, v.version);
        this.tracking.changes.recordModel('model_version', name, v.version, v.run_id);
      }
      return this.getVersion(name, v.version);
    });
  }

  /** Deletes a version and the aliases pointing at it; its number is never reused. */
  deleteVersion(name: string, version: string | number): void {
    this.store.write(() => {
      const row = this.requireModel(name);
      const v = this.requireVersionRow(row, parseVersion(version));
      this.store.statement('DELETE FROM model_versions WHERE model_id = ? AND version = ?').run(row.model_id, v.version);
      this.store.statement('UPDATE registered_models SET last_updated_timestamp = ? WHERE model_id = ?').run(Date.now(), row.model_id);
      this.tracking.changes.recordModel('model_version', name, v.version, v.run_id);
    });
  }

  /**
   * MLflow's legacy stages. With `archiveExisting` (only for Staging and
   * Production), the other versions in the target stage move to Archived.
   */
  transitionStage(name: string, version: string | number, stage: string, archiveExisting: boolean): ModelVersion {
    const target = canonicalStage(stage);
    if (archiveExisting && target !== 'Staging' && target !== 'Production') {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Model version transition cannot archive existing model versions because '${target}' is not an Active stage. Valid stages are Staging, Production`,
      );
    }
    return this.store.write(() => {
      const row = this.requireModel(name);
      const v = this.requireVersionRow(row, parseVersion(version));
      const now = Date.now();
      if (archiveExisting) {
        const others = this.store.statement('SELECT version, run_id FROM model_versions WHERE model_id = ? AND current_stage = ? AND version != ?').all(row.model_id, target, v.version) as { version: number; run_id: string | null }[];
        const archive = this.store.statement(`UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = ? WHERE model_id = ? AND version = ?`);
        for (const o of others) {
          archive.run(now, row.model_id, o.version);
          this.tracking.changes.recordModel('model_version', name, o.version, o.run_id);
        }
      }
      this.store.statement('UPDATE model_versions SET current_stage = ?, last_updated_timestamp = ? WHERE model_id = ? AND version = ?').run(target, now, row.model_id, v.version);
      this.store.statement('UPDATE registered_models SET last_updated_timestamp = ? WHERE model_id = ?').run(now, row.model_id);
      this.tracking.changes.recordModel('model_version', name, v.version, v.run_id);
      return this.getVersion(name, v.version);
    });
  }

  /** The highest READY version in each of `stages` (all stages when empty), as MLflow's get-latest-versions. */
  getLatestVersions(name: string, stages: string[] = []): ModelVersion[] {
    const row = this.requireModel(name);
    const wanted = stages.length ? [...new Set(stages.map(canonicalStage))] : [...MODEL_STAGES];
    return this.latestByStage(row, wanted);
  }

  setVersionTag(name: string, version: string | number, key: string, value: string): void {
    validateRegistryTag(key, value);
    this.store.write(() => {
      const row = this.requireModel(name);
      const v = this.requireVersionRow(row, parseVersion(version));
      this.store.statement('INSERT OR REPLACE INTO model_version_tags (model_id, version, key, value) VALUES (?, ?, ?, ?)').run(row.model_id, v.version, key, value);
      this.store.statement('UPDATE model_versions SET last_updated_timestamp = ? WHERE model_id = ? AND version = ?').run(Date.now(), row.model_id, v.version);
      this.tracking.changes.recordModel('model_version', name, v.version, v.run_id);
    });
  }

  deleteVersionTag(name: string, version: string | number, key: string): void {
    this.store.write(() => {
      const row = this.requireModel(name);
      const v = this.requireVersionRow(row, parseVersion(version));
      const result = this.store.statement('DELETE FROM model_version_tags WHERE model_id = ? AND version = ? AND key = ?').run(row.model_id, v.version, key);
      if (result.changes === 0) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No tag with name: ${key} in model version (name=${name}, version=${v.version}).`);
      this.tracking.changes.recordModel('model_version', name, v.version, v.run_id);
    });
  }

  // -------------------------------------------------------------------------
  // URIs, downloads, integrity

  /** The version a models:/ URI names (models:/m/3, models:/m@champion, models:/m/latest, models:/m/Production). */
  resolveModelUri(uri: string): ModelVersion {
    const ref = parseModelUri(uri);
    switch (ref.kind) {
      case 'version':
        return this.getVersion(ref.name, ref.version);
      case 'alias':
        return this.getVersionByAlias(ref.name, ref.alias);
      case 'latest': {
        const row = this.requireModel(ref.name);
        const latest = this.store.statement(`SELECT MAX(version) FROM model_versions WHERE model_id = ? AND status = 'READY'`).pluck().get(row.model_id) as number | null;
        if (latest === null) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Registered model '${ref.name}' has no versions, so models:/${ref.name}/latest names nothing.`);
        return this.getVersion(ref.name, latest);
      }
      case 'stage': {
        const [latest] = this.getLatestVersions(ref.name, [ref.stage]);
        if (!latest) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Registered model '${ref.name}' has no version in stage '${canonicalStage(ref.stage)}'.`);
        return latest;
      }
    }
  }

  /** Where MLflow clients download a version's files: the artifact proxy serves them read-only. */
  downloadUri(name: string, version: string | number): string {
    const v = this.getVersion(name, version);
    return `mlflow-artifacts:/models/${v.name}/${v.version}`;
  }

  /**
   * The local path of a version's model file (its primary file), after checking
   * that its content still has the sha256 recorded at registration. The check is
   * remembered per file (size, mtime, inode), so repeated loads do not re-hash;
   * a mismatch is an error and the file is never handed out.
   */
  async openModelVersionFile(name: string, version: string | number): Promise<string> {
    const v = this.getVersion(name, version);
    if (!v.primaryPath) throw new StoreError('INVALID_STATE', `Model version (name=${name}, version=${v.version}) has no model file.`);
    return (await this.openVersionPath(name, v.version, v.primaryPath)).path;
  }

  /** Any file of a version, verified like openModelVersionFile. */
  async openVersionPath(name: string, version: string | number, rawPath: string): Promise<{ path: string; file: ModelVersionFile }> {
    const relative = normalizeArtifactPath(rawPath);
    const row = this.requireModel(name);
    const v = this.requireVersionRow(row, parseVersion(version));
    const file = this.store.statement('SELECT path, sha256, size FROM model_version_files WHERE model_id = ? AND version = ? AND path = ?').get(row.model_id, v.version, relative) as ModelVersionFile | undefined;
    if (!file) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No file '${relative}' in model version (name=${name}, version=${v.version}).`);
    const path = this.tracking.artifacts.blobPath(file.sha256);
    await this.verifyBlob(path, file.sha256, file.size, `model version (name=${name}, version=${v.version}) file '${file.path}'`);
    return { path, file };
  }

  private async verifyBlob(path: string, sha256: string, size: number, what: string): Promise<void> {
    const corrupt = (why: string): never => {
      this.verified.delete(path);
      throw new StoreError(
        'DATA_LOSS',
        `Integrity check failed for ${what}: ${why}. The stored file no longer matches what was registered, so it will not be used. ` +
          `Register the model again from its source.`,
      );
    };
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return corrupt(`its stored file is missing (${sha256.slice(0, 12)}…)`);
    }
    const cached = this.verified.get(path);
    if (cached && cached.sha256 === sha256 && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs && cached.ino === stat.ino) return;
    if (stat.size !== size) corrupt(`expected ${size} bytes, found ${stat.size}`);
    const actual = await hashFile(path);
    if (actual.sha256 !== sha256) corrupt(`expected sha256 ${sha256}, found ${actual.sha256}`);
    this.verified.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, sha256 });
  }

  // -------------------------------------------------------------------------
  // Sources

  private async resolveSourceFiles(input: CreateModelVersionInput, leases: number[]): Promise<{ files: PendingFile[]; runId?: string; isDirectory: boolean }> {
    const source = input.source;
    if (isModelUri(source)) {
      const from = this.resolveModelUri(source);
      const files = this.versionFiles(from.name, from.version);
      await this.lease(files, leases);
      return { files: files.map((f) => ({ ...f, localPath: this.tracking.artifacts.blobPath(f.sha256) })), runId: input.runId ?? from.runId ?? undefined, isDirectory: from.manifestSha256 !== null };
    }
    const run = parseRunSource(source);
    if (run) {
      if (input.runId && input.runId !== run.runId) {
        throw new StoreError('INVALID_PARAMETER_VALUE', `The source '${source}' belongs to run ${run.runId}, not to the given run_id ${input.runId}.`);
      }
      const info = this.tracking.runs.info(run.runId);
      if (run.experimentId !== undefined && run.experimentId !== info.experimentId) {
        throw new StoreError('INVALID_PARAMETER_VALUE', `The source '${source}' names experiment ${run.experimentId}, but run ${run.runId} is in experiment ${info.experimentId}.`);
      }
      const { files, isDirectory } = this.runFiles(run.runId, run.path, source);
      await this.lease(files, leases);
      return { files: files.map((f) => ({ ...f, localPath: this.tracking.artifacts.blobPath(f.sha256) })), runId: run.runId, isDirectory };
    }
    const local = localSourcePath(source);
    if (local === undefined) {
      throw new StoreError(
        'INVALID_PARAMETER_VALUE',
        `Unsupported model source '${source}'. Use runs:/<run_id>/<path>, the run's artifact location (mlflow-artifacts:/<experiment>/<run_id>/artifacts/<path>) or models:/<name>/<version>.`,
      );
    }
    if (!input.allowLocal) {
      throw new StoreError('INVALID_PARAMETER_VALUE', `Local model sources ('${source}') are not accepted over the API: log the model as a run artifact and register runs:/<run_id>/<path>, or use "mlops models register PATH".`);
    }
    if (input.runId) this.tracking.runs.info(input.runId);
    const { files, isDirectory } = await this.importLocal(local, leases);
    return { files, runId: input.runId, isDirectory };
  }

  /** The run's artifacts at `path`: the file itself, or every file under the folder (relative to it). */
  private runFiles(runId: string, path: string, source: string): { files: ModelVersionFile[]; isDirectory: boolean } {
    const exact = path ? (this.store.statement('SELECT sha256, size FROM run_artifacts WHERE run_uuid = ? AND path = ?').get(runId, path) as { sha256: string; size: number } | undefined) : undefined;
    if (exact) return { files: [{ path: path.split('/').pop() as string, sha256: exact.sha256, size: exact.size }], isDirectory: false };
    const prefix = path ? `${path}/` : '';
    const rows = this.store.statement('SELECT path, sha256, size FROM run_artifacts WHERE run_uuid = ? AND substr(path, 1, ?) = ? ORDER BY path').all(runId, prefix.length, prefix) as ModelVersionFile[];
    if (rows.length === 0) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Run ${runId} has no artifact at '${path || '/'}' (source '${source}'). Log the model first (e.g. mlflow.onnx.log_model or log_artifact).`);
    return { files: rows.map((r) => ({ ...r, path: r.path.slice(prefix.length) })), isDirectory: true };
  }

  private async lease(files: ModelVersionFile[], leases: number[]): Promise<void> {
    this.store.write(() => {
      const insert = this.store.statement('INSERT INTO blob_leases (sha256, expires_at) VALUES (?, ?)');
      for (const f of files) leases.push(Number(insert.run(f.sha256, Date.now() + 60 * 60 * 1000).lastInsertRowid));
    });
  }

  /** Copies a local file or folder into the blob store (symbolic links are refused: they could point anywhere). */
  private async importLocal(path: string, leases: number[]): Promise<{ files: PendingFile[]; isDirectory: boolean }> {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      throw new StoreError('RESOURCE_DOES_NOT_EXIST', `No such file or folder: ${path}`);
    }
    const entries: { path: string; local: string }[] = [];
    if (stat.isFile()) entries.push({ path: basename(path), local: path });
    else if (stat.isDirectory()) {
      const walk = (dir: string, rel: string) => {
        for (const name of readdirSync(dir).sort()) {
          const local = join(dir, name);
          const st = lstatSync(local);
          const relPath = rel ? `${rel}/${name}` : name;
          if (st.isSymbolicLink()) throw new StoreError('INVALID_PARAMETER_VALUE', `${local} is a symbolic link; copy the file it points to into the model folder instead.`);
          if (st.isDirectory()) walk(local, relPath);
          else if (st.isFile()) entries.push({ path: normalizeArtifactPath(relPath), local });
        }
      };
      walk(path, '');
    } else {
      throw new StoreError('INVALID_PARAMETER_VALUE', `${path} is neither a file nor a folder.`);
    }
    if (entries.length === 0) throw new StoreError('INVALID_PARAMETER_VALUE', `The folder ${path} is empty.`);
    const files: PendingFile[] = [];
    for (const e of entries) {
      const blob = await this.tracking.artifacts.storeBlob(e.local);
      leases.push(blob.lease);
      files.push({ path: e.path, sha256: blob.sha256, size: blob.size, localPath: blob.blobPath });
    }
    return { files, isDirectory: stat.isDirectory() };
  }

  // -------------------------------------------------------------------------
  // Rows to records

  private modelRow(name: string): ModelRow | undefined {
    return this.store.statement('SELECT * FROM registered_models WHERE name = ?').get(name) as ModelRow | undefined;
  }

  private requireModel(name: string): ModelRow {
    if (!name) throw new StoreError('INVALID_PARAMETER_VALUE', 'Registered model name cannot be empty.');
    const row = this.modelRow(name);
    if (!row) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    return row;
  }

  private versionRow(modelId: number, version: number): VersionRow | undefined {
    return this.store.statement('SELECT * FROM model_versions WHERE model_id = ? AND version = ?').get(modelId, version) as VersionRow | undefined;
  }

  private requireVersionRow(model: ModelRow, version: number): VersionRow {
    const row = this.versionRow(model.model_id, version);
    if (!row) throw new StoreError('RESOURCE_DOES_NOT_EXIST', `Model Version (name=${model.name}, version=${version}) not found`);
    return row;
  }

  private touchModel(row: ModelRow): void {
    this.store.statement('UPDATE registered_models SET last_updated_timestamp = ? WHERE model_id = ?').run(Date.now(), row.model_id);
    this.tracking.changes.recordModel('model', row.name);
  }

  private latestByStage(model: ModelRow, stages: readonly ModelStage[]): ModelVersion[] {
    const out: ModelVersion[] = [];
    const latest = this.store.statement(`SELECT MAX(version) FROM model_versions WHERE model_id = ? AND current_stage = ? AND status = 'READY'`).pluck();
    for (const stage of stages) {
      const version = latest.get(model.model_id, stage) as number | null;
      if (version !== null) out.push(this.toVersion(model, this.versionRow(model.model_id, version) as VersionRow));
    }
    return out;
  }

  private toModel(row: ModelRow): RegisteredModel {
    return {
      name: row.name,
      creationTimestamp: row.creation_timestamp,
      lastUpdatedTimestamp: row.last_updated_timestamp,
      description: row.description,
      tags: this.store.statement('SELECT key, value FROM registered_model_tags WHERE model_id = ? ORDER BY key').all(row.model_id) as KeyValue[],
      aliases: this.store.statement('SELECT alias, version FROM registered_model_aliases WHERE model_id = ? ORDER BY alias').all(row.model_id) as { alias: string; version: number }[],
      latestVersions: this.latestByStage(row, MODEL_STAGES),
    };
  }

  private toVersion(model: ModelRow, row: VersionRow): ModelVersion {
    return {
      name: model.name,
      version: row.version,
      creationTimestamp: row.creation_timestamp,
      lastUpdatedTimestamp: row.last_updated_timestamp,
      userId: row.user_id,
      currentStage: row.current_stage,
      description: row.description,
      source: row.source,
      runId: row.run_id,
      runLink: row.run_link,
      status: row.status,
      statusMessage: row.status_message,
      tags: this.store.statement('SELECT key, value FROM model_version_tags WHERE model_id = ? AND version = ? ORDER BY key').all(model.model_id, row.version) as KeyValue[],
      aliases: this.store.statement('SELECT alias FROM registered_model_aliases WHERE model_id = ? AND version = ? ORDER BY alias').pluck().all(model.model_id, row.version) as string[],
      primaryPath: row.primary_path,
      sha256: row.sha256,
      size: row.size,
      manifestSha256: row.manifest_sha256,
      format: row.format,
      servable: row.servable === 1,
      signature: row.signature_json ? (JSON.parse(row.signature_json) as ModelSignature) : null,
      features: row.features_json ? asFeatureSchema(JSON.parse(row.features_json)) : null,
    };
  }
}

/** A stored feature schema; anything else (e.g. a plain list from an early build) reads as none. */
function asFeatureSchema(value: unknown): FeatureSchema | null {
  const v = value as Partial<FeatureSchema> | null;
  return v && typeof v === 'object' && typeof v.input === 'string' && Array.isArray(v.features) ? (v as FeatureSchema) : null;
}

/** sha256 of the sorted "path sha256 size" lines: one digest for a whole model folder. */
export function manifestDigest(files: readonly ModelVersionFile[]): string {
  const lines = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => `${f.path} ${f.sha256} ${f.size}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/**
 * runs:/<run_id>/<path> or mlflow-artifacts:[//host]/<experiment>/<run_id>/artifacts/<path>
 * (the artifact_uri this store gives runs). The path is checked like any
 * artifact path: '..', absolute paths and the like are refused.
 */
export function parseRunSource(source: string): { runId: string; experimentId?: string; path: string } | undefined {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid model source '${source}': bad percent-encoding.`);
    }
  };
  const runs = /^runs:\/([^/]+)(?:\/(.*))?$/s.exec(source);
  if (runs) return { runId: decode(runs[1]), path: normalizeArtifactPath(decode(runs[2] ?? ''), { allowRoot: true }) };
  const artifacts = /^mlflow-artifacts:(?:\/\/[^/]*)?\/([^/]+)\/([^/]+)\/artifacts(?:\/(.*))?$/s.exec(source);
  if (artifacts) return { experimentId: decode(artifacts[1]), runId: decode(artifacts[2]), path: normalizeArtifactPath(decode(artifacts[3] ?? ''), { allowRoot: true }) };
  if (source.startsWith('runs:') || source.startsWith('mlflow-artifacts:')) {
    throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid model source '${source}': expected runs:/<run_id>/<path> or mlflow-artifacts:/<experiment>/<run_id>/artifacts/<path>.`);
  }
  return undefined;
}

/** A local path (absolute, relative, or file://), or undefined for any other URI scheme. */
function localSourcePath(source: string): string | undefined {
  if (source.startsWith('file://')) {
    try {
      return resolve(fileURLToPath(source));
    } catch (err) {
      // Bad percent-encoding, an encoded '/', a host other than this machine…
      throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid model source '${source}': ${(err as Error).message}. A file:// source names a local path, as file:///absolute/path.`);
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(source)) return undefined;
  return resolve(source);
}
