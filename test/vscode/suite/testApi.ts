// A minimal test API for the suite that runs inside VS Code's extension host:
// tests are registered with `test(name, fn)`, run one after another in
// registration order, each with a time limit, and the outcome is written as JSON
// to a file the harness (runHost.mjs) waits for; the browser that hosts the
// workbench cannot report an exit code.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TestOptions {
  /** Time limit for this test; default 30 s. */
  timeoutMs?: number;
}

interface RegisteredTest {
  name: string;
  fn: () => unknown | Promise<unknown>;
  timeoutMs: number;
}

export interface TestResult {
  name: string;
  ok: boolean;
  durationMs: number;
  error?: string;
}

export interface SuiteResults {
  passed: number;
  failed: number;
  failures: { name: string; error: string }[];
  tests: TestResult[];
  durationMs: number;
  vscodeVersion?: string;
  /** Figures measured in the host (benchmarks), printed by the harness. */
  measurements?: Measurement[];
}

export interface Measurement {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

const measurements: Measurement[] = [];

/** Records a figure measured in the real host; the harness prints it (never asserted here). */
export function measure(name: string, value: number, unit: string, target?: string): void {
  measurements.push({ name, value, unit, target });
}

const registered: RegisteredTest[] = [];

export function test(name: string, fn: () => unknown | Promise<unknown>, options: TestOptions = {}): void {
  registered.push({ name, fn, timeoutMs: options.timeoutMs ?? 30_000 });
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

async function withTimeout(t: RegisteredTest): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(t.fn), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every registered test in order and writes the results to `resultsPath`. */
export async function runRegistered(resultsPath: string, extra: Partial<SuiteResults> = {}): Promise<SuiteResults> {
  const started = Date.now();
  const tests: TestResult[] = [];
  // MLOPS_VSCODE_GREP=<regex> runs only the matching tests (when working on one
  // feature; later tests and the browser checks may rely on ones left out).
  const grep = process.env.MLOPS_VSCODE_GREP ? new RegExp(process.env.MLOPS_VSCODE_GREP, 'i') : undefined;
  for (const t of registered.filter((r) => !grep || grep.test(r.name))) {
    const t0 = Date.now();
    try {
      await withTimeout(t);
      tests.push({ name: t.name, ok: true, durationMs: Date.now() - t0 });
    } catch (err) {
      tests.push({ name: t.name, ok: false, durationMs: Date.now() - t0, error: describe(err) });
    }
  }
  const failures = tests.filter((r) => !r.ok).map((r) => ({ name: r.name, error: r.error ?? '' }));
  const results: SuiteResults = {
    ...extra,
    passed: tests.length - failures.length,
    failed: failures.length,
    failures,
    tests,
    durationMs: Date.now() - started,
    measurements,
  };
  mkdirSync(dirname(resultsPath), { recursive: true });
  // Written to a temporary name and renamed, so the harness never reads half a file.
  writeFileSync(`${resultsPath}.tmp`, JSON.stringify(results, null, 2) + '\n');
  renameSync(`${resultsPath}.tmp`, resultsPath);
  return results;
}
