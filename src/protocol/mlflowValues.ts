import { z } from 'zod';

// How numbers travel in MLflow's JSON (protobuf JSON mapping): doubles may be
// the strings "NaN", "Infinity" and "-Infinity"; int64 fields may arrive as
// strings but are answered as JSON numbers.

const SPECIAL_DOUBLES = new Map<string, number>([
  ['NaN', NaN],
  ['nan', NaN],
  ['Infinity', Infinity],
  ['inf', Infinity],
  ['-Infinity', -Infinity],
  ['-inf', -Infinity],
]);

// Decimal notation only, as protobuf's JSON parser takes it: no hex, no blanks.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

export const mlflowDouble = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const special = SPECIAL_DOUBLES.get(v);
  if (special !== undefined) return special;
  if (!DECIMAL.test(v)) {
    ctx.addIssue({ code: 'custom', message: `'${v}' is not a number (use a number, "NaN", "Infinity" or "-Infinity")` });
    return z.NEVER;
  }
  return Number(v);
});

export const mlflowInt64 = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : INTEGER.test(v) ? Number(v) : NaN;
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
