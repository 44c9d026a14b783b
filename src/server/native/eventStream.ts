import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeLog } from '../../core/tracking/changeLog';
import type { ChangeEvent } from '../../protocol/native';

const POLL_MS = 150;
const KEEPALIVE_MS = 15_000;
const KEEP_CHANGES = 50_000;

/**
 * Server-sent events of store changes. It tails the `changes` table (written in
 * the same transaction as every write, by any process), so a CLI or pipeline
 * writing the store directly is reported like a write through this server.
 * Bursts are coalesced: one event per (kind, run) per poll.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private lastSeq: number;
  private readonly poller: NodeJS.Timeout;
  private readonly keepalive: NodeJS.Timeout;
  private polls = 0;

  constructor(private readonly changes: ChangeLog) {
    this.lastSeq = changes.lastSeq();
    this.poller = setInterval(() => this.poll(), POLL_MS);
    this.keepalive = setInterval(() => this.broadcastComment('keepalive'), KEEPALIVE_MS);
    this.poller.unref();
    this.keepalive.unref();
  }

  subscribe(req: IncomingMessage, res: ServerResponse, url: URL): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // A HEAD answer has no body, and Node sends the head only with the first body bytes or the end:
    // a HEAD left subscribed would never be answered at all.
    if (req.method === 'HEAD') return void res.end();
    res.write(`retry: 1000\n: connected, seq ${this.lastSeq}\n\n`);
    // A client that reconnects says where it was; if the log was pruned past
    // that point it is told to reload everything.
    const since = Number(req.headers['last-event-id'] ?? url.searchParams.get('since') ?? NaN);
    if (Number.isInteger(since) && since < this.lastSeq) {
      const missed = this.changes.changesSince(since, KEEP_CHANGES);
      if (missed.length === 0 || missed[0].seq > since + 1) this.send(res, { seq: this.lastSeq, at: Date.now(), kind: 'resync', experimentId: null, runId: null });
      else for (const event of coalesce(missed)) this.send(res, event);
    }
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('error', drop);
  }

  private poll(): void {
    let batch;
    try {
      batch = this.changes.changesSince(this.lastSeq, 10_000);
    } catch {
      return; // store busy: next poll
    }
    if (batch.length === 0) return;
    this.lastSeq = batch[batch.length - 1].seq;
    if (this.clients.size > 0) for (const event of coalesce(batch)) for (const client of this.clients) this.send(client, event);
    if (++this.polls % 400 === 0) {
      try {
        this.changes.pruneKeeping(KEEP_CHANGES);
      } catch {
        /* pruning is housekeeping; try later */
      }
    }
  }

  /** An event that is not a store change (a deployment's state): live only, not replayed after a reconnect. */
  publish(name: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const text = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of this.clients) client.write(text);
  }

  private send(res: ServerResponse, event: ChangeEvent): void {
    res.write(`id: ${event.seq}\nevent: change\ndata: ${JSON.stringify(event)}\n\n`);
  }

  private broadcastComment(text: string): void {
    for (const client of this.clients) client.write(`: ${text}\n\n`);
  }

  get subscriberCount(): number {
    return this.clients.size;
  }

  dispose(): void {
    clearInterval(this.poller);
    clearInterval(this.keepalive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}

function coalesce(changes: { seq: number; at: number; kind: string; experimentId: string | null; runId: string | null; modelName?: string | null; version?: string | null }[]): ChangeEvent[] {
  const latest = new Map<string, ChangeEvent>();
  for (const c of changes) {
    const key = `${c.kind}\u0000${c.experimentId}\u0000${c.runId}\u0000${c.modelName ?? ''}\u0000${c.version ?? ''}`;
    latest.delete(key);
    latest.set(key, c as ChangeEvent);
  }
  return [...latest.values()].sort((a, b) => a.seq - b.seq);
}
