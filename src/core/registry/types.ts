// Domain records of the model registry. Version numbers are integers here;
// MLflow's wire format (strings) is the protocol's business.

import type { KeyValue } from '../tracking/types';
import type { FeatureSchema } from './featureSchema';

export type ModelStage = 'None' | 'Staging' | 'Production' | 'Archived';
export const MODEL_STAGES: readonly ModelStage[] = ['None', 'Staging', 'Production', 'Archived'];
export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
export type ModelFormat = 'onnx' | 'mlflow-model' | 'other';

/** One input or output of a model's signature (ONNX: a tensor). */
export interface TensorSpec {
  name: string;
  elementType: string;
  shape: (number | string | null)[];
}

/** What onnxruntime reports for an ONNX model (see onnxSignature.ts). */
export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  opset?: number;
  producer?: string;
}

export interface ModelVersionFile {
  /** Relative to the version's root. */
  path: string;
  sha256: string;
  size: number;
}

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  userId: string;
  currentStage: ModelStage;
  description: string;
  source: string;
  runId: string | null;
  runLink: string | null;
  status: ModelVersionStatus;
  statusMessage: string | null;
  tags: KeyValue[];
  aliases: string[];
  /** The primary model file (relative path), its sha256 and size. */
  primaryPath: string | null;
  sha256: string | null;
  size: number | null;
  /** For a directory: sha256 of the sorted "path sha256 size" lines of all its files. */
  manifestSha256: string | null;
  format: ModelFormat;
  servable: boolean;
  signature: ModelSignature | null;
  /** The names of the model's input columns, tied to its input tensor (see featureSchema.ts). */
  features: FeatureSchema | null;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  tags: KeyValue[];
  aliases: { alias: string; version: number }[];
  /** The highest version in each stage (MLflow's latest_versions). */
  latestVersions: ModelVersion[];
}
