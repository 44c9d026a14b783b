import { z } from 'zod';
import { DEPLOYMENT_NAME } from './deployments';

// The pipeline file (`*.pipeline.yaml`): one schema for the engine, the CLI and the
// editor, and the source of schemas/pipeline.schema.json (YAML language servers
// read that one). src/core/pipeline/pipelineTypes.ts mirrors the inferred type
// because core imports nothing of ours; test/pipelineSchema.test.ts checks at
// compile time that the two stay the same shape.

export const STEP_NAME = /^[A-Za-z_][\w-]*$/;
// Params and env names end up in `${params.x}` and in gates, so they follow the
// same rule as step names minus the dash (a gate would read `a-b` as one word anyway).
export const PARAM_NAME = /^[A-Za-z_]\w*$/;
/** "90s", "30m", "1h", "1h30m", "250ms", "1.5h". */
export const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

const stepName = z.string().regex(STEP_NAME, 'a step name starts with a letter or _ and has only letters, digits, _ and -');
const paramName = z.string().regex(PARAM_NAME, 'a param name starts with a letter or _ and has only letters, digits and _');
const envName = z.string().regex(PARAM_NAME, 'an environment variable name has only letters, digits and _ and does not start with a digit');
const duration = z.string().regex(DURATION, 'a duration is a number with a unit: "90s", "30m", "1h", "1h30m"');
const relPath = z.string().min(1, 'a path cannot be empty');

export const paramValue = z.union([z.string(), z.number(), z.boolean()]);

export const registerSpec = z.strictObject({
  model: z.string().min(1).describe('Registered model name (created if missing).'),
  path: relPath.describe('File or folder to register, relative to the pipeline file.'),
  alias: z.string().min(1).optional().describe('Alias to point at the new version, e.g. challenger.'),
  features: z.array(z.string().min(1)).optional().describe('Names of the input columns (append ":categorical" for a categorical one), as `mlops models register --features`.'),
  when: z.string().min(1).optional().describe('Gate: register only when it holds, e.g. "evaluate.metrics.auc >= 0.8".'),
});

export const deploySpec = z.strictObject({
  model: z.string().min(1).describe('Registered model to serve.'),
  alias: z.string().min(1).optional().describe('The alias to serve (default champion): models:/MODEL@ALIAS is resolved when the step runs.'),
  deployment: z.string().regex(DEPLOYMENT_NAME, 'a deployment name has letters, digits, ".", "_" and "-"').optional().describe('Deployment to redeploy (started if not running); default: the model name.'),
});

const stepFields = z.strictObject({
  run: z.string().min(1).optional().describe('Shell command, run in the pipeline file\'s folder. ${params.x} and ${env.X} are replaced, shell-quoted.'),
  register: registerSpec.optional().describe('Register a model instead of running a command.'),
  deploy: deploySpec.optional().describe('(Re)deploy a registered model version through the workspace backend, without dropping requests.'),
  needs: z.array(stepName).optional().describe('Steps that must finish first.'),
  deps: z.array(relPath).optional().describe('Files or folders whose content is part of the cache key.'),
  outs: z.array(relPath).optional().describe('Files or folders the step produces (stored, restored, cached).'),
  metrics: relPath.optional().describe('JSON file of metrics the step writes, read into its run.'),
  params: z.array(paramName).optional().describe('Params the step uses (part of its cache key).'),
  env: z.array(envName).optional().describe('Environment variables that are part of the cache key.'),
  retries: z.number().int().min(0).optional().describe('Extra attempts after a failure.'),
  retry_backoff: duration.optional().describe('Wait before the first retry, doubled each time.'),
  timeout: duration.optional().describe('Kill the step after this long, e.g. "30m".'),
});

// A refine, not a union of two object shapes: a union's errors say "no branch
// matched" instead of pointing at the key that is wrong.
export const pipelineStep = stepFields.superRefine((s, ctx) => {
  const kinds = [s.run, s.register, s.deploy].filter((k) => k !== undefined).length;
  if (kinds !== 1) {
    ctx.addIssue({ code: 'custom', path: [], message: kinds === 0 ? 'a step needs "run", "register" or "deploy"' : 'a step has one of "run", "register" and "deploy", not several' });
  }
});

export const pipelineFile = z.strictObject({
  name: z.string().min(1).describe('Pipeline name (the task and the parent run are named after it).'),
  experiment: z.string().min(1).optional().describe('Experiment the runs go to (created if missing).'),
  params: z.record(paramName, paramValue).optional().describe('Param defaults; `--set k=v` overrides them.'),
  env: z.record(envName, z.string()).optional().describe('Environment variables for every step.'),
  steps: z.record(stepName, pipelineStep).describe('Steps by name.'),
});
export type PipelineFile = z.infer<typeof pipelineFile>;
export type PipelineStepSpec = z.infer<typeof pipelineStep>;

/** A schema issue as plain data: where (a path into the file's data) and what. */
export interface PipelineShapeIssue {
  path: (string | number)[];
  message: string;
  /** Point at the map key rather than its value (an unknown or missing key, a bad name). */
  atKey: boolean;
  /** The keys valid at that place, for an unknown key (the editor offers the closest as a fix). */
  expected?: readonly string[];
}

/** Validates parsed YAML data; the shape core's parser takes, so core needs no zod. */
export function checkPipelineShape(data: unknown): { ok: true; value: PipelineFile } | { ok: false; issues: PipelineShapeIssue[] } {
  const r = pipelineFile.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  const issues: PipelineShapeIssue[] = [];
  for (const iss of r.error.issues) {
    const path = iss.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (iss.code === 'unrecognized_keys') {
      const expected = knownKeys(path);
      for (const k of iss.keys) issues.push({ path: [...path, k], message: `unknown key "${k}"${expected.length ? ` (expected one of ${expected.join(', ')})` : ''}`, atKey: true, expected });
    } else if (iss.code === 'invalid_key') {
      const inner = iss.issues[0]?.message ?? iss.message;
      issues.push({ path, message: `"${String(path[path.length - 1])}": ${inner}`, atKey: true });
    } else if (iss.code === 'invalid_type' && valueAt(data, path) === undefined) {
      issues.push({ path, message: `missing "${String(path[path.length - 1])}" (${iss.expected})`, atKey: true });
    } else {
      issues.push({ path, message: iss.message, atKey: iss.code === 'custom' && iss.path.length <= 2 });
    }
  }
  return { ok: false, issues };
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let v: unknown = data;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

// The keys a mistyped key could have meant; the most common schema error by far.
function knownKeys(path: (string | number)[]): readonly string[] {
  const last = path[path.length - 1];
  if (path.length === 0) return pipelineFile.keyof().options;
  if (path[0] === 'steps' && path.length === 2) return stepFields.keyof().options;
  return last === 'register' ? registerSpec.keyof().options : last === 'deploy' ? deploySpec.keyof().options : [];
}

/** JSON Schema (draft 2020-12) of the pipeline file, for YAML editors. */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(pipelineFile, { target: 'draft-2020-12' }) as Record<string, unknown>;
  // The run/register refine has no JSON Schema form of its own; say it with oneOf.
  const steps = (schema.properties as Record<string, Record<string, unknown>>).steps;
  const step = steps.additionalProperties as Record<string, unknown>;
  step.oneOf = [{ required: ['run'] }, { required: ['register'] }, { required: ['deploy'] }];
  return {
    $schema: schema.$schema,
    title: 'MLOps Workbench pipeline file',
    ...schema,
  };
}
