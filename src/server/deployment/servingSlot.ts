// The variants serving right now, swapped atomically by a redeploy. A request
// leases the generation that was current when it arrived and keeps it to the end,
// so switching never changes a model under a request; the old generation is
// disposed once its last lease is returned (no request dropped, no session leaked).
import type { LoadedVariant } from './variantLoader';
import { pickByWeight, stickyPoint } from './trafficSplit';

export interface Generation {
  readonly variants: readonly LoadedVariant[];
  readonly shadow: boolean;
  readonly champion: LoadedVariant;
  readonly challenger: LoadedVariant | undefined;
}

export interface Lease {
  readonly generation: Generation;
  release(): void;
  /** A second lease on the same generation (work that outlives the request, e.g. a shadow copy). */
  another(): Lease;
}

class Held implements Generation {
  leases = 0;
  retired = false;
  readonly champion: LoadedVariant;
  readonly challenger: LoadedVariant | undefined;
  private whenIdle: (() => void) | undefined;

  constructor(
    readonly variants: readonly LoadedVariant[],
    readonly shadow: boolean,
  ) {
    this.champion = variants.find((v) => v.name === 'champion') ?? variants[0];
    this.challenger = variants.find((v) => v.name === 'challenger');
  }

  release(): void {
    this.leases--;
    if (this.retired && this.leases === 0) this.whenIdle?.();
  }

  idle(): Promise<void> {
    if (this.leases === 0) return Promise.resolve();
    return new Promise((resolve) => (this.whenIdle = resolve));
  }
}

export class ServingSlot {
  private current: Held | undefined;

  get generation(): Generation | undefined {
    return this.current;
  }

  lease(): Lease | undefined {
    return this.current ? leaseOf(this.current) : undefined;
  }

  /** Makes `variants` current; resolves when the previous generation's requests have finished and its models are disposed. */
  async swap(variants: readonly LoadedVariant[], shadow: boolean): Promise<void> {
    const old = this.current;
    this.current = new Held(variants, shadow);
    if (old) await retire(old);
  }

  /** No generation afterwards: waits for requests in flight, then disposes the models. */
  async clear(): Promise<void> {
    const old = this.current;
    this.current = undefined;
    if (old) await retire(old);
  }
}

function leaseOf(held: Held): Lease {
  held.leases++;
  return new HeldLease(held);
}

/** One lease: a class, not closures, since every request takes one. */
class HeldLease implements Lease {
  private released = false;
  constructor(private readonly held: Held) {}

  get generation(): Generation {
    return this.held;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.held.release();
  }

  another(): Lease {
    return leaseOf(this.held);
  }
}

async function retire(held: Held): Promise<void> {
  held.retired = true;
  await held.idle();
  await Promise.all(held.variants.map((v) => v.served.dispose()));
}

/** The variant that answers: by weight, or by the sticky key's hash when one is given. */
export function chooseVariant(generation: Generation, stickyKey: string | undefined): LoadedVariant {
  if (generation.shadow || !generation.challenger) return generation.champion;
  return pickByWeight(generation.variants, stickyKey === undefined ? Math.random() : stickyPoint(stickyKey));
}
