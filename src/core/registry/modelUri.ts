import { StoreError } from '../store/storeErrors';

// models:/ URIs, as MLflow writes them:
//   models:/<name>/<version>   a version number
//   models:/<name>@<alias>     the version an alias points to
//   models:/<name>/latest      the highest version number
//   models:/<name>/<stage>     the highest version in a legacy stage (Production...)

export type ModelReference =
  | { name: string; kind: 'version'; version: number }
  | { name: string; kind: 'alias'; alias: string }
  | { name: string; kind: 'latest' }
  | { name: string; kind: 'stage'; stage: string };

function invalid(uri: string, why: string): never {
  throw new StoreError(
    'INVALID_PARAMETER_VALUE',
    `Invalid model URI '${uri}': ${why}. Use models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/latest.`,
  );
}

export function isModelUri(uri: string): boolean {
  return uri.startsWith('models:/');
}

export function parseModelUri(uri: string): ModelReference {
  if (!isModelUri(uri)) invalid(uri, "it does not start with 'models:/'");
  let rest = uri.slice('models:/'.length);
  if (rest.startsWith('/')) invalid(uri, 'a models:/ URI names no host');
  try {
    rest = decodeURIComponent(rest).replace(/\/+$/, '');
  } catch {
    invalid(uri, 'bad percent-encoding');
  }
  const parts = rest.split('/');
  if (parts.length === 1) {
    const at = rest.lastIndexOf('@');
    if (at <= 0 || at === rest.length - 1) invalid(uri, 'it names no version or alias');
    return { name: rest.slice(0, at), kind: 'alias', alias: rest.slice(at + 1) };
  }
  if (parts.length !== 2 || !parts[0] || !parts[1]) invalid(uri, 'expected exactly a name and a version');
  const [name, ref] = parts;
  if (/^\d+$/.test(ref)) return { name, kind: 'version', version: Number(ref) };
  if (ref.toLowerCase() === 'latest') return { name, kind: 'latest' };
  return { name, kind: 'stage', stage: ref };
}

export function formatModelUri(name: string, version: number): string {
  return `models:/${name}/${version}`;
}
