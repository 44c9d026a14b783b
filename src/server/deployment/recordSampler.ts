// Which answered requests monitoring records. Every one, up to a rate: past
// `maxRowsPerSecond`, each request is kept with the probability that keeps the
// recorded rows near that rate, judged from the previous second's traffic, so the
// sample stays uniform over the second rather than taking its first requests.
// Drift needs a sample, not every request: at tens of thousands of requests a
// second, recording each one cost a small model's serving about a third of its
// CPU (bench/serving.ts), filled the 64 MiB log in seconds, and made a 1000-row
// window a few milliseconds of traffic. `sampleRate` (a fixed share) applies too.

export class RecordSampler {
  private second = -1;
  private arrivedRows = 0;
  private recordedRows = 0;
  private probability: number;

  constructor(
    private readonly sampleRate: number,
    private readonly maxRowsPerSecond: number,
    private readonly random: () => number = Math.random,
  ) {
    this.probability = sampleRate;
  }

  /** Whether to record a request of `rows` rows that arrived at `now` (ms). */
  admit(rows: number, now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      // Last second's rate sets this second's share; after a quiet second, record everything again.
      const lastRate = second === this.second + 1 ? this.arrivedRows : 0;
      this.probability = Math.min(this.sampleRate, lastRate > this.maxRowsPerSecond ? this.maxRowsPerSecond / lastRate : 1);
      this.second = second;
      this.arrivedRows = 0;
      this.recordedRows = 0;
    }
    this.arrivedRows += rows;
    // A burst beyond last second's rate still stops at the limit (one request always fits).
    if (this.recordedRows > 0 && this.recordedRows + rows > this.maxRowsPerSecond) return false;
    if (this.probability < 1 && this.random() >= this.probability) return false;
    this.recordedRows += rows;
    return true;
  }
}
