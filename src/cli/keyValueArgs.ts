import type { KeyValue } from '../core/tracking/types';
import { CliError } from './cliError';

/** `k=v` arguments (from --param / --tag) as key-value pairs. */
export function parseKeyValues(values: string[] | undefined, flag: string): KeyValue[] {
  return (values ?? []).map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag} expects key=value, got '${item}'.`, 2);
    return { key: item.slice(0, eq), value: item.slice(eq + 1) };
  });
}
