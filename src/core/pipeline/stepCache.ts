import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, copyFileSync, type Stats } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { hashFile } from '../store/artifactStore';
import type { TrackingStore } from '../tracking/trackingStore';
import { PipelineError, type PipelineStepSpec } from './pipelineTypes';

/** What a step's cache key digests: the resolved command, the params and env it uses, its deps' content. */
export interface StepInputs {
  command: string;
  /** The command as written (not in the key, which has the resolved command): tells an edit from a param change. */
  template?: string;
  params: Record<string, string>;
  /** Declared env variables; null when unset. */
  env: Record<string, string | null>;
  /** Dep path (as written) → sha256 of the file, or of a folder's sorted listing. */
  deps: Record<string, string>;
}

export interface CacheEntry {
  key: string;
  runId: string;
  inputs: StepInputs;
  /** Out file path (relative to the pipeline's folder, '/'-separated) → sha256. */
  outs: Record<string, string>;
}

export type CacheDecision =
  | { cached: true; entry: CacheEntry; reason: string; restore: string[] }
  | { cached: false; reason: string };

const trim = (p: string): string => p.replace(/^\.\//, '').replace(/\/+$/, '');
const slash = (p: string): string => p.split(sep).join('/');

/** The files under `path` (a file is its own list), '/'-separated and relative to `folder`, sorted. */
function filesUnder(folder: string, path: string): string[] {
  const abs = join(folder, path);
  if (!statSync(abs).isDirectory()) return [slash(relative(folder, abs))];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(slash(relative(folder, p)));
    }
  };
  walk(abs);
  return out.sort();
}

// Files up to this size are read whole in one call. Pipelines are mostly made of
// small files (configs, scripts, metrics, markers), and for those a stream's
// separate open, reads and close cost far more than the hashing: on a cached
// re-run they were most of the time spent per step.
const READ_WHOLE_MAX_BYTES = 1 << 20;

/** A path's stat, or undefined where existsSync would say false (missing, or not reachable). */
function statIfExists(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** sha256 of a file's content (the same digest as the artifact store's). */
async function sha256Of(file: string, size = statSync(file).size): Promise<string> {
  if (size <= READ_WHOLE_MAX_BYTES) return createHash('sha256').update(readFileSync(file)).digest('hex');
  return (await hashFile(file)).sha256;
}

/**
 * File hashes remembered by size, mtime, ctime and inode, for a process that
 * asks again and again (the server answering the editor's status of a pipeline
 * whose deps are large data files). A run never uses one: it hashes what it
 * reads, so a cache decision never rests on timestamps.
 */
export class FileHashMemo {
  private readonly entries = new Map<string, { stamp: string; sha: string }>();

  constructor(private readonly maxEntries = 20_000) {}

  async sha256(file: string, st: Stats): Promise<string> {
    const stamp = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
    const hit = this.entries.get(file);
    if (hit?.stamp === stamp) return hit.sha;
    const sha = await sha256Of(file, st.size);
    this.entries.delete(file);
    this.entries.set(file, { stamp, sha });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return sha;
  }
}

const fileSha = (file: string, st: Stats, memo?: FileHashMemo): Promise<string> => (memo ? memo.sha256(file, st) : sha256Of(file, st.size));

/** sha256 of a file's content, or of a folder's sorted listing of relative path + content hash. */
export async function hashPath(folder: string, path: string, memo?: FileHashMemo): Promise<string> {
  const abs = join(folder, path);
  const st = statIfExists(abs);
  if (!st) throw new PipelineError('missing-dep', `dep ${path} is missing (no file or folder at ${abs})`);
  if (!st.isDirectory()) return fileSha(abs, st, memo);
  const h = createHash('sha256');
  for (const f of filesUnder(abs, '.')) {
    const file = join(abs, f);
    h.update(`${f}\0${await fileSha(file, statSync(file), memo)}\n`);
  }
  return h.digest('hex');
}

export async function stepInputs(a: {
  spec: PipelineStepSpec;
  command: string;
  params: { key: string; value: string }[];
  env: Record<string, string | undefined>;
  folder: string;
  memo?: FileHashMemo;
  /** Hashes of deps that are missing but would be restored from the store before the step runs (status only). */
  restorable?: ReadonlyMap<string, string>;
}): Promise<StepInputs> {
  const deps: Record<string, string> = {};
  for (const d of a.spec.deps ?? []) {
    const known = a.restorable?.get(trim(d));
    deps[trim(d)] = known !== undefined && !existsSync(join(a.folder, trim(d))) ? known : await hashPath(a.folder, trim(d), a.memo);
  }
  return {
    command: a.command,
    template: a.spec.run,
    params: Object.fromEntries(a.params.map((p) => [p.key, p.value])),
    env: Object.fromEntries((a.spec.env ?? []).map((n) => [n, a.env[n] ?? null])),
    deps,
  };
}

export function cacheKey(inputs: StepInputs): string {
  const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
  const canonical = JSON.stringify([inputs.command, sorted(inputs.params), sorted(inputs.env), sorted(inputs.deps)]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Why the inputs differ from the recorded ones: "command changed", "param lr changed", …; empty when equal. */
export function inputChanges(before: StepInputs, now: StepInputs): string[] {
  const reasons: string[] = [];
  // A resolved command that differs only through a param or env value is reported as that param or env.
  const edited = before.template !== undefined && now.template !== undefined ? before.template !== now.template : before.command !== now.command;
  if (edited) reasons.push('command changed');
  const diff = (kind: string, a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) if (a[k] !== b[k]) reasons.push(`${kind} ${k} changed`);
  };
  diff('param', before.params, now.params);
  diff('env', before.env, now.env);
  diff('dep', before.deps, now.deps);
  if (!reasons.length && before.command !== now.command) reasons.push('command changed');
  return reasons;
}

/** The step cache's table (schema v3), keyed by pipeline file and step. */
export class StepCache {
  constructor(
    private readonly tracking: TrackingStore,
    private readonly memo?: FileHashMemo,
  ) {}

  get(file: string, step: string): CacheEntry | undefined {
    const row = this.tracking.store
      .statement('SELECT cache_key, run_uuid, inputs_json, outs_json FROM pipeline_step_cache WHERE pipeline_file = ? AND step = ?')
      .get(file, step) as { cache_key: string; run_uuid: string; inputs_json: string; outs_json: string } | undefined;
    if (!row) return undefined;
    return { key: row.cache_key, runId: row.run_uuid, inputs: JSON.parse(row.inputs_json) as StepInputs, outs: JSON.parse(row.outs_json) as Record<string, string> };
  }

  put(file: string, step: string, entry: CacheEntry): void {
    this.tracking.store.write(() =>
      this.tracking.store
        .statement('INSERT OR REPLACE INTO pipeline_step_cache (pipeline_file, step, cache_key, run_uuid, inputs_json, outs_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(file, step, entry.key, entry.runId, JSON.stringify(entry.inputs), JSON.stringify(entry.outs), Date.now()),
    );
  }

  /**
   * Whether a step can be skipped: its inputs match its last successful run and
   * every recorded out is there with its hash, or missing but restorable from
   * that run's `outs/` artifacts (listed in `restore`).
   */
  async decide(file: string, step: string, inputs: StepInputs, folder: string): Promise<CacheDecision> {
    const entry = this.get(file, step);
    if (!entry) return { cached: false, reason: 'never run' };
    if (entry.key !== cacheKey(inputs)) {
      const why = inputChanges(entry.inputs, inputs);
      return { cached: false, reason: why.length ? why.join(', ') : 'inputs changed' };
    }
    const restore: string[] = [];
    for (const [out, sha] of Object.entries(entry.outs)) {
      const abs = join(folder, out);
      const st = statIfExists(abs);
      if (!st) {
        if (!this.storedOut(entry.runId, out, sha)) return { cached: false, reason: `out ${out} missing` };
        restore.push(out);
      } else if ((await fileSha(abs, st, this.memo)) !== sha) return { cached: false, reason: `out ${out} changed` };
    }
    return { cached: true, entry, reason: `cached: inputs unchanged since run ${entry.runId}`, restore };
  }

  private storedOut(runId: string, out: string, sha: string): string | undefined {
    try {
      const f = this.tracking.artifacts.find(runId, `outs/${out}`);
      return f.sha256 === sha && existsSync(f.blobPath) ? f.blobPath : undefined;
    } catch {
      return undefined;
    }
  }

  /** Puts deleted outs back from the entry's run's artifacts: a hard link where possible, else a copy. */
  restore(entry: CacheEntry, outs: string[], folder: string): void {
    for (const out of outs) {
      const blob = this.storedOut(entry.runId, out, entry.outs[out]);
      if (!blob) throw new Error(`out ${out} is no longer in run ${entry.runId}'s artifacts`);
      const abs = join(folder, out);
      mkdirSync(dirname(abs), { recursive: true });
      try {
        linkSync(blob, abs);
      } catch {
        copyFileSync(blob, abs);
      }
    }
  }

  /**
   * Stores a finished step's outs as its run's `outs/` artifacts (hard links
   * where possible) and returns their hashes; an out that was not written is a string.
   */
  async storeOuts(runId: string, spec: PipelineStepSpec, folder: string): Promise<Record<string, string> | string> {
    const outs: Record<string, string> = {};
    for (const o of spec.outs ?? []) {
      if (!existsSync(join(folder, trim(o)))) return `out ${trim(o)} was not written`;
      for (const f of filesUnder(folder, trim(o))) {
        const stored = await this.tracking.artifacts.importFile(runId, `outs/${f}`, join(folder, f), 'link');
        linkToBlob(join(folder, f), stored.blobPath);
        outs[f] = stored.sha256;
      }
    }
    return outs;
  }

  /**
   * Before a step runs: removes out files that are hard links to stored blobs,
   * so the step writes new files and never changes a stored (read-only) blob in place.
   * With `step` (its pipeline file and name), the blob recorded for an out in the
   * step's cache entry is tried first: it is nearly always the one the out is linked
   * to, and finding it otherwise means reading every run's artifact rows at that
   * path (no index on path), which grows with the store.
   */
  unlinkStoredOuts(spec: PipelineStepSpec, folder: string, step?: { file: string; name: string }): void {
    let recorded: Record<string, string> | undefined;
    for (const o of spec.outs ?? []) {
      if (!existsSync(join(folder, trim(o)))) continue;
      for (const f of filesUnder(folder, trim(o))) {
        const abs = join(folder, f);
        const st = statSync(abs);
        if (st.nlink < 2) continue;
        const path = `outs/${f}`;
        if (step && recorded === undefined) recorded = this.get(step.file, step.name)?.outs ?? {};
        const likely = recorded?.[f];
        // A file is a link to at most one blob (blobs are named by content), so when the
        // likely blob is it, the only question left is whether a run stores it at this path.
        const linked =
          likely !== undefined && this.isLinkTo(st, likely)
            ? this.tracking.store.statement('SELECT 1 FROM run_artifacts WHERE sha256 = ? AND path = ? LIMIT 1').get(likely, path) !== undefined
            : (this.tracking.store.statement('SELECT DISTINCT sha256 FROM run_artifacts WHERE path = ?').all(path) as { sha256: string }[]).some(({ sha256 }) => this.isLinkTo(st, sha256));
        if (linked) unlinkSync(abs);
      }
    }
  }

  /** Whether the file with stat `st` is the stored blob `sha256` (the same inode). */
  private isLinkTo(st: Stats, sha256: string): boolean {
    const blob = this.tracking.artifacts.blobPath(sha256);
    if (!existsSync(blob)) return false;
    const b = statSync(blob);
    return b.ino === st.ino && b.dev === st.dev;
  }
}

/**
 * Makes an out file the hard link to its blob when the store already had those
 * bytes (a step that wrote the same file again): one copy on disk, read-only like
 * every other stored out. Swapped in by rename, so the path never disappears.
 * Where links are impossible (another file system) the file stays as it is.
 */
function linkToBlob(file: string, blob: string): void {
  try {
    if (statSync(file).ino === statSync(blob).ino) return;
    const temp = `${file}.mlops-link-${process.pid}`;
    linkSync(blob, temp);
    renameSync(temp, file);
  } catch {
    /* not linkable here: a copy is as good, only larger */
  }
}
