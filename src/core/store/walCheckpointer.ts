import { statSync } from 'node:fs';
import { openDatabase, type Db } from './openDatabase';

// SQLite's automatic checkpoints are PASSIVE: they copy pages back but cannot
// restart the log while any connection reads an old snapshot, so under constant
// reading the WAL file only grows. A long-lived process (the server) runs this
// on its own connection: once the WAL passes a threshold it asks for a TRUNCATE
// checkpoint, which waits briefly for readers to finish their current
// statements and then shrinks the file to zero. Its short busy timeout means it
// never holds up the writers for long; it simply tries again on the next tick.
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

export class WalCheckpointer {
  private readonly db: Db;
  private readonly timer: NodeJS.Timeout;
  private readonly thresholdBytes: number;
  private readonly passiveEveryTick: boolean;
  checkpoints = 0;

  constructor(
    private readonly databaseFile: string,
    options: WalCheckpointerOptions = {},
  ) {
    this.thresholdBytes = options.thresholdBytes ?? 64 * 1024 * 1024;
    this.passiveEveryTick = options.passiveEveryTick ?? false;
    this.db = openDatabase(databaseFile);
    this.db.pragma('busy_timeout = 250');
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
    if (this.walSize() < this.thresholdBytes) {
      if (this.passiveEveryTick) this.passive();
      return false;
    }
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (result && result.busy === 0) this.checkpoints++;
      return result?.busy === 0;
    } catch {
      return false; // busy: the next tick tries again
    }
  }

  private passive(): void {
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      /* busy: the next tick tries again */
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.db.close();
  }
}
