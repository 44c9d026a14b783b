import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import { LogTail } from '../backend/logTail';
import type { HostToRunDetail } from '../../protocol/runDetailMessages';
import { OUTPUT_ARTIFACT, readArtifact } from './runDetailData';
import { fromLineStart, readableLog } from './runLogText';

type LogMessage = Extract<HostToRunDetail, { type: 'log' }>;

/** How much of the end of a run's output the panel shows. */
export const LOG_TAIL_BYTES = 200 * 1024;

/**
 * A run's captured output for the detail panel: `mlops run` writes it to
 * .mlops/logs/<runId>.log while the run lives (followed here, like the backend's
 * own log) and records it as the artifact logs/output.log when it ends.
 */
export class RunLogFollower {
  private tail?: LogTail;
  private stopTimer?: NodeJS.Timeout;

  constructor(
    private readonly backend: WorkspaceBackend,
    private readonly run: { runId: string; experimentId: string },
    private readonly post: (message: LogMessage) => void,
  ) {}

  private get file(): string {
    return join(this.backend.folder.uri.fsPath, '.mlops', 'logs', `${this.run.runId}.log`);
  }

  /** Sends the tail of the output, and follows the file while the run is running. */
  async start(running: boolean): Promise<void> {
    this.dispose();
    if (existsSync(this.file)) {
      const { text, size, skipped } = await readTail(this.file);
      this.post({ type: 'log', mode: 'replace', text: readableLog(fromLineStart(text, skipped)), truncated: skipped, source: 'file', live: running });
      if (running) {
        this.tail = new LogTail(this.file, (chunk) => this.post({ type: 'log', mode: 'append', text: readableLog(chunk), truncated: false, source: 'file', live: true }), 500);
        this.tail.startAt(size);
      }
      return;
    }
    try {
      const read = await readArtifact(this.backend, this.run, OUTPUT_ARTIFACT, -LOG_TAIL_BYTES);
      const text = new TextDecoder().decode(read.bytes);
      this.post({ type: 'log', mode: 'replace', text: readableLog(fromLineStart(text, read.truncated)), truncated: read.truncated, source: 'artifact', live: false });
    } catch {
      this.post({ type: 'log', mode: 'replace', text: '', truncated: false, source: 'none', live: false });
    }
  }

  get following(): boolean {
    return this.tail !== undefined;
  }

  /** The run ended: pick up its last lines, then stop following. */
  finish(): void {
    if (!this.tail || this.stopTimer) return;
    this.stopTimer = setTimeout(() => {
      this.dispose();
      this.post({ type: 'log', mode: 'append', text: '', truncated: false, source: 'file', live: false });
    }, 1500);
  }

  dispose(): void {
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = undefined;
    this.tail?.dispose();
    this.tail = undefined;
  }
}

async function readTail(file: string): Promise<{ text: string; size: number; skipped: boolean }> {
  const size = (await stat(file)).size;
  const start = Math.max(0, size - LOG_TAIL_BYTES);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return { text: buffer.toString('utf8'), size, skipped: start > 0 };
  } finally {
    await handle.close();
  }
}
