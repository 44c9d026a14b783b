// Completion for the filter box: the word before the caret against the search keys
// of the table's columns (attributes.*, params.*, metrics.*, tags.*).
const PREFIXES = ['metrics.', 'params.', 'tags.', 'attributes.'];

export function filterSuggestions(beforeCaret: string, keys: string[], limit = 12): string[] {
  const word = /[\w.`-]*$/.exec(beforeCaret)![0].toLowerCase();
  if (!word) return [];
  const candidates = [...PREFIXES, ...keys];
  const starts = candidates.filter((k) => k.toLowerCase().startsWith(word) && k.toLowerCase() !== word);
  // "acc" also finds metrics.acc.
  const contains = word.includes('.') ? [] : keys.filter((k) => !starts.includes(k) && k.toLowerCase().split('.').slice(1).join('.').startsWith(word));
  return [...starts, ...contains].slice(0, limit);
}
