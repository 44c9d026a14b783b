// The open panels of one kind, one per key (a deployment, a pipeline file): a
// panel leaves the registry when it is disposed, unless another already took
// its key. Closing the extension closes them all.
import type * as vscode from 'vscode';

interface KeyedPanel {
  readonly panel: vscode.WebviewPanel;
  onDispose(listener: () => void): void;
}

export class KeyedPanels<P extends KeyedPanel> implements vscode.Disposable {
  private readonly byKey = new Map<string, P>();

  get(key: string): P | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  values(): P[] {
    return [...this.byKey.values()];
  }

  /** Registers `panel` under `key` until it is disposed. */
  add(key: string, panel: P): P {
    this.byKey.set(key, panel);
    panel.onDispose(() => {
      if (this.byKey.get(key) === panel) this.byKey.delete(key);
    });
    return panel;
  }

  dispose(): void {
    for (const p of this.values()) p.panel.dispose();
  }
}
