// The pipeline file as core sees it. Mirrors src/protocol/pipelineFile.ts (core
// imports nothing of ours, so not the zod schema); test/pipelineSchema.test.ts
// checks at compile time that the two stay the same shape.

export type ParamValue = string | number | boolean;

export interface RegisterSpec {
  model: string;
  path: string;
  alias?: string;
  /** Input column names, as `mlops models register --features`. */
  features?: string[];
  /** Gate expression, see gateParser.ts. */
  when?: string;
}

export interface DeploySpec {
  model: string;
  /** Default champion. */
  alias?: string;
  /** Default: the model name. */
  deployment?: string;
}

export interface PipelineStepSpec {
  run?: string;
  register?: RegisterSpec;
  deploy?: DeploySpec;
  needs?: string[];
  deps?: string[];
  outs?: string[];
  metrics?: string;
  params?: string[];
  env?: string[];
  retries?: number;
  retry_backoff?: string;
  timeout?: string;
}

export interface PipelineFile {
  name: string;
  experiment?: string;
  params?: Record<string, ParamValue>;
  env?: Record<string, string>;
  /** Key order is file order, which planning keeps among steps that are ready together. */
  steps: Record<string, PipelineStepSpec>;
}

/** Lines and columns are 1-based; the end is exclusive (the editor subtracts 1). */
export interface PipelineDiagnostic {
  message: string;
  severity: 'error' | 'warning';
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Stable: 'yaml-syntax', 'duplicate-key', 'schema', 'unknown-need', 'cycle', 'unknown-param', 'gate-syntax', 'gate-reference', 'missing-dep', 'implicit-need' (a warning). */
  code: string;
  /** Text that fixes the problem when it replaces the range (a "did you mean" name): the editor's quick fix. */
  replacement?: string;
}

/** A refusal a person can act on (bad override, unknown step, cycle); the CLI prints the message. */
export class PipelineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}
