import { z } from 'zod';

// What the server and the editor exchange about a model's interface: its ONNX
// signature and the names of its input columns. Mirrors the core types of
// src/core/registry (onnxSignature.ts, featureSchema.ts); test/featureSchema.test.ts
// checks at compile time that the two stay the same shape.

export const tensorSpec = z.object({
  name: z.string(),
  elementType: z.string().min(1),
  /** A number is fixed, a string a symbolic dimension's name, null unknown. */
  shape: z.array(z.union([z.number().int().nonnegative(), z.string(), z.null()])),
});
export type TensorSpec = z.infer<typeof tensorSpec>;

export const onnxSignature = z.object({
  inputs: z.array(tensorSpec),
  outputs: z.array(tensorSpec),
  opset: z.number().int().positive().optional(),
  producer: z.string().optional(),
});
export type OnnxSignature = z.infer<typeof onnxSignature>;

export const featureSchema = z
  .object({
    input: z.string().min(1, 'input names the tensor the features are the columns of'),
    features: z
      .array(
        z.object({
          name: z.string().min(1, 'a feature needs a name'),
          categorical: z.boolean(),
          index: z.number().int().nonnegative(),
        }),
      )
      .min(1, 'a feature schema names at least one feature'),
  })
  .superRefine((s, ctx) => {
    // Index i is column i of the tensor: a gap or a repeat would shift every name after it.
    s.features.forEach((f, i) => {
      if (f.index !== i) ctx.addIssue({ code: 'custom', path: ['features', i, 'index'], message: `feature "${f.name}" has index ${f.index}, expected ${i}` });
    });
    const names = s.features.map((f) => f.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) ctx.addIssue({ code: 'custom', path: ['features'], message: `feature "${dup}" is named twice` });
  });
export type FeatureSchema = z.infer<typeof featureSchema>;
