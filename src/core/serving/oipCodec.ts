// Open Inference Protocol (KServe v2) REST bodies <-> tensors, exactly as the spec
// writes them: the inference request and response objects and the model metadata
// object. The HTTP layer parses JSON, calls these, and sends `{"error": message}`
// with 400 when a decode fails.
import type { ServingSignature, ServingTensorSpec } from './modelSession';
import { asResult, RequestError, type ServingResult } from './servingResult';
import { checkShape, formatShape, isDimList } from './shapeCheck';
import { elementCount, elementTypeOfOip, oipDatatypeOf, OIP_DATATYPES, type NamedTensors, type OipDatatype } from './tensorTypes';
import { flattenRowMajor, jsonValuesOf, tensorDataFrom } from './tensorValues';

export type OipParameters = Record<string, unknown>;

export interface OipInferRequest {
  id?: string;
  parameters?: OipParameters;
  inputs: { name: string; shape: number[]; datatype: string; parameters?: OipParameters; data: unknown }[];
  outputs?: { name: string; parameters?: OipParameters }[];
}

export interface OipResponseOutput {
  name: string;
  shape: number[];
  datatype: OipDatatype;
  data: (number | boolean | string)[];
}

export interface OipInferResponse {
  model_name: string;
  model_version?: string;
  id: string;
  parameters?: OipParameters;
  outputs: OipResponseOutput[];
}

export interface DecodedInferRequest {
  /** The request's id, to echo (the spec: if given, it must be returned). */
  id?: string;
  parameters?: OipParameters;
  feeds: NamedTensors;
  /** Outputs the client asked for, in its order; undefined means all. */
  outputNames?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The inputs by name, once per signature (a signature lives as long as its session). */
const specsBySignature = new WeakMap<ServingSignature, Map<string, ServingTensorSpec>>();
function inputSpecs(signature: ServingSignature): Map<string, ServingTensorSpec> {
  let specs = specsBySignature.get(signature);
  if (!specs) specsBySignature.set(signature, (specs = new Map(signature.inputs.map((s) => [s.name, s]))));
  return specs;
}

/** "Input NAME", as element errors name an input: made once per input, not per request. */
const inputLabels = new WeakMap<ServingTensorSpec, string>();
function inputLabel(spec: ServingTensorSpec): string {
  let label = inputLabels.get(spec);
  if (label === undefined) inputLabels.set(spec, (label = `Input ${spec.name}`));
  return label;
}

/** Checks a parsed JSON body against the spec and the model's signature and builds the feeds. */
export function decodeInferRequest(body: unknown, signature: ServingSignature): ServingResult<DecodedInferRequest> {
  return asResult(() => decodeChecked(body, signature));
}

function decodeChecked(body: unknown, signature: ServingSignature): DecodedInferRequest {
  if (!isObject(body)) throw new RequestError('The inference request must be a JSON object with an "inputs" array.');
  if (body.id !== undefined && typeof body.id !== 'string') throw new RequestError('"id" must be a string.');
  if (body.parameters !== undefined && !isObject(body.parameters)) throw new RequestError('"parameters" must be an object.');
  // The answer repeats the parameters: nesting thousands deep would overflow the stack writing it.
  if (body.parameters !== undefined && nestedDeeperThan(body.parameters, MAX_PARAMETER_DEPTH)) {
    throw new RequestError(`"parameters" is nested more than ${MAX_PARAMETER_DEPTH} levels deep; the protocol's parameters are strings, numbers and booleans.`);
  }
  const inputs = body.inputs;
  if (!Array.isArray(inputs)) throw new RequestError('The inference request has no "inputs" array.');
  const specs = inputSpecs(signature);
  const feeds: NamedTensors = {};
  const bindings = new Map<string, { value: number; input: string }>();
  for (let i = 0; i < inputs.length; i++) {
    const input: unknown = inputs[i];
    if (!isObject(input) || typeof input.name !== 'string') throw new RequestError(`inputs[${i}] must be an object with a "name".`);
    const spec = specs.get(input.name);
    if (!spec) throw new RequestError(`Unknown input ${input.name}: the model's inputs are ${listNames(signature.inputs)}.`);
    if (feeds[input.name]) throw new RequestError(`Input ${input.name} is given twice.`);
    feeds[input.name] = decodeInput(input, spec, bindings);
  }
  if (!everyInputGiven(signature, feeds)) {
    const missing = signature.inputs.filter((s) => !feeds[s.name]);
    throw new RequestError(`Missing input${missing.length > 1 ? 's' : ''} ${missing.map(describeSpec).join(', ')}; the model needs every input.`);
  }
  const decoded: DecodedInferRequest = { feeds };
  if (body.id !== undefined) decoded.id = body.id as string;
  if (body.parameters !== undefined) decoded.parameters = body.parameters as OipParameters;
  if (body.outputs !== undefined) decoded.outputNames = requestedOutputs(body.outputs, signature);
  return decoded;
}

const MAX_PARAMETER_DEPTH = 64;

/** Whether objects or arrays in `value` nest deeper than `max` (walked without recursion). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

function everyInputGiven(signature: ServingSignature, feeds: NamedTensors): boolean {
  for (const spec of signature.inputs) if (!feeds[spec.name]) return false;
  return true;
}

function requestedOutputs(outputs: unknown, signature: ServingSignature): string[] {
  if (!Array.isArray(outputs)) throw new RequestError('"outputs" must be an array of {"name": ...}.');
  const known = new Set(signature.outputs.map((o) => o.name));
  const names = outputs.map((o: unknown, i) => {
    if (!isObject(o) || typeof o.name !== 'string') throw new RequestError(`outputs[${i}] must be an object with a "name".`);
    if (!known.has(o.name)) throw new RequestError(`Unknown output ${o.name}: the model's outputs are ${listNames(signature.outputs)}.`);
    return o.name;
  });
  if (new Set(names).size !== names.length) throw new RequestError('An output is requested twice.');
  return names;
}

function decodeInput(input: Record<string, unknown>, spec: ServingTensorSpec, bindings: Map<string, { value: number; input: string }>) {
  const { name } = spec;
  const want = oipDatatypeOf(spec.type);
  if (typeof input.datatype !== 'string' || !elementTypeOfOip(input.datatype)) {
    throw new RequestError(`Input ${name} has datatype ${JSON.stringify(input.datatype)}, which is not an Open Inference Protocol datatype (${OIP_DATATYPES.join(', ')}); this input is ${want}.`);
  }
  if (input.datatype !== want) throw new RequestError(`Wrong datatype for input ${name}: got ${input.datatype}, but the model expects ${want}.`);
  if (!isDimList(input.shape)) throw new RequestError(`Input ${name} needs "shape", a list of non-negative integers, e.g. ${formatShape(exampleShape(spec))}.`);
  checkShape(spec, input.shape, bindings);
  if (input.data === undefined) {
    // The binary tensor data extension puts the bytes after the JSON; this server takes JSON data only.
    if (isObject(input.parameters) && 'binary_data_size' in input.parameters) {
      throw new RequestError(`Input ${name} is sent as binary data (binary_data_size), which this server does not support; send its elements in "data" as JSON.`);
    }
    throw new RequestError(`Input ${name} has no "data".`);
  }
  const flat = flattenRowMajor(input.data, `Input ${name}`);
  const count = elementCount(input.shape);
  if (flat.length !== count) {
    throw new RequestError(`Wrong element count for input ${name}: shape ${formatShape(input.shape)} needs ${count} elements, but data has ${flat.length}.`);
  }
  return { type: spec.type, dims: input.shape.slice(), data: tensorDataFrom(flat, spec.type, inputLabel(spec)) };
}

/** The inference response object; `outputNames` (the request's subset) orders and filters the outputs. */
export function encodeInferResponse(args: {
  modelName: string;
  modelVersion?: string;
  id?: string;
  parameters?: OipParameters;
  results: NamedTensors;
  outputNames?: readonly string[];
}): OipInferResponse {
  const names = args.outputNames ?? Object.keys(args.results);
  const outputs = new Array<OipResponseOutput>(names.length);
  for (let i = 0; i < names.length; i++) {
    const t = args.results[names[i]];
    outputs[i] = { name: names[i], shape: t.dims.slice(), datatype: oipDatatypeOf(t.type), data: jsonValuesOf(t) };
  }
  // The spec lists "id" without #optional in the response; an empty string when the request gave none.
  const id = args.id ?? '';
  // Literals in the spec's field order, no spreads of temporary objects: this answers every OIP request.
  if (args.parameters) return { model_name: args.modelName, ...(args.modelVersion !== undefined ? { model_version: args.modelVersion } : {}), id, parameters: args.parameters, outputs };
  return args.modelVersion !== undefined ? { model_name: args.modelName, model_version: args.modelVersion, id, outputs } : { model_name: args.modelName, id, outputs };
}

export interface OipTensorMetadata {
  name: string;
  datatype: OipDatatype;
  shape: number[];
}

export interface OipModelMetadata {
  name: string;
  versions?: string[];
  platform: 'onnxruntime_onnx';
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

/** The model metadata object: variable-size (symbolic or unknown) dimensions are -1, as the spec says. */
export function modelMetadata(name: string, versions: readonly string[] | undefined, signature: ServingSignature): OipModelMetadata {
  const tensor = (s: ServingTensorSpec): OipTensorMetadata => ({ name: s.name, datatype: oipDatatypeOf(s.type), shape: s.shape.map((d) => (typeof d === 'number' ? d : -1)) });
  return {
    name,
    ...(versions ? { versions: [...versions] } : {}),
    platform: 'onnxruntime_onnx',
    inputs: signature.inputs.map(tensor),
    outputs: signature.outputs.map(tensor),
  };
}

const describeSpec = (s: ServingTensorSpec) => `${s.name} (${oipDatatypeOf(s.type)} ${formatShape(s.shape)})`;
const listNames = (specs: readonly ServingTensorSpec[]) => specs.map(describeSpec).join(', ');
const exampleShape = (s: ServingTensorSpec) => s.shape.map((d) => (typeof d === 'number' ? d : 1));
