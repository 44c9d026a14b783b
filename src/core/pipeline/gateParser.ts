// Gates ("evaluate.metrics.auc >= 0.8 and params.register == true") are parsed by
// this small grammar and evaluated by gateEvaluate.ts, never handed to eval: a
// pipeline file is data, and a gate must not be able to run code.
//
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | compare
//   compare := primary (("==" | "!=" | ">=" | "<=" | ">" | "<") primary)?
//   primary := number | string | true | false | ref | "(" or ")"
//   ref     := STEP ".metrics." KEY | "params." KEY

import { GateSyntaxError, tokenizeGate, type CompareOp, type Token } from './gateTokens';

export { GateSyntaxError, tokenizeGate, type CompareOp };

/** Offsets are into the gate text, so diagnostics can point inside it. */
export type GateNode =
  | { kind: 'literal'; value: number | string | boolean; start: number; end: number }
  | { kind: 'metric'; step: string; key: string; start: number; end: number }
  | { kind: 'param'; key: string; start: number; end: number }
  | { kind: 'not'; operand: GateNode; start: number; end: number }
  | { kind: 'and' | 'or'; left: GateNode; right: GateNode; start: number; end: number }
  | { kind: 'compare'; op: CompareOp; left: GateNode; right: GateNode; start: number; end: number };

const COMPARE = new Set(['==', '!=', '>=', '<=', '>', '<']);
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);

export function parseGate(text: string): GateNode {
  const tokens = tokenizeGate(text);
  let pos = 0;
  const peek = (): Token => tokens[pos];
  const isWord = (w: string): boolean => peek().type === 'word' && (peek() as { value: string }).value === w;
  const describe = (t: Token): string => (t.type === 'eof' ? 'the end' : `"${text.slice(t.start, t.end)}"`);

  function or(): GateNode {
    let left = and();
    while (isWord('or')) {
      pos++;
      const right = and();
      left = { kind: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }
  function and(): GateNode {
    let left = not();
    while (isWord('and')) {
      pos++;
      const right = not();
      left = { kind: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }
  function not(): GateNode {
    if (isWord('not')) {
      const start = peek().start;
      pos++;
      const operand = not();
      return { kind: 'not', operand, start, end: operand.end };
    }
    return compare();
  }
  function compare(): GateNode {
    const left = primary();
    const t = peek();
    if (t.type === 'op' && COMPARE.has(t.value)) {
      pos++;
      const right = primary();
      const next = peek();
      if (next.type === 'op' && COMPARE.has(next.value)) throw new GateSyntaxError('comparisons do not chain: join them with "and"', next.start);
      return { kind: 'compare', op: t.value as CompareOp, left, right, start: left.start, end: right.end };
    }
    return left;
  }
  function primary(): GateNode {
    const t = peek();
    if (t.type === 'num' || t.type === 'str') {
      pos++;
      return { kind: 'literal', value: t.value, start: t.start, end: t.end };
    }
    if (t.type === 'op' && t.value === '(') {
      pos++;
      const inner = or();
      const close = peek();
      if (!(close.type === 'op' && close.value === ')')) throw new GateSyntaxError(`expected ")" but found ${describe(close)}`, close.start);
      pos++;
      return { ...inner, start: t.start, end: close.end };
    }
    if (t.type === 'word') {
      if (t.value === 'true' || t.value === 'false') {
        pos++;
        return { kind: 'literal', value: t.value === 'true', start: t.start, end: t.end };
      }
      if (KEYWORDS.has(t.value)) throw new GateSyntaxError(`expected a value before "${t.value}"`, t.start);
      return reference();
    }
    throw new GateSyntaxError(`expected a value (a number, a string, true/false, step.metrics.key or params.key) but found ${describe(t)}`, t.start);
  }
  // Dotted words: "params.KEY" or "STEP.metrics.KEY"; KEY may itself hold dots ("val.auc").
  function reference(): GateNode {
    const first = tokens[pos] as Extract<Token, { type: 'word' }>;
    const parts: Extract<Token, { type: 'word' }>[] = [first];
    pos++;
    while (peek().type === 'op' && (peek() as { value: string }).value === '.') {
      const dot = peek();
      pos++;
      const w = peek();
      if (w.type !== 'word') throw new GateSyntaxError(`expected a name after "."`, dot.end);
      parts.push(w);
      pos++;
    }
    const start = first.start;
    const end = parts[parts.length - 1].end;
    if (first.value === 'params') {
      if (parts.length < 2) throw new GateSyntaxError('expected params.NAME', end);
      return { kind: 'param', key: parts.slice(1).map((p) => p.value).join('.'), start, end };
    }
    if (parts.length >= 3 && parts[1].value === 'metrics') {
      return { kind: 'metric', step: first.value, key: parts.slice(2).map((p) => p.value).join('.'), start, end };
    }
    throw new GateSyntaxError(`"${text.slice(start, end)}" is not a value: write STEP.metrics.KEY, params.KEY, a number, a quoted string or true/false`, start);
  }

  const ast = or();
  const rest = peek();
  if (rest.type !== 'eof') throw new GateSyntaxError(`unexpected ${describe(rest)}: join conditions with "and" / "or"`, rest.start);
  return ast;
}

/** The steps and params a gate reads, with their offsets (for "not upstream" diagnostics). */
export function gateReferences(ast: GateNode): Array<Extract<GateNode, { kind: 'metric' | 'param' }>> {
  switch (ast.kind) {
    case 'metric':
    case 'param':
      return [ast];
    case 'literal':
      return [];
    case 'not':
      return gateReferences(ast.operand);
    default:
      return [...gateReferences(ast.left), ...gateReferences(ast.right)];
  }
}
