import { StoreError } from '../store/storeErrors';
import { MAX_ENTITY_KEY_LENGTH } from '../tracking/limits';
import { MODEL_STAGES, type ModelStage } from './types';

// MLflow's validation rules for the registry (mlflow/utils/validation.py and
// the model registry's SQL store), worded like MLflow's messages.

export const MAX_ALIAS_LENGTH = 255;
export const MAX_REGISTRY_TAG_VALUE_LENGTH = 100_000;
export const MAX_DESCRIPTION_LENGTH = 100_000;
export const MAX_MODEL_NAME_LENGTH = 256;

function invalid(message: string): never {
  throw new StoreError('INVALID_PARAMETER_VALUE', message);
}

/**
 * A model name is used in models:/ URIs and in artifact paths, so '/' (which
 * would make `models:/a/b/1` ambiguous), backslashes, NUL and '..' are refused.
 */
export function validateModelName(name: string): void {
  if (!name) invalid('Registered model name cannot be empty.');
  if (name.length > MAX_MODEL_NAME_LENGTH) invalid(`Registered model name '${name.slice(0, 40)}…' had length ${name.length}, which exceeded length limit of ${MAX_MODEL_NAME_LENGTH}.`);
  if (/[/\\\0]/.test(name) || name === '.' || name === '..') {
    invalid(`Invalid model name '${name}': names cannot contain '/', '\\' or NUL, or be '.' or '..' (they appear in models:/<name>/<version> URIs).`);
  }
  if (name.includes('@')) invalid(`Invalid model name '${name}': '@' introduces an alias in models:/<name>@<alias> URIs.`);
}

const ALIAS = /^[\w-]*$/;
const VERSION_ALIAS = /^[vV]\d+$/;

export function validateAlias(alias: string): void {
  if (!alias) invalid('Registered model alias name cannot be empty.');
  if (!ALIAS.test(alias)) {
    invalid(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  if (alias.length > MAX_ALIAS_LENGTH) invalid(`Registered model alias name '${alias.slice(0, 40)}…' had length ${alias.length}, which exceeded length limit of ${MAX_ALIAS_LENGTH}.`);
  if (alias.toLowerCase() === 'latest') invalid("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS.test(alias)) invalid(`Version alias name '${alias}' is reserved.`);
}

export function validateRegistryTag(key: string, value: string): void {
  if (!key) invalid('Missing value for required parameter \'key\'.');
  if (key.length > MAX_ENTITY_KEY_LENGTH) invalid(`Tag key '${key.slice(0, 40)}…' had length ${key.length}, which exceeded length limit of ${MAX_ENTITY_KEY_LENGTH}.`);
  if (value.length > MAX_REGISTRY_TAG_VALUE_LENGTH) invalid(`Tag value had length ${value.length}, which exceeded length limit of ${MAX_REGISTRY_TAG_VALUE_LENGTH}.`);
}

export function validateDescription(description: string): void {
  if (description.length > MAX_DESCRIPTION_LENGTH) invalid(`Description had length ${description.length}, which exceeded length limit of ${MAX_DESCRIPTION_LENGTH}.`);
}

/** MLflow matches stages case-insensitively and answers with the canonical spelling. */
export function canonicalStage(stage: string): ModelStage {
  const found = MODEL_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (!found) invalid(`Invalid Model Version stage: ${stage}. Value must be one of ${MODEL_STAGES.join(', ')}.`);
  return found;
}

/** Version numbers travel as strings; "3" is fine, "3a", "0" and "-1" are not. */
export function parseVersion(version: string | number): number {
  const n = typeof version === 'number' ? version : /^\d+$/.test(version.trim()) ? Number(version.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) invalid(`Parameter 'version' must be a positive integer, got '${version}'.`);
  return n;
}
