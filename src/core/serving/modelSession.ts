// One loaded ONNX model, ready to answer requests: an onnxruntime session created
// with deliberate thread settings, its signature, and run(). Everything else in
// serving (codecs, batcher) works on plain TensorValues, so this is the only file
// that touches the native runtime.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { loadOnnxRuntime } from './onnxRuntime';
import { ModelLoadError } from '../registry/onnxSignature';
import { float16Bits } from './float16';
import { isElementType, type ElementType, type NamedTensors, type TensorData } from './tensorTypes';

/** A tensor input or output as serving enforces it. */
export interface ServingTensorSpec {
  name: string;
  type: ElementType;
  /** A number is fixed, a string is a symbolic dimension's name, null is unknown. */
  shape: (number | string | null)[];
}

export interface ServingSignature {
  inputs: ServingTensorSpec[];
  /** Tensor outputs only (see skippedOutputs). */
  outputs: ServingTensorSpec[];
  /** Outputs that are not tensors (e.g. skl2onnx's ZipMap sequence of maps): never fetched, since no protocol here can carry them. */
  skippedOutputs: string[];
}

export interface SessionThreadOptions {
  /** Threads inside one operator. Default: 1 for models up to SMALL_MODEL_BYTES, else up to 4 (the cores available). */
  intraOpThreads?: number;
  /** Threads running independent operators in parallel (parallel mode only). Default 1. */
  interOpThreads?: number;
  /** Default 'sequential': small models gain nothing from running branches in parallel. */
  executionMode?: 'sequential' | 'parallel';
  /** Default 'all'. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/**
 * Below this a model is "small": one intra-op thread per session. For a model like a
 * 20-feature logistic regression, a run takes microseconds and a thread pool only
 * adds wake-up latency and contention with the HTTP loop and other sessions; the
 * server gets its parallelism from concurrent requests and batching instead.
 */
export const SMALL_MODEL_BYTES = 32 * 1024 * 1024;

export function defaultIntraOpThreads(modelBytes: number): number {
  return modelBytes <= SMALL_MODEL_BYTES ? 1 : Math.max(1, Math.min(4, availableParallelism()));
}

export class ModelSession {
  private inFlight = new Set<Promise<unknown>>();
  private disposed = false;

  private constructor(
    private readonly session: InferenceSession,
    private readonly TensorCtor: typeof Tensor,
    readonly signature: ServingSignature,
    /** The onnxruntime options the session was created with, for logs and /metrics labels. */
    readonly threads: Required<Pick<SessionThreadOptions, 'intraOpThreads' | 'interOpThreads' | 'executionMode'>>,
  ) {}

  /** Loads the model; a file onnxruntime cannot load, or whose inputs serving cannot fill, is a ModelLoadError. */
  static async create(file: string, options: SessionThreadOptions = {}): Promise<ModelSession> {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      throw new ModelLoadError(file, 'the file does not exist or cannot be read');
    }
    const threads = {
      intraOpThreads: options.intraOpThreads ?? defaultIntraOpThreads(size),
      interOpThreads: options.interOpThreads ?? 1,
      executionMode: options.executionMode ?? 'sequential',
    } as const;
    // Loaded on first use, as the registry does: the backend pays for the native runtime only when it serves.
    const ort = await loadOnnxRuntime();
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, {
        intraOpNumThreads: threads.intraOpThreads,
        interOpNumThreads: threads.interOpThreads,
        executionMode: threads.executionMode,
        graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ModelLoadError(file, message.replace(/^Load model from .*? failed:\s*/s, '').trim() || 'unknown error');
    }
    try {
      return new ModelSession(session, ort.Tensor, servingSignature(session), threads);
    } catch (err) {
      await session.release();
      throw new ModelLoadError(file, (err as Error).message);
    }
  }

  /**
   * Runs the model. Feeds must already match the signature (the codecs check it);
   * `outputNames` limits what is fetched (default: every tensor output).
   */
  async run(feeds: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    if (this.disposed) throw new Error('The model session was disposed; the deployment is being replaced or stopped.');
    const ortFeeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new this.TensorCtor(t.type, t.data as never, t.dims);
    const fetches = outputNames ?? this.signature.outputs.map((o) => o.name);
    const running = this.session.run(ortFeeds, [...fetches]);
    this.inFlight.add(running);
    try {
      const results = await running;
      const out: NamedTensors = {};
      for (const name of fetches) {
        const t = results[name] as Tensor;
        // Where a runtime has Float16Array, onnxruntime returns numbers; serving keeps half bits everywhere.
        const data = t.type === 'float16' && !(t.data instanceof Uint16Array) ? Uint16Array.from(t.data as ArrayLike<number>, float16Bits) : (t.data as TensorData);
        out[name] = { type: t.type as ElementType, dims: [...t.dims], data };
      }
      return out;
    } finally {
      this.inFlight.delete(running);
    }
  }

  /** Releases the native session after the runs in flight settle (a redeploy must not cut a request short). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.session.release();
  }
}

function servingSignature(session: InferenceSession): ServingSignature {
  const inputs = session.inputMetadata.map((m) => {
    if (!m.isTensor) throw new Error(`its input ${m.name} is not a tensor, which no serving protocol here can send`);
    if (!isElementType(m.type)) throw new Error(`its input ${m.name} has element type ${m.type}, which serving does not support`);
    return { name: m.name, type: m.type, shape: m.shape.map((d) => (d === '' ? null : d)) };
  });
  const outputs: ServingTensorSpec[] = [];
  const skippedOutputs: string[] = [];
  for (const m of session.outputMetadata) {
    if (m.isTensor && isElementType(m.type)) outputs.push({ name: m.name, type: m.type, shape: m.shape.map((d) => (d === '' ? null : d)) });
    else skippedOutputs.push(m.name);
  }
  if (outputs.length === 0) throw new Error('none of its outputs is a tensor serving can return');
  return { inputs, outputs, skippedOutputs };
}
