import type { Document } from 'yaml';
import { closestName } from './closestName';
import { findCycles, showCycle } from './dagCycles';
import { GateSyntaxError, gateReferences, parseGate } from './gateParser';
import { locate, rangeWithin, type Range } from './pipelineSource';
import type { PipelineFile } from './pipelineTypes';

export type Report = (range: Range, message: string, code: string, extra?: { replacement?: string; severity?: 'error' | 'warning' }) => void;

// What the schema cannot say because it needs the whole file: names that refer to
// other parts of it (needs, params, gates) and the shape of the graph.
export function checkReferences(doc: Document, pipeline: PipelineFile, at: Report): void {
  const names = Object.keys(pipeline.steps);
  const needs = new Map(names.map((n) => [n, pipeline.steps[n].needs ?? []] as const));
  for (const [name, list] of needs) {
    list.forEach((need, i) => {
      if (needs.has(need)) return;
      const c = closestName(need, names.filter((n) => n !== name));
      at(locate(doc, ['steps', name, 'needs', i], false), `step "${name}" needs "${need}", which is not a step of this pipeline${c ? `; did you mean "${c}"?` : ''}`, 'unknown-need', { replacement: c });
    });
  }
  for (const cycle of findCycles(needs)) {
    at(locate(doc, ['steps', cycle.step, 'needs', cycle.needIndex], false), `the needs form a cycle: ${showCycle(cycle)}`, 'cycle');
  }
  checkImplicitNeeds(doc, pipeline, needs, at);
  for (const name of names) {
    checkParams(doc, pipeline, name, at);
    const when = pipeline.steps[name].register?.when;
    if (when !== undefined) checkGate(doc, name, when, needs, pipeline, at);
  }
}

/**
 * A dep that another step makes, without needing that step: the order comes from
 * `needs` only, so the step may run first and read a stale or missing file. DVC
 * infers the order from deps and outs; here it is said, at the dep, as a warning.
 */
function checkImplicitNeeds(doc: Document, pipeline: PipelineFile, needs: Map<string, readonly string[]>, at: Report): void {
  const trim = (p: string): string => p.replace(/^\.\//, '').replace(/\/+$/, '');
  const maker = new Map<string, string>();
  for (const [name, step] of Object.entries(pipeline.steps)) for (const out of step.outs ?? []) maker.set(trim(out), name);
  for (const [name, step] of Object.entries(pipeline.steps)) {
    const upstream = ancestors(name, needs);
    (step.deps ?? []).forEach((dep, i) => {
      const by = maker.get(trim(dep));
      if (by === undefined || by === name || upstream.has(by)) return;
      at(locate(doc, ['steps', name, 'deps', i], false), `step "${name}" reads ${dep}, which step "${by}" makes, but does not need "${by}": it may run before "${by}" and read an old or missing file; add "${by}" to its needs`, 'implicit-need', { severity: 'warning' });
    });
  }
}

const knownParams = (pipeline: PipelineFile): string => {
  const known = Object.keys(pipeline.params ?? {});
  return known.length ? ` (params: ${known.join(', ')})` : ' (the file declares no params)';
};

// Caught here as well as when the command is interpolated, so the editor shows it as you type.
function checkParams(doc: Document, pipeline: PipelineFile, name: string, at: Report): void {
  const declared = pipeline.params ?? {};
  const step = pipeline.steps[name];
  (step.params ?? []).forEach((p, i) => {
    if (!Object.hasOwn(declared, p)) at(locate(doc, ['steps', name, 'params', i], false), `step "${name}" uses param "${p}", which is not declared${knownParams(pipeline)}`, 'unknown-param', { replacement: closestName(p, Object.keys(declared)) });
  });
  if (step.run === undefined) return;
  const within = rangeWithin(doc, ['steps', name, 'run'], step.run);
  for (const m of step.run.matchAll(/\$\$\{|\$\{\s*params\.([^}]*?)\s*\}/g)) {
    if (m[1] !== undefined && !Object.hasOwn(declared, m[1])) {
      const c = closestName(m[1], Object.keys(declared));
      at(within(m.index, m.index + m[0].length), `step "${name}" uses \${params.${m[1]}}, which is not declared${knownParams(pipeline)}`, 'unknown-param', { replacement: c === undefined ? undefined : `\${params.${c}}` });
    }
  }
}

function checkGate(doc: Document, step: string, when: string, needs: Map<string, readonly string[]>, pipeline: PipelineFile, at: Report): void {
  const within = rangeWithin(doc, ['steps', step, 'register', 'when'], when);
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
      if (!Object.hasOwn(pipeline.params ?? {}, ref.key)) at(within(ref.start, ref.end), `gate of step "${step}" reads params.${ref.key}, which is not declared${knownParams(pipeline)}`, 'gate-reference');
    } else if (!needs.has(ref.step)) {
      const c = closestName(ref.step, [...needs.keys()]);
      at(within(ref.start, ref.end), `gate of step "${step}" reads metrics of "${ref.step}", which is not a step${c ? `; did you mean "${c}"?` : ''}`, 'gate-reference', {
        replacement: c === undefined ? undefined : `${c}.metrics.${ref.key}`,
      });
    } else if (!upstream.has(ref.step)) {
      at(within(ref.start, ref.end), `gate of step "${step}" reads metrics of "${ref.step}", which does not run before it: add "${ref.step}" to its needs (directly or through another step)`, 'gate-reference');
    }
  }
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
