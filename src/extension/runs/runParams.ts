/** Parses `lr=0.1 epochs=20` (spaces or commas between pairs). */
export function parseParams(text: string): Record<string, string> | string {
  const params: Record<string, string> = {};
  for (const pair of text.split(/[\s,]+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return `"${pair}" is not key=value`;
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return params;
}
