import type { CompareOp, GateNode } from './gateParser';
import type { ParamValue } from './pipelineTypes';

export interface GateContext {
  /** Metrics by step name, then key (a skipped step's are those of the run that made its outs). */
  metrics: Record<string, Record<string, number>>;
  params: Record<string, ParamValue>;
}

export interface GateResult {
  value: boolean;
  /** Says why, e.g. "evaluate.metrics.auc = 0.83, needs ≥ 0.8: yes"; recorded with the register step. */
  explanation: string;
}

const SHOWN: Record<CompareOp, string> = { '==': '==', '!=': '≠', '>=': '≥', '<=': '≤', '>': '>', '<': '<' };

// A missing value aborts the whole evaluation: "not (auc > 0.9)" must not turn a
// metric the step never logged into permission to register.
class Missing extends Error {}

export function evaluateGate(ast: GateNode, context: GateContext): GateResult {
  const lines: string[] = [];
  try {
    const value = truth(ast, context, lines);
    const explanation = lines.length === 1 && (ast.kind === 'compare' || ast.kind === 'literal' || ast.kind === 'param') ? lines[0] : `${lines.join('; ')} → ${value}`;
    return { value, explanation };
  } catch (e) {
    if (e instanceof Missing) return { value: false, explanation: `${e.message}: false` };
    throw e;
  }
}

function truth(node: GateNode, ctx: GateContext, lines: string[]): boolean {
  switch (node.kind) {
    case 'and':
    case 'or': {
      // Both sides always run, so the explanation lists every condition, not just the first.
      const l = truth(node.left, ctx, lines);
      const r = truth(node.right, ctx, lines);
      return node.kind === 'and' ? l && r : l || r;
    }
    case 'not':
      return !truth(node.operand, ctx, lines);
    case 'compare': {
      const l = value(node.left, ctx);
      const r = value(node.right, ctx);
      const v = compare(node.op, l, r);
      const what = node.left.kind === 'literal' ? show(l) : `${label(node.left)} = ${show(l)}`;
      const against = node.right.kind === 'literal' ? show(r) : `${label(node.right)} (${show(r)})`;
      // "auc = 0.83, needs ≥ 0.9: no" reads right whichever way it went; "0.83 ≥ 0.9: false" did not.
      const test = node.left.kind === 'literal' ? `${what} ${SHOWN[node.op]} ${against}` : `${what}, needs ${SHOWN[node.op]} ${against}`;
      if (v === undefined) {
        lines.push(`${test}: no (${typeof l} and ${typeof r} have no order)`);
        return false;
      }
      lines.push(`${test}: ${v ? 'yes' : 'no'}`);
      return v;
    }
    default: {
      const v = value(node, ctx);
      const shown = node.kind === 'literal' ? show(v) : `${label(node)} = ${show(v)}`;
      if (typeof v !== 'boolean') {
        lines.push(`${shown}: false (not true/false; compare it with a value)`);
        return false;
      }
      lines.push(`${shown}: ${v}`);
      return v;
    }
  }
}

function value(node: GateNode, ctx: GateContext): ParamValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'metric': {
      const stepMetrics = ctx.metrics[node.step];
      const v = stepMetrics?.[node.key];
      if (v === undefined) {
        const known = Object.keys(stepMetrics ?? {});
        throw new Missing(`${label(node)} is missing (step "${node.step}" logged ${known.length ? `only ${known.join(', ')}` : 'no metrics'})`);
      }
      return v;
    }
    case 'param': {
      const v = ctx.params[node.key];
      if (v === undefined) throw new Missing(`${label(node)} is missing (no param "${node.key}")`);
      return v;
    }
    default:
      return truth(node, ctx, []);
  }
}

function compare(op: CompareOp, l: ParamValue, r: ParamValue): boolean | undefined {
  if (op === '==') return l === r;
  if (op === '!=') return l !== r;
  if (typeof l !== 'number' || typeof r !== 'number') return undefined;
  return op === '>=' ? l >= r : op === '<=' ? l <= r : op === '>' ? l > r : l < r;
}

function label(node: GateNode): string {
  return node.kind === 'metric' ? `${node.step}.metrics.${node.key}` : node.kind === 'param' ? `params.${node.key}` : '(…)';
}

/** Six significant digits at most: a metric's 0.8191916971090967 reads as 0.819192. */
function show(v: ParamValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v);
}
