import { findCycles, showCycle } from './dagCycles';
import { closestName } from './closestName';
import { PipelineError, type PipelineFile } from './pipelineTypes';

export interface PipelinePlan {
  /** Every selected step, each after the steps it needs; file order among steps ready together. */
  order: string[];
  /** Steps that can run side by side: each level needs only earlier levels. */
  levels: string[][];
}

export interface PlanOptions {
  /** `--step S`: only these steps, their needs assumed done (cached or run before). */
  steps?: readonly string[];
  /** `--from-step S`: S and everything downstream of it. */
  fromStep?: string;
}

export function planPipeline(pipeline: Pick<PipelineFile, 'steps'>, options: PlanOptions = {}): PipelinePlan {
  const needs = new Map(Object.entries(pipeline.steps).map(([name, s]) => [name, s.needs ?? []] as const));
  const names = [...needs.keys()];
  for (const [name, list] of needs) {
    for (const need of list) {
      if (!needs.has(need)) throw new PipelineError('unknown-need', `step "${name}" needs "${need}", which is not a step${suggest(need, names)}`);
    }
  }
  const cycles = findCycles(needs);
  if (cycles.length) throw new PipelineError('cycle', `the steps' needs form a cycle: ${cycles.map(showCycle).join('; ')}`);

  const selected = select(needs, names, options);
  // Kahn's algorithm, scanning in file order so the plan only changes when the file does.
  const level = new Map<string, number>();
  const order: string[] = [];
  const pending = names.filter((n) => selected.has(n));
  while (pending.length) {
    const i = pending.findIndex((n) => needs.get(n)!.every((d) => !selected.has(d) || level.has(d)));
    const name = pending.splice(i, 1)[0];
    level.set(name, Math.max(-1, ...needs.get(name)!.filter((d) => selected.has(d)).map((d) => level.get(d)!)) + 1);
    order.push(name);
  }
  const levels: string[][] = [];
  for (const name of order) (levels[level.get(name)!] ??= []).push(name);
  return { order, levels };
}

function select(needs: Map<string, readonly string[]>, names: string[], options: PlanOptions): Set<string> {
  const check = (s: string, flag: string): void => {
    if (!needs.has(s)) throw new PipelineError('unknown-step', `${flag} ${s}: no such step${suggest(s, names)} (steps: ${names.join(', ')})`);
  };
  if (options.steps?.length && options.fromStep !== undefined) throw new PipelineError('bad-selection', 'choose --step or --from-step, not both');
  if (options.steps?.length) {
    options.steps.forEach((s) => check(s, '--step'));
    return new Set(options.steps);
  }
  if (options.fromStep !== undefined) {
    check(options.fromStep, '--from-step');
    // Downstream = every step that needs a selected step, found by sweeping until nothing is added.
    const chosen = new Set([options.fromStep]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, list] of needs) {
        if (!chosen.has(name) && list.some((d) => chosen.has(d))) {
          chosen.add(name);
          grew = true;
        }
      }
    }
    return chosen;
  }
  return new Set(names);
}

function suggest(name: string, names: readonly string[]): string {
  const c = closestName(name, names);
  return c ? `; did you mean "${c}"?` : '';
}
