// Where a version's feature names can come from when nobody typed them: the data
// set its source run was trained on. MLflow records a run's data sets as inputs
// (name, digest, source) and, separately, a script may log the CSV itself as an
// artifact. The rule, kept simple so a user can predict it: a CSV artifact of the
// run whose file name is `<dataset name>.csv`, or the file name of the dataset's
// source, is that data set; training-context data sets are tried first.
import { open } from 'node:fs/promises';
import type { TrackingStore } from '../tracking/trackingStore';
import type { DatasetInput } from '../tracking/types';

export interface RunDatasetCsv {
  /** The data set's name, as logged with the run. */
  dataset: string;
  /** The artifact path of the CSV. */
  path: string;
  /** The start of the file: enough for the header and the sampled rows. */
  text: string;
}

/** Read at most this much of a CSV: the header and ~100 rows fit in it for any sane width. */
const CSV_HEAD_BYTES = 256 * 1024;
const CONTEXT_TAG = 'mlflow.data.context';

/** The file name a dataset's source points at; MLflow writes sources as JSON (`{"uri": ...}`) or a plain path/URL. */
function sourceFileName(source: string): string | undefined {
  let location = source;
  try {
    const parsed: unknown = JSON.parse(source);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      const candidate = [o.uri, o.path, o.url].find((v) => typeof v === 'string');
      if (typeof candidate !== 'string') return undefined;
      location = candidate;
    }
  } catch {
    /* a plain path or URL */
  }
  const name = location.split(/[?#]/)[0].split(/[/\\]/).pop();
  return name && name.toLowerCase().endsWith('.csv') ? name.toLowerCase() : undefined;
}

function isTraining(input: DatasetInput): boolean {
  const context = input.tags.find((t) => t.key === CONTEXT_TAG)?.value.toLowerCase();
  return context === 'train' || context === 'training';
}

/** The CSV file the run logged for one of its data sets (see the rule above): its stored blob, or undefined. */
export function findRunDatasetFile(tracking: TrackingStore, runId: string): { dataset: string; path: string; file: string } | undefined {
  let inputs: DatasetInput[];
  try {
    inputs = tracking.runs.get(runId).inputs.datasetInputs;
  } catch {
    return undefined; // the run is gone: nothing to learn from it
  }
  if (inputs.length === 0) return undefined;
  const csvArtifacts = tracking.store.db
    .prepare(`SELECT path, sha256 FROM run_artifacts WHERE run_uuid = ? AND lower(path) LIKE '%.csv' ORDER BY length(path), path`)
    .all(runId) as { path: string; sha256: string }[];
  if (csvArtifacts.length === 0) return undefined;
  const ordered = [...inputs.filter(isTraining), ...inputs.filter((i) => !isTraining(i))];
  for (const input of ordered) {
    const names = new Set([`${input.dataset.name.toLowerCase()}.csv`, sourceFileName(input.dataset.source)].filter((n): n is string => !!n));
    const match = csvArtifacts.find((a) => names.has((a.path.split('/').pop() ?? a.path).toLowerCase()));
    if (match) return { dataset: input.dataset.name, path: match.path, file: tracking.artifacts.blobPath(match.sha256) };
  }
  return undefined;
}

/** The start of the CSV the run logged for one of its data sets, or undefined. */
export async function findRunDatasetCsv(tracking: TrackingStore, runId: string): Promise<RunDatasetCsv | undefined> {
  const found = findRunDatasetFile(tracking, runId);
  return found && { dataset: found.dataset, path: found.path, text: await readHead(found.file) };
}

async function readHead(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(CSV_HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, CSV_HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}
