// The protocol's zod schemas, loaded on first use. zod is most of the extension's
// code: activation must stay under 50 ms and needs no schema, so every value import
// of src/protocol in the extension goes through here (type imports are free and stay
// as they are). In the built extension, `./protocolSchemas` is a bundle of its own
// (dist/extensionSchemas.js, see esbuild.mjs): the extension's bundle does not even
// carry zod's code, so loading it parses a third of the text.
/* eslint-disable @typescript-eslint/no-require-imports */

type ProtocolSchemas = typeof import('./protocolSchemas');

let loaded: ProtocolSchemas | undefined;

function schemas(): ProtocolSchemas {
  return (loaded ??= require('./protocolSchemas') as ProtocolSchemas);
}

/** Whether the schemas' bundle has been loaded in this process (activation must not). */
export function schemasLoaded(): boolean {
  return loaded !== undefined;
}

export const nativeSchemas = () => schemas().native;
export const runDetailSchemas = () => schemas().runDetailMessages;
export const runsTableSchemas = () => schemas().runsTableMessages;
export const comparisonSchemas = () => schemas().comparisonMessages;
export const modelPanelSchemas = () => schemas().modelPanelMessages;
export const pipelineDagSchemas = () => schemas().pipelineDagMessages;
export const pipelineApiSchemas = () => schemas().pipelineApi;
export const deploymentSchemas = () => schemas().deployments;
export const monitoringSchemas = () => schemas().monitoring;
export const monitoringPanelSchemas = () => schemas().monitoringPanelMessages;
