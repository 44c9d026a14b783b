/** Characters of a rejected value an error message shows: enough to recognise it, never the whole body back. */
const MAX_QUOTED = 100;

/**
 * A rejected request value as an error message quotes it: JSON, cut short. A
 * value nested too deep to write (JSON.parse reads what JSON.stringify cannot
 * write back) is named rather than written.
 */
export function quotedInput(input: unknown): string {
  let text: string;
  try {
    text = typeof input === 'string' ? JSON.stringify(input.slice(0, MAX_QUOTED + 1)) : (JSON.stringify(input) ?? String(input));
  } catch {
    return Array.isArray(input) ? 'a list nested too deep to show' : 'an object nested too deep to show';
  }
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}
