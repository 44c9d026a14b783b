// The gate grammar's words: numbers, quoted strings, names, operators. Offsets are
// kept so an error can point at the column inside the gate.

export type CompareOp = '==' | '!=' | '>=' | '<=' | '>' | '<';

export class GateSyntaxError extends Error {
  constructor(
    message: string,
    /** Offset into the gate text where the problem starts. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'GateSyntaxError';
  }
}

export type Token =
  | { type: 'num'; value: number; start: number; end: number }
  | { type: 'str'; value: string; start: number; end: number }
  | { type: 'word'; value: string; start: number; end: number }
  | { type: 'op'; value: CompareOp | '(' | ')' | '.'; start: number; end: number }
  | { type: 'eof'; start: number; end: number };

// Metric keys may hold "/" and "-" (e.g. "val/auc"): there is no arithmetic to confuse them with.
const WORD = /[A-Za-z_][\w/-]*/y;
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

export function tokenizeGate(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '>=' || two === '<=') {
      tokens.push({ type: 'op', value: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === '>' || c === '<' || c === '(' || c === ')' || c === '.') {
      // A "." followed by a digit is a number (".5"); otherwise it joins a reference.
      if (!(c === '.' && /\d/.test(text[i + 1] ?? ''))) {
        tokens.push({ type: 'op', value: c, start: i, end: i + 1 });
        i++;
        continue;
      }
    }
    if (c === '=' && (text[i + 1] === '>' || text[i + 1] === '<')) throw new GateSyntaxError(`write "${text[i + 1]}=", not "=${text[i + 1]}"`, i);
    if (c === '=') throw new GateSyntaxError('use "==" to compare', i);
    if (c === '!') throw new GateSyntaxError('use "not" to negate, or "!=" to compare', i);
    if (c === '&' || c === '|') throw new GateSyntaxError(`use "${c === '&' ? 'and' : 'or'}" instead of "${c}"`, i);
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) throw new GateSyntaxError('unterminated string', i);
      tokens.push({ type: 'str', value: text.slice(i + 1, close), start: i, end: close + 1 });
      i = close + 1;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(text);
    if (num && (c !== '-' || num[0].length > 1)) {
      tokens.push({ type: 'num', value: Number(num[0]), start: i, end: i + num[0].length });
      i += num[0].length;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text);
    if (word) {
      tokens.push({ type: 'word', value: word[0], start: i, end: i + word[0].length });
      i += word[0].length;
      continue;
    }
    throw new GateSyntaxError(`unexpected character "${c}"`, i);
  }
  tokens.push({ type: 'eof', start: text.length, end: text.length });
  return tokens;
}

