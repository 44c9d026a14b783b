import { StoreError } from '../store/storeErrors';

// MLflow's limits (mlflow/utils/validation.py), so a script that works against
// MLflow works here and one that MLflow would reject is rejected the same way.
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 5000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_RUN_NAME_LENGTH = 250;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_BATCH_REQUEST_BYTES = 1_000_000;
export const MAX_DATASETS_PER_BATCH = 1000;

// Alphanumerics, underscores, periods, dashes, spaces and slashes, as MLflow.
const KEY_PATTERN = /^[/\w.\- ]*$/;

function invalid(message: string): never {
  throw new StoreError('INVALID_PARAMETER_VALUE', message);
}

export function validateKey(kind: 'metric' | 'param' | 'tag', key: string): void {
  if (key.length === 0) invalid(`Invalid ${kind} name: ''. Names must not be empty.`);
  if (!KEY_PATTERN.test(key)) {
    invalid(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), ` +
        `dashes (-), periods (.), spaces ( ), and slashes (/).`,
    );
  }
  // Keys become file paths in some MLflow stores; MLflow refuses path-like names.
  const normalized = key.split('/').filter((p) => p !== '' && p !== '.');
  if (key.startsWith('/') || normalized.includes('..')) {
    invalid(`Invalid ${kind} name: '${key}'. Names cannot be absolute paths or contain '..'.`);
  }
  if (key.length > MAX_ENTITY_KEY_LENGTH) {
    invalid(`${capitalize(kind)} name '${key.slice(0, 40)}…' had length ${key.length}, which exceeded length limit of ${MAX_ENTITY_KEY_LENGTH}.`);
  }
}

export function validateParamValue(key: string, value: string): void {
  if (value.length > MAX_PARAM_VAL_LENGTH) {
    invalid(`Param value '${value.slice(0, 40)}…' had length ${value.length}, which exceeded length limit of ${MAX_PARAM_VAL_LENGTH} (param '${key}').`);
  }
}

export function validateTagValue(key: string, value: string): void {
  if (value.length > MAX_TAG_VAL_LENGTH) {
    invalid(`Tag value '${value.slice(0, 40)}…' had length ${value.length}, which exceeded length limit of ${MAX_TAG_VAL_LENGTH} (tag '${key}').`);
  }
}

export function validateExperimentName(name: string): void {
  if (name.trim().length === 0) invalid(`Invalid experiment name: '${name}'. The name must not be empty.`);
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    invalid(`Experiment name had length ${name.length}, which exceeded length limit of ${MAX_EXPERIMENT_NAME_LENGTH}.`);
  }
}

function capitalize(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
