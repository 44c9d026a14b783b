/**
 * Splits a command line into words the way a POSIX shell would for plain
 * cases: whitespace separates, single and double quotes group, a backslash
 * escapes the next character (outside single quotes). No expansion of
 * variables or globs: the command runs without a shell, on every platform.
 * Returns a message for an unterminated quote.
 */
export function splitCommandLine(line: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) word += line[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return `unterminated ${quote} quote`;
  if (inWord) words.push(word);
  return words;
}
