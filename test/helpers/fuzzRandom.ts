import { seededRandom } from './seededRandom';

// The fuzz test's only source of randomness: every choice comes from one seeded
// generator, so a seed replays the same requests in the same order.

export class FuzzRandom {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }

  float(): number {
    return this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((a, [w]) => a + w, 0);
    let x = this.next() * total;
    for (const [w, v] of choices) {
      x -= w;
      if (x < 0) return v;
    }
    return choices[choices.length - 1][1];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Lengths skewed short, with the odd long one (most bugs need little; limits need much). */
  length(max: number): number {
    const r = this.next();
    if (r < 0.6) return this.int(0, Math.min(8, max));
    if (r < 0.9) return this.int(0, Math.min(200, max));
    return this.int(0, max);
  }
}

/** Strings that have broken parsers, encoders and SQL before: edges of Unicode and of syntax. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\t\r\n',
  '\\',
  '"',
  "'",
  "' OR '1'='1",
  '%',
  '%%',
  '%00',
  '%zz',
  '..',
  '../..',
  '/',
  '//',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x10',
  '9007199254740993',
  '__proto__',
  'constructor',
  'toString',
  'héllo wörld',
  'Ω≈ç√∫',
  '日本語のテキスト',
  'مرحبا بالعالم',
  '\u202egnirts',
  'e\u0301\u0301\u0301',
  '😀🚀👩‍👩‍👧‍👦',
  '\ud800',
  '\udfff\ud800',
  '\ufeffbom',
  '\uffff',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '*',
  '?',
  '#',
  '&',
  '=',
  ';',
  ',',
  'a'.repeat(300),
];

/** A random string: printable ASCII, Unicode from several planes, or control characters. */
export function randomString(rng: FuzzRandom, maxLength = 64): string {
  const n = rng.length(maxLength);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += rng.weighted<() => string>([
      [6, () => String.fromCharCode(rng.int(0x20, 0x7e))],
      [1, () => String.fromCharCode(rng.int(0, 0x1f))],
      [1, () => String.fromCharCode(rng.int(0xa0, 0x2fff))],
      [1, () => String.fromCodePoint(rng.int(0x1f300, 0x1f6ff))],
      [0.2, () => String.fromCharCode(rng.int(0xd800, 0xdfff))],
    ])();
  }
  return s;
}
