import type * as vscode from 'vscode';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import { webviewOptions } from './webviewHtml';

// Panels restored at startup (their serializers run before the backends are
// up) wait for a backend with these, with a limit, rather than failing.

/** The next backend the workbench adds, or undefined after 10 s. */
export function nextBackend(workbench: Workbench): Promise<WorkspaceBackend | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (sub.dispose(), resolve(undefined)), 10_000);
    const sub = workbench.onDidAddBackend((b) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(b);
    });
  });
}

/** Resolves once the backend has left its starting state (connected or failed), or after 30 s. */
export function connected(backend: WorkspaceBackend): Promise<void> {
  if (backend.state.kind !== 'starting') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (sub.dispose(), resolve()), 30_000);
    const sub = backend.onDidChangeState((state) => {
      if (state.kind === 'starting') return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

/**
 * The serializer of a panel type: after a window reload, once a backend is up,
 * the panel comes back from its saved state; a state it cannot read (or no
 * backend) closes the panel rather than showing nothing.
 */
export function restoringSerializer<T>(
  extensionUri: vscode.Uri,
  workbench: Workbench,
  parse: (state: unknown) => T | undefined,
  restore: (panel: vscode.WebviewPanel, backend: WorkspaceBackend, state: T) => void,
): vscode.WebviewPanelSerializer {
  return {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      const parsed = parse(state);
      const backend = workbench.current() ?? (await nextBackend(workbench));
      if (parsed === undefined || !backend) return panel.dispose();
      panel.webview.options = webviewOptions(extensionUri);
      restore(panel, backend, parsed);
    },
  };
}
