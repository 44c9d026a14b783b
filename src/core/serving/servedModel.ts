// One model version ready to serve, with everything an HTTP route needs behind one
// call per protocol: raw body in, a body to send or a classified error out. The
// session, the batcher and the codecs are composed here so the routes only map an
// outcome's kind to a status (bad-request 400, unsupported-media-type 415,
// inference-failed: the model's own failure on an input it accepted).
import type { FeatureSchema } from '../registry/featureSchema';
import { DynamicBatcher, type BatcherOptions } from './dynamicBatcher';
import { decodeV1Predict, encodeV1Predictions } from './kserveV1';
import { encodeMlflowPredictions, invocationsContentKind, parseInvocationsCsv, parseInvocationsJson } from './mlflowScoring';
import { ModelSession, type SessionThreadOptions } from './modelSession';
import { decodeInferRequest, encodeInferResponse, modelMetadata, type OipInferResponse, type OipModelMetadata } from './oipCodec';
import type { ServingResult } from './servingResult';
import type { NamedTensors } from './tensorTypes';

export interface ServedModelOptions {
  name: string;
  version: string;
  /** The version's ONNX file (already integrity-checked by the registry). */
  file: string;
  /** The version's feature schema: how DataFrame columns map to the input. */
  features?: FeatureSchema;
  /** Versions a client may ask for by number, listed in the OIP metadata. */
  versions?: string[];
  threads?: SessionThreadOptions;
  batching?: BatcherOptions;
  /** Sees every request the model answered (inputs and outputs), e.g. to record it for monitoring. Must be cheap: it runs before the answer is encoded. */
  observe?: (feeds: NamedTensors, results: NamedTensors) => void;
}

export type ServingFailureKind = 'bad-request' | 'unsupported-media-type' | 'inference-failed';

export type ServingOutcome<T> = { ok: true; body: T } | { ok: false; kind: ServingFailureKind; message: string };

export class ServedModel {
  private constructor(
    readonly name: string,
    readonly version: string,
    readonly session: ModelSession,
    readonly batcher: DynamicBatcher,
    private readonly featureSchema: FeatureSchema | undefined,
    private readonly versions: string[] | undefined,
    private readonly observe: ((feeds: NamedTensors, results: NamedTensors) => void) | undefined,
  ) {}

  /** What the MLflow codec needs of the model, built once. */
  private get tabularModel() {
    return (this.tabular ??= { signature: this.session.signature, ...(this.featureSchema ? { features: this.featureSchema } : {}) });
  }
  private tabular: { signature: ModelSession['signature']; features?: FeatureSchema } | undefined;

  get features(): FeatureSchema | undefined {
    return this.featureSchema;
  }

  static async load(options: ServedModelOptions): Promise<ServedModel> {
    const session = await ModelSession.create(options.file, options.threads);
    return new ServedModel(options.name, options.version, session, new DynamicBatcher(session, options.batching), options.features, options.versions, options.observe);
  }

  metadata(): OipModelMetadata {
    return modelMetadata(this.name, this.versions, this.session.signature);
  }

  /** POST /v2/models/{name}[/versions/{v}]/infer */
  inferOip(rawBody: string): Promise<ServingOutcome<OipInferResponse>> {
    const decoded = parsed(rawBody, (json) => decodeInferRequest(json, this.session.signature));
    if (!decoded.ok) return Promise.resolve(badRequest(decoded.error));
    const { id, feeds, outputNames } = decoded.value;
    return this.runThen(feeds, outputNames, (results) => encodeInferResponse({ modelName: this.name, modelVersion: this.version, id, results, outputNames }));
  }

  /** POST /invocations (MLflow 2.x scoring server): JSON or CSV by Content-Type. */
  invocations(rawBody: string, contentType: string | undefined): Promise<ServingOutcome<{ predictions: unknown }>> {
    const kind = invocationsContentKind(contentType);
    if (!kind) {
      return Promise.resolve({ ok: false, kind: 'unsupported-media-type', message: `Content-Type ${contentType ? `'${contentType}'` : '(none)'} is not supported: send application/json or text/csv.` });
    }
    const model = this.tabularModel;
    const input = kind === 'csv' ? parseInvocationsCsv(rawBody, model) : parsed(rawBody, (json) => parseInvocationsJson(json, model));
    if (!input.ok) return Promise.resolve(badRequest(input.error));
    return this.runThen(input.value.feeds, undefined, (results) => encodeMlflowPredictions(results, input.value.kind));
  }

  /** POST /v1/models/{name}:predict (KServe v1). */
  predictV1(rawBody: string): Promise<ServingOutcome<{ predictions: unknown[] }>> {
    const feeds = parsed(rawBody, (json) => decodeV1Predict(json, this.session.signature));
    if (!feeds.ok) return Promise.resolve(badRequest(feeds.error));
    return this.runThen(feeds.value, undefined, encodeV1Predictions);
  }

  /** Lets queued requests run, then releases the session (a redeploy swaps models without dropping requests). */
  async dispose(): Promise<void> {
    await this.batcher.drain();
    await this.session.dispose();
  }

  /** Runs the feeds, lets `observe` see them, and encodes; without async frames, which a small model's request pays for in allocation. */
  private runThen<T>(feeds: NamedTensors, outputNames: readonly string[] | undefined, encode: (results: NamedTensors) => T): Promise<ServingOutcome<T>> {
    return this.batcher.run(feeds, outputNames).then(
      (results): ServingOutcome<T> => {
        if (this.observe) {
          try {
            this.observe(feeds, results);
          } catch {
            /* monitoring never fails a request */
          }
        }
        return { ok: true, body: encode(results) };
      },
      (err: unknown): ServingOutcome<T> => {
        const reason = (err instanceof Error ? err.message : String(err)).trim();
        return { ok: false, kind: 'inference-failed', message: `The model could not compute this input: ${reason}` };
      },
    );
  }
}

function badRequest(message: string): ServingOutcome<never> {
  return { ok: false, kind: 'bad-request', message };
}

/** JSON.parse with a message for a person, then the decoder. */
function parsed<T>(rawBody: string, decode: (json: unknown) => ServingResult<T>): ServingResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (err) {
    return { ok: false, error: `The body is not valid JSON: ${(err as Error).message}.` };
  }
  return decode(json);
}
