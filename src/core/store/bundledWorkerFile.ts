import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A worker bundle (dist/<name>) next to the bundle that loads this module, or in
 * the repository's dist/ when running from another bundle (tests, benchmarks).
 */
export function bundledWorkerFile(name: string): string | undefined {
  const candidates = [join(__dirname, name), join(__dirname, '..', '..', 'dist', name), join(__dirname, '..', 'dist', name)];
  return candidates.find((c) => existsSync(c));
}
