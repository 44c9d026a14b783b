// onnxruntime-node, loaded on first use, with the runtime's own telemetry off.

/**
 * ONNX Runtime (1.30 on Linux) starts Microsoft's telemetry with its first
 * session: a device id and an event database under ~/.cache/Microsoft/DeveloperTools,
 * a log and a session file in TMPDIR, and uploads when it finds a CA bundle. A
 * local tool writes only in its workspace and sends nothing anywhere; the runtime
 * reads this variable when it starts, so it is set before the module loads. A
 * value the user set is kept.
 */
export function loadOnnxRuntime(): Promise<typeof import('onnxruntime-node')> {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  return import('onnxruntime-node');
}
