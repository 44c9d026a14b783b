// The only way a panel talks to the extension: postMessage through the host
// (no fetch of localhost, so it works remotely without port forwarding).
import type { ZodType } from 'zod';

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export interface PanelChannel<ToHost, State> {
  post(message: ToHost): void;
  /** Validated messages from the host; anything else is dropped with a console warning. */
  onMessage(handler: (message: unknown) => void): void;
  state(): State | undefined;
  saveState(state: State): void;
}

/** The panel's side of the channel; `fromHost` validates every incoming message. */
export function panelChannel<ToHost, FromHost, State>(fromHost: ZodType<FromHost>): PanelChannel<ToHost, State> & { onValid(handler: (message: FromHost) => void): void } {
  const api = acquireVsCodeApi<State>();
  const handlers: ((message: unknown) => void)[] = [];
  window.addEventListener('message', (event: MessageEvent) => {
    for (const h of handlers) h(event.data);
  });
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) => void handlers.push(handler),
    onValid: (handler) =>
      void handlers.push((data) => {
        const parsed = fromHost.safeParse(data);
        if (parsed.success) handler(parsed.data);
        else console.warn('MLOps panel: ignored a malformed message from the extension', parsed.error.issues[0]);
      }),
    state: () => api.getState(),
    saveState: (state) => api.setState(state),
  };
}
