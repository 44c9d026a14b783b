// Every protocol module whose zod schemas the extension uses. esbuild builds this
// file into its own bundle (dist/extensionSchemas.js), loaded by lazySchemas.ts on
// first use: zod is two thirds of the extension's code, and activation needs none of it.
export * as native from '../protocol/native';
export * as runDetailMessages from '../protocol/runDetailMessages';
export * as runsTableMessages from '../protocol/runsTableMessages';
export * as comparisonMessages from '../protocol/comparisonMessages';
export * as modelPanelMessages from '../protocol/modelPanelMessages';
export * as pipelineDagMessages from '../protocol/pipelineDagMessages';
export * as pipelineApi from '../protocol/pipelineApi';
export * as deployments from '../protocol/deployments';
export * as monitoring from '../protocol/monitoring';
export * as monitoringPanelMessages from '../protocol/monitoringPanelMessages';
