import { statSync } from 'node:fs';
import { openDatabase, type Db } from './openDatabase';

// SQLite's automatic checkpoints are PASSIVE: they copy pages back but cannot
// restart the log while any connection reads an old snapshot, so under constant
// reading the WAL file only grows. A long-lived process (the server) runs this
// on its own connection: once the WAL passes a threshold it asks for a TRUNCATE
// checkpoint, which waits briefly for readers to finish their current
// statements and then shrinks the file to zero. While it waits it holds the
// write lock, so its busy timeout is kept very short (back-to-back readers, e.g.
// the runs table and series workers, would otherwise stall every writer for the
// whole timeout); when readers are busy it gives up and tries on the next tick.
export interface WalCheckpointerOptions {
  thresholdBytes?: number;
  intervalMs?: number;
  /**
   * Also copy new WAL frames back on every tick (a PASSIVE checkpoint, which
   * never blocks writers). Set when the writers' own automatic checkpoints are
   * turned off because this runs on another thread.
   */
  passiveEveryTick?: boolean;
}

const RESTART_BYTES = 8 * 1024 * 1024;
// How long a RESTART/TRUNCATE may wait for readers (holding up writers meanwhile).
const RESTART_WAIT_MS = 20;

export class WalCheckpointer {
  private readonly db: Db;
  private readonly timer: NodeJS.Timeout;
  private readonly thresholdBytes: number;
  private readonly passiveEveryTick: boolean;
  private readonly pageSize: number;
  checkpoints = 0;

  constructor(
    private readonly databaseFile: string,
    options: WalCheckpointerOptions = {},
  ) {
    this.thresholdBytes = options.thresholdBytes ?? 64 * 1024 * 1024;
    this.passiveEveryTick = options.passiveEveryTick ?? false;
    this.db = openDatabase(databaseFile);
    this.db.pragma(`busy_timeout = ${RESTART_WAIT_MS}`);
    this.pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.timer = setInterval(() => this.tick(), options.intervalMs ?? 2000);
    this.timer.unref();
  }

  walSize(): number {
    try {
      return statSync(`${this.databaseFile}-wal`).size;
    } catch {
      return 0;
    }
  }

  /** Checkpoints now if the WAL is over the threshold; returns whether it did. */
  tick(): boolean {
    if (this.passiveEveryTick && this.passive()) return true;
    if (this.walSize() < this.thresholdBytes) return false;
    return this.checkpoint('TRUNCATE');
  }

  private checkpoint(mode: 'RESTART' | 'TRUNCATE'): boolean {
    try {
      const [result] = this.db.pragma(`wal_checkpoint(${mode})`) as { busy: number }[];
      if (result && result.busy === 0) this.checkpoints++;
      return result?.busy === 0;
    } catch {
      return false; // busy: the next tick tries again
    }
  }

  /**
   * Copies what it can without blocking anyone. A passive checkpoint cannot
   * keep up with a steady stream of commits on its own (the log never becomes
   * fully copied, so it is never restarted), so once the log holds
   * RESTART_BYTES it asks for a RESTART: writers wait only for the few frames
   * the passive pass left, then the log starts over. Returns whether it restarted.
   */
  private passive(): boolean {
    try {
      const [result] = this.db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      if (result && result.log * this.pageSize >= RESTART_BYTES) return this.checkpoint('RESTART');
    } catch {
      /* busy: the next tick tries again */
    }
    return false;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.db.close();
  }
}
