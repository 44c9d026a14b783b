// The serving wire schemas (src/protocol/inference.ts) and the core codecs must
// describe the same bodies: checked at compile time, then on real encoded bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oipInferResponse, oipModelMetadata, oipError, v1PredictResponse, type OipInferResponse as WireResponse, type OipModelMetadata as WireMetadata } from '../src/protocol/inference';
import { decodeInferRequest, encodeInferResponse, modelMetadata, type OipInferResponse, type OipModelMetadata } from '../src/core/serving/oipCodec';
import { encodeV1Predictions } from '../src/core/serving/kserveV1';
import type { ServingSignature } from '../src/core/serving/modelSession';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const responsesMatch: Same<OipInferResponse, WireResponse> = true;
const metadataMatch: Same<OipModelMetadata, WireMetadata> = true;

const SIG: ServingSignature = {
  inputs: [{ name: 'x', type: 'float16', shape: ['N', 2] }],
  outputs: [{ name: 'y', type: 'uint64', shape: ['N', null] }],
  skippedOutputs: [],
};

test('encoded OIP responses, metadata and errors parse with the wire schemas', () => {
  assert.ok(responsesMatch && metadataMatch);
  const response = encodeInferResponse({
    modelName: 'm',
    id: 'r1',
    results: { y: { type: 'uint64', dims: [1, 2], data: BigUint64Array.from([1n, 2n ** 64n - 1n]) } },
  });
  assert.deepEqual(oipInferResponse.parse(response), response);
  assert.deepEqual(response.outputs[0].data, [1, '18446744073709551615']);
  const meta = modelMetadata('m', ['1'], SIG);
  assert.deepEqual(oipModelMetadata.parse(meta), meta);
  const refused = decodeInferRequest({ inputs: [] }, SIG);
  assert.ok(!refused.ok && oipError.safeParse({ error: refused.error }).success);
  assert.ok(v1PredictResponse.safeParse(encodeV1Predictions({ y: { type: 'uint64', dims: [1, 1], data: BigUint64Array.from([3n]) } })).success);
});
