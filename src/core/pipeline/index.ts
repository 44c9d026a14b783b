// The pipeline engine's public surface: the CLI, the server and tests import from here.
export * from './pipelineTypes';
export { parsePipelineFile, type ParsedPipelineFile, type PipelineShapeCheck, type ShapeIssue } from './parsePipelineFile';
export { checkDeps } from './checkDeps';
export { positionOf } from './pipelineSource';
export { parseGate, tokenizeGate, gateReferences, GateSyntaxError, type GateNode, type CompareOp } from './gateParser';
export { evaluateGate, type GateContext, type GateResult } from './gateEvaluate';
export { resolveParams, interpolate, shellQuote } from './params';
export { planPipeline, type PipelinePlan, type PlanOptions } from './plan';
export { findCycles, type NeedsCycle } from './dagCycles';
export { parseDuration } from './duration';
export { closestName } from './closestName';
export { runPipeline, readMetricsFile, type RunPipelineOptions, type PipelineRunResult, type StepResult, type StepStatus, type StepEvent } from './runPipeline';
export type { StepProcessHost } from './stepProcess';
export { StepCache, FileHashMemo, stepInputs, cacheKey, inputChanges, hashPath, type StepInputs, type CacheEntry, type CacheDecision } from './stepCache';
export { pipelineStatus, type StepStatusRow } from './pipelineStatus';
export { pipelineHistory, STEP_OUTCOME_TAG, type PipelineHistory, type StepLastRun, type StepOutcome } from './pipelineHistory';
