import { StoreError } from './storeErrors';

/**
 * Normalises a run-relative artifact path ('a/b.txt'), refusing anything that
 * could name a place outside the run: absolute paths, '..', backslashes,
 * drive letters, NUL. Callers decode URL escapes first, so '%2e%2e' arrives here
 * as '..' and is refused too. '' (the run's root) is allowed when `allowRoot`.
 */
export function normalizeArtifactPath(raw: string, options: { allowRoot?: boolean } = {}): string {
  const refuse = (why: string): never => {
    throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid artifact path '${raw}': ${why}. Use a relative path such as 'plots/loss.png'.`);
  };
  if (raw.includes('\0')) refuse('it contains a NUL character');
  if (raw.includes('\\')) refuse('backslashes are not allowed');
  if (raw.startsWith('/')) refuse('absolute paths are not allowed');
  if (/^[A-Za-z]:/.test(raw)) refuse('drive letters are not allowed');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) refuse("'..' is not allowed");
  const path = parts.join('/');
  if (!path && !options.allowRoot) refuse('it names no file');
  return path;
}
