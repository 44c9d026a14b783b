import { z } from 'zod';
import { mlflowInt64 } from './mlflowValues';
import { id } from './mlflowTracking';
import { quotedInput } from './quotedInput';

// Requests of MLflow's model registry REST API 2.0 (protos/model_registry.proto).
// Fields are snake_case as on the wire; unknown fields are ignored, as protobuf's
// JSON parser does for MLflow. Versions travel as strings ("3"); a number is accepted.

const required = id;
const version = z
  .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? "Missing value for required parameter 'version'." : `Invalid value ${quotedInput(issue.input)} for parameter 'version' supplied.`) })
  .transform(String)
  .pipe(z.string().min(1, "Missing value for required parameter 'version'."));
const stringish = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const tag = z.object({ key: required('key'), value: stringish.default('') });
const stringList = z.union([z.array(z.string()), z.string().transform((s) => [s])]).default([]);
// GET query strings carry booleans as text.
const bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((s) => s.toLowerCase() === 'true')]);

export const createRegisteredModel = z.object({
  name: required('name'),
  tags: z.array(tag).default([]),
  description: z.string().optional(),
});
export const registeredModelByName = z.object({ name: required('name') });
export const renameRegisteredModel = z.object({ name: required('name'), new_name: required('new_name') });
export const updateRegisteredModel = z.object({ name: required('name'), description: z.string().optional() });
export const searchRegisteredModels = z.object({
  filter: z.string().optional(),
  max_results: mlflowInt64.optional(),
  order_by: stringList,
  page_token: z.string().optional(),
});
export const getLatestVersions = z.object({ name: required('name'), stages: stringList });
export const setRegisteredModelTag = z.object({ name: required('name'), key: required('key'), value: stringish });
export const deleteRegisteredModelTag = z.object({ name: required('name'), key: required('key') });

/**
 * A model version tag that carries the features at registration (`age,income,plan:categorical`),
 * as `mlops models register --features` does: MLflow's create request has no field for them.
 */
export const MODEL_VERSION_FEATURES_TAG = 'mlops.features';

export const createModelVersion = z.object({
  name: required('name'),
  source: required('source'),
  run_id: z.string().optional(),
  tags: z.array(tag).default([]),
  run_link: z.string().optional(),
  description: z.string().optional(),
});
export const modelVersionRef = z.object({ name: required('name'), version });
export const updateModelVersion = z.object({ name: required('name'), version, description: z.string().optional() });
export const transitionModelVersionStage = z.object({
  name: required('name'),
  version,
  stage: required('stage'),
  archive_existing_versions: bool.default(false),
});
export const searchModelVersions = z.object({
  filter: z.string().optional(),
  max_results: mlflowInt64.optional(),
  order_by: stringList,
  page_token: z.string().optional(),
});
export const setModelVersionTag = z.object({ name: required('name'), version, key: required('key'), value: stringish });
export const deleteModelVersionTag = z.object({ name: required('name'), version, key: required('key') });

export const setRegisteredModelAlias = z.object({ name: required('name'), alias: required('alias'), version });
export const registeredModelAlias = z.object({ name: required('name'), alias: required('alias') });

/** ModelVersion as MLflow answers it. */
export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: string;
  description?: string;
  source: string;
  run_id?: string;
  run_link?: string;
  status: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
  status_message?: string;
  tags?: { key: string; value: string }[];
  aliases?: string[];
}

/** RegisteredModel as MLflow answers it. */
export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: MlflowModelVersion[];
  tags?: { key: string; value: string }[];
  aliases?: { alias: string; version: string }[];
}
