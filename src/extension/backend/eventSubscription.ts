import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChangeEvent, ServerInfo } from '../../protocol/native';
import { deploymentSchemas, nativeSchemas } from '../lazySchemas';
import type { DeploymentEvent } from '../../protocol/deployments';

const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/**
 * The backend's server-sent events, reconnecting with the last sequence number
 * so nothing is missed across a backend restart. While subscribed, the editor
 * counts as a client, so an on-demand backend does not stop for idleness.
 */
export class EventSubscription {
  private controller?: AbortController;
  private lastSeq?: number;
  private stopped = false;
  /** The wait before reconnecting; the server may set it (its `retry:` field). */
  private retryMs = 1000;

  constructor(
    private readonly server: () => ServerInfo | undefined,
    private readonly onEvent: (event: ChangeEvent) => void,
    private readonly onState: (connected: boolean) => void,
    /** Deployment events (live only: not replayed after a reconnect). */
    private readonly onDeployment?: (event: DeploymentEvent) => void,
  ) {
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const info = this.server();
      if (info) {
        try {
          await this.stream(info);
        } catch {
          /* dropped: reconnect below */
        }
        this.onState(false);
      }
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  private async stream(info: ServerInfo): Promise<void> {
    this.controller = new AbortController();
    const since = this.lastSeq === undefined ? '' : `?since=${this.lastSeq}`;
    const res = await fetch(`${info.url}/api/v1/events${since}`, { headers: { Authorization: `Bearer ${info.token}` }, signal: this.controller.signal });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    this.onState(true);
    // The EventSource rules (multi-line data joined with "\n", "data:" with or
    // without its space, CR/LF line ends, comments, event/id/retry fields) are
    // the parser's; chunks may split a line, a CRLF or a UTF-8 character anywhere.
    const parser = createParser({
      onEvent: (message) => this.dispatch(message),
      onRetry: (ms) => (this.retryMs = Math.min(Math.max(ms, MIN_RETRY_MS), MAX_RETRY_MS)),
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  }

  private dispatch(message: EventSourceMessage): void {
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      return; // not ours to understand: the stream goes on
    }
    if (message.event === 'deployment') {
      const deployment = deploymentSchemas().deploymentEvent.safeParse(data);
      if (deployment.success) this.onDeployment?.(deployment.data);
      return;
    }
    if (message.event !== undefined && message.event !== 'change') return;
    const parsed = nativeSchemas().changeEvent.safeParse(data);
    if (!parsed.success) return;
    this.lastSeq = parsed.data.seq;
    this.onEvent(parsed.data);
  }

  dispose(): void {
    this.stopped = true;
    this.controller?.abort();
  }
}
