import { z } from 'zod';

// The serving protocols' bodies as the editor (Send Test Request, the Deployments
// view) and tests read them: Open Inference Protocol (KServe v2) requests,
// responses, model metadata and errors, MLflow's and KServe v1's predictions.
// Mirrors src/core/serving (oipCodec.ts, mlflowScoring.ts, kserveV1.ts);
// test/servingProtocol.test.ts checks at compile time that they stay the same shape.
// The server validates requests with the core decoders, whose messages name the
// model's inputs; these schemas are for clients.

export const oipDatatype = z.enum(['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES']);
export type OipDatatype = z.infer<typeof oipDatatype>;

const parameters = z.record(z.string(), z.unknown());

/** Elements as JSON carries them: numbers, booleans, strings (BYTES; 64-bit integers beyond 2^53). */
const element = z.union([z.number(), z.boolean(), z.string()]);

export const oipInferRequest = z.object({
  id: z.string().optional(),
  parameters: parameters.optional(),
  inputs: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int().nonnegative()),
      datatype: z.string(),
      parameters: parameters.optional(),
      /** Flat or nested (row-major). */
      data: z.unknown(),
    }),
  ),
  outputs: z.array(z.object({ name: z.string(), parameters: parameters.optional() })).optional(),
});
export type OipInferRequest = z.infer<typeof oipInferRequest>;

export const oipResponseOutput = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  datatype: oipDatatype,
  data: z.array(element),
});

export const oipInferResponse = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string(),
  parameters: parameters.optional(),
  outputs: z.array(oipResponseOutput),
});
export type OipInferResponse = z.infer<typeof oipInferResponse>;

const oipTensorMetadata = z.object({
  name: z.string(),
  datatype: oipDatatype,
  /** -1 for a variable-size dimension. */
  shape: z.array(z.number().int().min(-1)),
});

export const oipModelMetadata = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.literal('onnxruntime_onnx'),
  inputs: z.array(oipTensorMetadata),
  outputs: z.array(oipTensorMetadata),
});
export type OipModelMetadata = z.infer<typeof oipModelMetadata>;

/** Every OIP failure body (400 for a request the model cannot take). */
export const oipError = z.object({ error: z.string() });

/** MLflow /invocations and KServe v1 :predict answers. */
export const predictionsResponse = z.object({ predictions: z.unknown() });
export const v1PredictResponse = z.object({ predictions: z.array(z.unknown()) });
