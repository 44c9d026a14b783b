import { open, stat } from 'node:fs/promises';

/**
 * Follows a log file the backend writes (it outlives the editor, so its output
 * goes to a file, not a pipe) and hands new lines to `onLines`.
 */
export class LogTail {
  private offset = 0;
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly file: string,
    private readonly onLines: (text: string) => void,
    intervalMs = 1000,
  ) {
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  /** Starts from the end: only what the backend writes from now on. */
  async skipExisting(): Promise<void> {
    try {
      this.offset = (await stat(this.file)).size;
    } catch {
      this.offset = 0;
    }
  }

  /** Starts at a byte offset already read by the caller (e.g. the tail it showed). */
  startAt(offset: number): void {
    this.offset = offset;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const size = (await stat(this.file)).size;
      if (size < this.offset) this.offset = 0; // truncated or replaced
      if (size > this.offset) {
        const handle = await open(this.file, 'r');
        try {
          const length = Math.min(size - this.offset, 1 << 20);
          const buffer = Buffer.alloc(length);
          await handle.read(buffer, 0, length, this.offset);
          this.offset += length;
          this.onLines(buffer.toString('utf8'));
        } finally {
          await handle.close();
        }
      }
    } catch {
      /* not there yet */
    } finally {
      this.busy = false;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
