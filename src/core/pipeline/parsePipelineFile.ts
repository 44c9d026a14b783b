import { isScalar, LineCounter, parseDocument, Scalar, type Document, type Node } from 'yaml';
import { locate, rememberSource, type Range } from './pipelineSource';
import { findCycles, showCycle } from './dagCycles';
import { closestName } from './closestName';
import { GateSyntaxError, gateReferences, parseGate } from './gateParser';
import type { PipelineDiagnostic, PipelineFile } from './pipelineTypes';

/** Where in the data a schema problem is, and whether to point at the key or its value. */
export interface ShapeIssue {
  path: (string | number)[];
  message: string;
  atKey: boolean;
}
/** The schema check: src/protocol/pipelineFile.ts's checkPipelineShape (core imports no schema of ours). */
export type PipelineShapeCheck = (data: unknown) => { ok: true; value: PipelineFile } | { ok: false; issues: ShapeIssue[] };

export interface ParsedPipelineFile {
  /** Present when the file has no errors (warnings allowed). */
  pipeline?: PipelineFile;
  diagnostics: PipelineDiagnostic[];
}

/**
 * Parses a pipeline file and reports every problem at the key or value it is
 * about: YAML syntax, duplicate keys, the schema, unknown needs, cycles, gates
 * that do not parse or read a step that does not run before them.
 */
export function parsePipelineFile(text: string, fileName: string, checkShape: PipelineShapeCheck): ParsedPipelineFile {
  const r = parse(text, fileName, checkShape);
  // In file order, as an editor's problem list and the CLI show them.
  r.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return r;
}

function parse(text: string, fileName: string, checkShape: PipelineShapeCheck): ParsedPipelineFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: PipelineDiagnostic[] = [];
  const at = (range: Range, message: string, code: string, severity: PipelineDiagnostic['severity'] = 'error'): void => {
    const s = lineCounter.linePos(range[0]);
    const e = lineCounter.linePos(Math.max(range[1], range[0]));
    diagnostics.push({ message, severity, line: s.line, column: s.col, endLine: e.line, endColumn: e.col, code });
  };

  for (const err of doc.errors) {
    const code = err.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
    const message = err.code === 'DUPLICATE_KEY' ? `duplicate key "${text.slice(err.pos[0], err.pos[1])}"` : err.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
    at(err.pos, message, code);
  }
  for (const w of doc.warnings) at(w.pos, w.message.replace(/ at line \d+, column \d+[\s\S]*$/, ''), 'yaml-syntax', 'warning');
  if (doc.errors.length) return { diagnostics };

  const data = doc.toJS();
  if (data === null || data === undefined) {
    at([0, text.length], `${fileName} is empty: a pipeline file needs "name" and "steps"`, 'schema');
    return { diagnostics };
  }
  const shape = checkShape(data);
  if (!shape.ok) {
    for (const issue of shape.issues) at(locate(doc, issue.path, issue.atKey), issue.message, 'schema');
    return { diagnostics };
  }
  const pipeline = shape.value;
  rememberSource(pipeline, doc, lineCounter);
  const before = diagnostics.length;
  checkGraph(doc, pipeline, at);
  return diagnostics.slice(before).some((d) => d.severity === 'error') ? { diagnostics } : { pipeline, diagnostics };
}

type Report = (range: Range, message: string, code: string) => void;

function checkGraph(doc: Document, pipeline: PipelineFile, at: Report): void {
  const names = Object.keys(pipeline.steps);
  const needs = new Map(names.map((n) => [n, pipeline.steps[n].needs ?? []] as const));
  for (const [name, list] of needs) {
    list.forEach((need, i) => {
      if (needs.has(need)) return;
      const c = closestName(need, names.filter((n) => n !== name));
      at(locate(doc, ['steps', name, 'needs', i], false), `step "${name}" needs "${need}", which is not a step of this pipeline${c ? `; did you mean "${c}"?` : ''}`, 'unknown-need');
    });
  }
  for (const cycle of findCycles(needs)) {
    at(locate(doc, ['steps', cycle.step, 'needs', cycle.needIndex], false), `the needs form a cycle: ${showCycle(cycle)}`, 'cycle');
  }
  for (const name of names) {
    const when = pipeline.steps[name].register?.when;
    if (when !== undefined) checkGate(doc, name, when, needs, pipeline, at);
  }
}

function checkGate(doc: Document, step: string, when: string, needs: Map<string, readonly string[]>, pipeline: PipelineFile, at: Report): void {
  const path = ['steps', step, 'register', 'when'];
  const node = doc.getIn(path, true) as Node | undefined;
  const range = node?.range ?? [0, 0];
  // Offsets inside the gate map onto the file only for plain and simple quoted scalars;
  // otherwise (block scalars, escapes) the diagnostic covers the whole value.
  const inner = innerStart(node, when);
  const within = (start: number, end: number): Range => (inner === undefined ? [range[0], range[1]] : [inner + start, inner + Math.max(end, start + 1)]);
  let ast;
  try {
    ast = parseGate(when);
  } catch (e) {
    if (!(e instanceof GateSyntaxError)) throw e;
    at(within(e.offset, e.offset + 1), `gate of step "${step}" (column ${e.offset + 1} of the gate): ${e.message}`, 'gate-syntax');
    return;
  }
  const upstream = ancestors(step, needs);
  for (const ref of gateReferences(ast)) {
    if (ref.kind === 'param') {
      if (!Object.hasOwn(pipeline.params ?? {}, ref.key)) {
        const known = Object.keys(pipeline.params ?? {});
        at(within(ref.start, ref.end), `gate of step "${step}" reads params.${ref.key}, which is not a param${known.length ? ` (params: ${known.join(', ')})` : ''}`, 'gate-reference');
      }
    } else if (!needs.has(ref.step)) {
      const c = closestName(ref.step, [...needs.keys()]);
      at(within(ref.start, ref.end), `gate of step "${step}" reads metrics of "${ref.step}", which is not a step${c ? `; did you mean "${c}"?` : ''}`, 'gate-reference');
    } else if (!upstream.has(ref.step)) {
      at(within(ref.start, ref.end), `gate of step "${step}" reads metrics of "${ref.step}", which does not run before it: add "${ref.step}" to its needs (directly or through another step)`, 'gate-reference');
    }
  }
}

function innerStart(node: Node | undefined, value: string): number | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const [start, end] = node.range;
  if (node.type === Scalar.PLAIN) return end - start === value.length ? start : undefined;
  if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) return end - start === value.length + 2 ? start + 1 : undefined;
  return undefined;
}

function ancestors(step: string, needs: Map<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const walk = (s: string): void => {
    for (const n of needs.get(s) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        walk(n);
      }
    }
  };
  walk(step);
  return seen;
}
