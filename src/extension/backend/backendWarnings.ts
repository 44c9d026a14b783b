// What the editor picks out of the backend's log (the backend outlives the editor,
// so its output goes to .mlops/logs/server.log, which the extension follows).

/** Warnings in the backend's log lines (`… warning: …`), each handed out once. */
export class BackendWarnings {
  private readonly seen = new Set<string>();

  /** The warnings in `text` not seen before, in order. */
  take(text: string): string[] {
    const fresh: string[] = [];
    for (const line of text.split('\n')) {
      const warning = /\bwarning: (.+)$/.exec(line.trim())?.[1];
      if (warning && !this.seen.has(warning)) {
        this.seen.add(warning);
        fresh.push(warning);
      }
    }
    return fresh;
  }
}

/** Why a backend that exited at start refused: its last `mlops server: …` line. */
export function startFailureReason(text: string): string | undefined {
  const lines = text.split('\n').filter((line) => line.startsWith('mlops server: '));
  return lines.length ? lines[lines.length - 1].slice('mlops server: '.length).trim() : undefined;
}
