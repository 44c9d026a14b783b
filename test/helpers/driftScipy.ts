import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEBIAN_PYTHON } from './pythonDeps';

// Runs test/helpers/driftScipy.py (scipy's side of the drift statistics) on
// cases sent as JSON; shared by the drift tests and the drift benchmark.

/** A value as the Python side takes it: NaN and infinities travel as strings. */
export type WireValue = number | string | null;

export interface ScipyCase {
  test: string;
  type: 'numerical' | 'categorical';
  reference: WireValue[];
  current: WireValue[];
}

export interface ScipyAnswer {
  results: { score: number; statistic?: number }[];
  special: Record<string, number[]>;
  /** scipy's own time for the cases, without starting Python or moving JSON. */
  seconds: number;
}

const SCRIPT = join(__dirname, '..', '..', 'test', 'helpers', 'driftScipy.py');

export function toWire(v: number | string | null | undefined): WireValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  return v;
}

function fromWire(v: unknown): unknown {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)]));
  return v;
}

export function runScipy(request: { cases?: ScipyCase[]; special?: Record<string, number[][]> }, scriptDir = SCRIPT): ScipyAnswer {
  const out = spawnSync(DEBIAN_PYTHON, [scriptDir], { input: JSON.stringify(request), maxBuffer: 1 << 30, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`driftScipy.py failed (${out.status}): ${out.stderr}`);
  return fromWire(JSON.parse(out.stdout)) as ScipyAnswer;
}
