import { LineCounter, parseDocument } from 'yaml';
import { closestName } from './closestName';
import { checkReferences } from './pipelineChecks';
import { locate, rememberSource, type Range } from './pipelineSource';
import type { PipelineDiagnostic, PipelineFile } from './pipelineTypes';

/** Where in the data a schema problem is, and whether to point at the key or its value. */
export interface ShapeIssue {
  path: (string | number)[];
  message: string;
  atKey: boolean;
  /** The names that would have been valid here (an unknown key): the closest becomes the quick fix. */
  expected?: readonly string[];
}
/** The schema check: src/protocol/pipelineFile.ts's checkPipelineShape (core imports no schema of ours). */
export type PipelineShapeCheck = (data: unknown) => { ok: true; value: PipelineFile } | { ok: false; issues: ShapeIssue[] };

export interface ParsedPipelineFile {
  /** Present when the file has no errors (warnings allowed). */
  pipeline?: PipelineFile;
  /** Present when the file has the schema's shape, even if its references are wrong: enough to list its steps. */
  shaped?: PipelineFile;
  diagnostics: PipelineDiagnostic[];
}

/** How many alias expansions a file may cause: a few `<<: *defaults` are normal, a YAML bomb needs millions. */
export const MAX_ALIAS_EXPANSIONS = 1000;

/**
 * Parses a pipeline file and reports every problem at the key or value it is
 * about: YAML syntax, duplicate keys, the schema, unknown needs, cycles, params
 * used but not declared, gates that do not parse or read a step that does not
 * run before them. Lines and columns are 1-based.
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
  const at = (range: Range, message: string, code: string, extra: { severity?: PipelineDiagnostic['severity']; replacement?: string } = {}): void => {
    const s = lineCounter.linePos(range[0]);
    const e = lineCounter.linePos(Math.max(range[1], range[0]));
    const d: PipelineDiagnostic = { message, severity: extra.severity ?? 'error', line: s.line, column: s.col, endLine: e.line, endColumn: e.col, code };
    if (extra.replacement !== undefined) d.replacement = extra.replacement;
    diagnostics.push(d);
  };

  for (const err of doc.errors) {
    const code = err.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
    const message = err.code === 'DUPLICATE_KEY' ? `duplicate key "${text.slice(err.pos[0], err.pos[1])}"` : err.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
    at(err.pos, message, code);
  }
  for (const w of doc.warnings) at(w.pos, w.message.replace(/ at line \d+, column \d+[\s\S]*$/, ''), 'yaml-syntax', { severity: 'warning' });
  if (doc.errors.length) return { diagnostics };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    at([0, text.length], `${fileName} expands its anchors (&name / *name) into more than ${MAX_ALIAS_EXPANSIONS} copies, which this reader refuses (it is how "billion laughs" files exhaust memory); write the repeated parts out or use fewer aliases`, 'yaml-syntax');
    return { diagnostics };
  }
  if (data === null || data === undefined) {
    at([0, text.length], `${fileName} is empty: a pipeline file needs "name" and "steps"`, 'schema');
    return { diagnostics };
  }
  const shape = checkShape(data);
  if (!shape.ok) {
    for (const issue of shape.issues) {
      const key = issue.path[issue.path.length - 1];
      const replacement = issue.expected && typeof key === 'string' ? closestName(key, issue.expected) : undefined;
      at(locate(doc, issue.path, issue.atKey), issue.message, 'schema', { replacement });
    }
    return { diagnostics };
  }
  const pipeline = shape.value;
  rememberSource(pipeline, doc, lineCounter);
  const before = diagnostics.length;
  checkReferences(doc, pipeline, at);
  return diagnostics.slice(before).some((d) => d.severity === 'error') ? { diagnostics, shaped: pipeline } : { pipeline, shaped: pipeline, diagnostics };
}
