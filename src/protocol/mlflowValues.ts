import { z } from 'zod';

// How numbers travel in MLflow's JSON (protobuf JSON mapping): doubles may be
// the strings "NaN", "Infinity" and "-Infinity"; int64 fields may arrive as
// strings but are answered as JSON numbers.

const SPECIAL_DOUBLES: Record<string, number> = {
  NaN: NaN,
  nan: NaN,
  Infinity: Infinity,
  inf: Infinity,
  '-Infinity': -Infinity,
  '-inf': -Infinity,
};

export const mlflowDouble = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  if (v in SPECIAL_DOUBLES) return SPECIAL_DOUBLES[v];
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) {
    ctx.addIssue({ code: 'custom', message: `'${v}' is not a number (use a number, "NaN", "Infinity" or "-Infinity")` });
    return z.NEVER;
  }
  return n;
});

export const mlflowInt64 = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: `'${v}' is not an integer` });
    return z.NEVER;
  }
  return n;
});

/** A double as MLflow writes it in responses. */
export function encodeDouble(v: number): number | string {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? 'Infinity' : '-Infinity';
}
