// The protocol's zod schemas, loaded on first use. zod is most of the
// extension's bundle and takes tens of milliseconds to evaluate; activation
// must stay under 50 ms, and needs no schema. esbuild evaluates a bundled
// module reached through require() only when that require() first runs, so
// every value import of src/protocol in the extension goes through here
// (type imports are free and stay as they are).
/* eslint-disable @typescript-eslint/no-require-imports */

export function nativeSchemas(): typeof import('../protocol/native') {
  return require('../protocol/native') as typeof import('../protocol/native');
}

export function runDetailSchemas(): typeof import('../protocol/runDetailMessages') {
  return require('../protocol/runDetailMessages') as typeof import('../protocol/runDetailMessages');
}

export function runsTableSchemas(): typeof import('../protocol/runsTableMessages') {
  return require('../protocol/runsTableMessages') as typeof import('../protocol/runsTableMessages');
}

export function comparisonSchemas(): typeof import('../protocol/comparisonMessages') {
  return require('../protocol/comparisonMessages') as typeof import('../protocol/comparisonMessages');
}

export function modelPanelSchemas(): typeof import('../protocol/modelPanelMessages') {
  return require('../protocol/modelPanelMessages') as typeof import('../protocol/modelPanelMessages');
}

export function pipelineDagSchemas(): typeof import('../protocol/pipelineDagMessages') {
  return require('../protocol/pipelineDagMessages') as typeof import('../protocol/pipelineDagMessages');
}

export function pipelineApiSchemas(): typeof import('../protocol/pipelineApi') {
  return require('../protocol/pipelineApi') as typeof import('../protocol/pipelineApi');
}

export function deploymentSchemas(): typeof import('../protocol/deployments') {
  return require('../protocol/deployments') as typeof import('../protocol/deployments');
}

export function monitoringSchemas(): typeof import('../protocol/monitoring') {
  return require('../protocol/monitoring') as typeof import('../protocol/monitoring');
}

export function monitoringPanelSchemas(): typeof import('../protocol/monitoringPanelMessages') {
  return require('../protocol/monitoringPanelMessages') as typeof import('../protocol/monitoringPanelMessages');
}
