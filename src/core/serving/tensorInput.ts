// Tensors given as nested JSON arrays without a declared shape (MLflow's "inputs"
// and "instances", KServe v1's "instances") -> feeds. The shape is read from the
// nesting (it must be rectangular), then checked against the model like an OIP
// request's, with the element type taken from the model.
import type { ServingSignature } from './modelSession';
import { RequestError } from './servingResult';
import { checkShape } from './shapeCheck';
import type { NamedTensors } from './tensorTypes';
import { flattenRowMajor, nestedShape, tensorDataFrom } from './tensorValues';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Named nested arrays ({"x": [[...]], "count": [[...]]}); every model input must be given, no other. */
export function namedTensorsToFeeds(named: Record<string, unknown>, signature: ServingSignature, field: string): NamedTensors {
  const known = new Set(signature.inputs.map((s) => s.name));
  const unknown = Object.keys(named).filter((k) => !known.has(k));
  if (unknown.length) throw new RequestError(`Unknown input ${unknown.join(', ')} in "${field}": the model's inputs are ${[...known].join(', ')}.`);
  const missing = signature.inputs.filter((s) => !(s.name in named)).map((s) => s.name);
  if (missing.length) throw new RequestError(`Missing input ${missing.join(', ')} in "${field}": the model needs ${[...known].join(', ')}.`);
  const feeds: NamedTensors = {};
  const bindings = new Map<string, { value: number; input: string }>();
  for (const spec of signature.inputs) {
    const value = named[spec.name];
    const dims = nestedShape(value, `Input ${spec.name}`);
    checkShape(spec, dims, bindings);
    feeds[spec.name] = { type: spec.type, dims, data: tensorDataFrom(flattenRowMajor(value, `Input ${spec.name}`), spec.type, `Input ${spec.name}`) };
  }
  return feeds;
}

/** One unnamed tensor (a list of rows); only for a model with a single input. */
export function unnamedTensorToFeeds(value: unknown[], signature: ServingSignature, field: string): NamedTensors {
  if (signature.inputs.length !== 1) {
    throw new RequestError(`"${field}" is a plain list, but this model has ${signature.inputs.length} inputs (${signature.inputs.map((s) => s.name).join(', ')}); name them: {"${field}": {"${signature.inputs[0].name}": [...], ...}}.`);
  }
  return namedTensorsToFeeds({ [signature.inputs[0].name]: value }, signature, field);
}

/**
 * Row-format instances: a list of rows for a single-input model, or a list of
 * objects keyed by input name (TensorFlow Serving's row format), stacked per input.
 */
export function instancesToFeeds(instances: unknown[], signature: ServingSignature, field = 'instances'): NamedTensors {
  if (instances.length === 0) throw new RequestError(`"${field}" is empty: send at least one instance.`);
  if (!instances.every(isObject)) {
    if (instances.some(isObject)) throw new RequestError(`"${field}" mixes objects and plain values; use one form for every instance.`);
    return unnamedTensorToFeeds(instances, signature, field);
  }
  const named: Record<string, unknown[]> = {};
  instances.forEach((inst, i) => {
    for (const spec of signature.inputs) {
      if (!(spec.name in inst)) throw new RequestError(`Instance ${i} has no value for input ${spec.name}.`);
      (named[spec.name] ??= []).push(inst[spec.name]);
    }
    const extra = Object.keys(inst).filter((k) => !signature.inputs.some((s) => s.name === k));
    if (extra.length) throw new RequestError(`Instance ${i} names unknown input ${extra.join(', ')}: the model's inputs are ${signature.inputs.map((s) => s.name).join(', ')}.`);
  });
  return namedTensorsToFeeds(named, signature, field);
}
