/**
 * The environment of the Node programs the extension starts (the backend, the CLI).
 * onnxruntime-node's Linux library uploads telemetry and leaves a debug file in the
 * temp folder of every process that makes a session unless this variable is set;
 * the programs set it themselves too, but a runtime's own variables must not undo it.
 */
export function nodeProgramEnv(runtimeEnv: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return { ...process.env, ...runtimeEnv, ORT_DISABLE_TELEMETRY: '1' };
}
