import { NASTY_STRINGS, randomString, type FuzzRandom } from './fuzzRandom';

// Request bodies for the route fuzz test: a valid value drawn from a JSON Schema
// (zod's z.toJSONSchema of the protocol's request schemas), then mutated the way
// clients and attackers get bodies wrong, then written as JSON text that can hold
// what JSON.stringify cannot (1e999, 20,000 brackets, a key named __proto__).

/** JSON text inserted as is: numbers out of range, deep nesting, invalid tokens. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type JsonSchema = { [key: string]: any };

/** Values to prefer for a field, by its name: real ids make a request get past "not found". */
export type FieldHints = ReadonlyMap<string, readonly unknown[]>;

export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  return `{${Object.keys(value as object)
    .map((k) => `${JSON.stringify(k)}:${toJsonText((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** A value the schema accepts (mostly: hints win over constraints, as real clients' values do). */
export function sampleSchema(rng: FuzzRandom, schema: JsonSchema, hints: FieldHints, field = '', depth = 0): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return rng.pick(schema.enum);
  const hinted = hints.get(field);
  if (hinted && hinted.length && rng.chance(0.8) && !isContainer(schema)) return rng.pick(hinted);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return sampleSchema(rng, rng.pick(alternatives), hints, field, depth);
  if (Array.isArray(schema.allOf) && schema.allOf.length) return sampleSchema(rng, schema.allOf[0], hints, field, depth);
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(schema.required ?? []);
      for (const [key, sub] of Object.entries<JsonSchema>(schema.properties ?? {})) {
        if (required.has(key) ? rng.chance(0.97) : rng.chance(0.5)) out[key] = sampleSchema(rng, sub, hints, key, depth + 1);
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && depth < 4) {
        for (let i = rng.int(0, 2); i > 0; i--) out[String(rng.pick(hints.get('*key') ?? ['k']))] = sampleSchema(rng, schema.additionalProperties, hints, field, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? min + 3, min + 3);
      const items = schema.items ?? schema.prefixItems?.[0] ?? {};
      return Array.from({ length: rng.int(min, max) }, () => sampleSchema(rng, items, hints, field, depth + 1));
    }
    case 'string': {
      const s = `${field || 'v'}-${rng.int(0, 999)}`;
      return schema.maxLength !== undefined ? s.slice(0, schema.maxLength) : s;
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1000);
      const n = min + rng.float() * (Math.min(max, min + 10_000) - min);
      return type === 'integer' ? Math.round(n) : n;
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    default:
      return randomJson(rng, 2);
  }
}

function isContainer(schema: JsonSchema): boolean {
  return schema.type === 'object' || schema.type === 'array';
}

export function randomJson(rng: FuzzRandom, depth: number): unknown {
  return rng.weighted<() => unknown>([
    [3, () => rng.int(-1000, 1000)],
    [2, () => rng.pick(NASTY_STRINGS)],
    [2, () => randomString(rng, 20)],
    [1, () => rng.chance(0.5)],
    [1, () => null],
    [depth > 0 ? 1 : 0, () => Array.from({ length: rng.int(0, 3) }, () => randomJson(rng, depth - 1))],
    [depth > 0 ? 1 : 0, () => Object.fromEntries(Array.from({ length: rng.int(0, 3) }, () => [randomString(rng, 8), randomJson(rng, depth - 1)]))],
  ])();
}

/** Nesting deep enough to find recursion in parsers, validators and encoders. */
export function deepNesting(rng: FuzzRandom): RawJson {
  const depth = rng.pick([64, 1000, 5000, 20_000]);
  return rng.chance(0.5) ? new RawJson('['.repeat(depth) + '1' + ']'.repeat(depth)) : new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
}

/** One value that is wrong for almost any field, in one of the ways clients get it wrong. */
export function wrongValue(rng: FuzzRandom): unknown {
  return rng.weighted<() => unknown>([
    [3, () => rng.pick<unknown>([0, -1, 1.5, true, false, null, 'text', [], {}, [1, 'a'], { a: 1 }])],
    [2, () => new RawJson(rng.pick(['1e308', '-1e308', '1e999', '-1e999', '9007199254740993', '123456789012345678901234567890', '-0', '5e-324', '1e-400']))],
    [2, () => rng.pick(['NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '1e', '0x1F', ' 1 ', '1_000', '٣'])],
    [1, () => deepNesting(rng)],
    [1, () => rng.pick(['x', 'é', '😀', '\u0000']).repeat(rng.pick([1000, 100_000, 1_000_000]))],
    [2, () => rng.pick(NASTY_STRINGS)],
    [1, () => randomString(rng, 40)],
    [1, () => rng.pick<unknown>(['', [], {}])],
  ])();
}

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

function slots(value: unknown, out: Slot[] = [], depth = 0): Slot[] {
  if (depth > 6 || value === null || typeof value !== 'object' || value instanceof RawJson) return out;
  if (Array.isArray(value)) value.forEach((v, i) => (out.push({ parent: value, key: i }), slots(v, out, depth + 1)));
  else for (const k of Object.keys(value)) out.push({ parent: value as Record<string, unknown>, key: k }), slots((value as Record<string, unknown>)[k], out, depth + 1);
  return out;
}

/**
 * A copy to mutate: a seed's value may share arrays with constants (a model's
 * feature names, hints), and mutating those in place grew them request after
 * request until the fuzzer itself ran out of memory. RawJson texts are immutable.
 */
function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof RawJson) return value;
  if (Array.isArray(value)) return value.map(copyValue);
  const out: Record<string, unknown> = {};
  // Own properties as such, so a '__proto__' key stays a key.
  for (const k of Object.keys(value)) Object.defineProperty(out, k, { value: copyValue((value as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Changes one to three places of a copy of a valid value: drops fields, mistypes them, adds strangers. */
export function mutateValue(rng: FuzzRandom, value: unknown): unknown {
  const root = { value: copyValue(value) };
  for (let n = rng.int(1, 3); n > 0; n--) {
    const all: Slot[] = [{ parent: root as unknown as Record<string, unknown>, key: 'value' }, ...slots(root.value)];
    const slot = rng.pick(all);
    const op = rng.weighted<string>([
      [3, 'replace'],
      [2, 'drop'],
      [1, 'add'],
      [0.5, 'grow'],
    ]);
    const target = (slot.parent as Record<string | number, unknown>)[slot.key];
    if (op === 'drop' && slot.parent !== (root as unknown)) {
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
    } else if (op === 'grow' && Array.isArray(target) && target.length > 0) {
      // Past the limits a route has (or should have): 64 order_by keys, 1,001 run ids; bodies stay under 4 MB.
      const n = Math.min(rng.pick([64, 100, 1001]), Math.floor(4_000_000 / (toJsonText(target).length + 1)));
      for (let i = target.length; i < n; i++) target.push(target[i % target.length]);
      break; // the copies share their elements: a later change to one would grow them all
    } else if (op === 'add' && target && typeof target === 'object' && !(target instanceof RawJson)) {
      if (Array.isArray(target)) target.push(wrongValue(rng));
      else {
        const key = rng.pick(['__proto__', 'constructor', 'extra', '', randomString(rng, 10)]);
        // An own property, so '__proto__' travels as a key rather than setting the prototype.
        Object.defineProperty(target, key, { value: wrongValue(rng), enumerable: true, writable: true, configurable: true });
      }
    } else {
      (slot.parent as Record<string | number, unknown>)[slot.key] = wrongValue(rng);
    }
  }
  return root.value;
}

/** A body that is not the JSON object a route expects, as a whole. */
export function strangeBody(rng: FuzzRandom, valid: string): Buffer {
  const text = rng.weighted<() => string | Buffer>([
    [2, () => rng.pick(['', 'null', '[]', '{}', '"x"', '42', 'true', '{', '{"a":', '}', '[1,', 'nul', '{"a":1}{"b":2}', "{'a': 1}", 'a=1&b=2', '/* c */ {}', '{"a":1,}'])],
    [2, () => valid.slice(0, rng.int(0, Math.max(0, valid.length - 1)))],
    [1, () => '\ufeff' + valid],
    [1, () => valid + rng.pick([' ', '\n', 'x', ',', '}', '\u0000'])],
    [1, () => Buffer.from(Array.from({ length: rng.int(1, 300) }, () => rng.int(0, 255)))],
    [1, () => Buffer.concat([Buffer.from(valid.slice(0, 5)), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from(valid.slice(5))])],
    [1, () => deepNesting(rng).text],
    [1, () => `[${Array.from({ length: rng.pick([1000, 100_000]) }, (_, i) => i).join(',')}]`],
    [1, () => `{${Array.from({ length: rng.pick([1000, 50_000]) }, (_, i) => `"k${i}":${i}`).join(',')}}`],
    [0.05, () => `{"pad":"${'x'.repeat(17 * 1024 * 1024)}"}`],
  ])();
  return typeof text === 'string' ? Buffer.from(text) : text;
}
