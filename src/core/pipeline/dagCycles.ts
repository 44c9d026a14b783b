/** A cycle as a path that ends where it starts: ["a", "b", "a"] reads "a needs b needs a". */
export interface NeedsCycle {
  path: string[];
  /** The step and index in its `needs` of the entry that closes the cycle (where to point). */
  step: string;
  needIndex: number;
}

/**
 * Every cycle a depth-first walk meets, walking steps in file order so the same file
 * always reports the same cycles at the same entries. Unknown needs are ignored here
 * (reported on their own).
 */
export function findCycles(steps: ReadonlyMap<string, readonly string[]>): NeedsCycle[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: NeedsCycle[] = [];
  const visit = (name: string): void => {
    state.set(name, 'open');
    stack.push(name);
    (steps.get(name) ?? []).forEach((need, needIndex) => {
      if (!steps.has(need)) return;
      const s = state.get(need);
      if (s === 'open') cycles.push({ path: [...stack.slice(stack.indexOf(need)), need], step: name, needIndex });
      else if (s === undefined) visit(need);
    });
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of steps.keys()) if (!state.has(name)) visit(name);
  return cycles;
}

export const showCycle = (c: NeedsCycle): string => c.path.join(' → ');
