import type { ChangeEvent, ServerInfo } from '../../protocol/native';
import { deploymentSchemas, nativeSchemas } from '../lazySchemas';
import type { DeploymentEvent } from '../../protocol/deployments';

/**
 * The backend's server-sent events, reconnecting with the last sequence number
 * so nothing is missed across a backend restart. While subscribed, the editor
 * counts as a client, so an on-demand backend does not stop for idleness.
 */
export class EventSubscription {
  private controller?: AbortController;
  private lastSeq?: number;
  private stopped = false;

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
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async stream(info: ServerInfo): Promise<void> {
    this.controller = new AbortController();
    const since = this.lastSeq === undefined ? '' : `?since=${this.lastSeq}`;
    const res = await fetch(`${info.url}/api/v1/events${since}`, { headers: { Authorization: `Bearer ${info.token}` }, signal: this.controller.signal });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    this.onState(true);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const data = lines.find((line) => line.startsWith('data: '));
        if (!data) continue;
        if (lines.includes('event: deployment')) {
          const deployment = deploymentSchemas().deploymentEvent.safeParse(JSON.parse(data.slice(6)));
          if (deployment.success) this.onDeployment?.(deployment.data);
          continue;
        }
        const parsed = nativeSchemas().changeEvent.safeParse(JSON.parse(data.slice(6)));
        if (!parsed.success) continue;
        this.lastSeq = parsed.data.seq;
        this.onEvent(parsed.data);
      }
    }
  }

  dispose(): void {
    this.stopped = true;
    this.controller?.abort();
  }
}
