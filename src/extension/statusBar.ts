import * as vscode from 'vscode';
import type { WorkspaceBackend } from './backend/workspaceBackend';
import { idleStatus } from './idleStatus';

/** One status bar item for all workspace folders: connected, runs in progress, or an error that opens the log. */
export class BackendStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlops.backend', vscode.StatusBarAlignment.Left, 50);

  constructor(private readonly backends: () => WorkspaceBackend[]) {
    this.item.name = 'MLOps backend';
    this.update();
    this.item.show();
  }

  update(): void {
    const backends = this.backends();
    const errors = backends.filter((b) => b.state.kind === 'error');
    const starting = backends.some((b) => b.state.kind === 'starting');
    let running = 0;
    for (const b of backends) if (b.state.kind === 'connected') running += b.state.summary?.running ?? 0;
    if (backends.length === 0) {
      const idle = idleStatus(vscode.workspace.workspaceFolders?.length ?? 0, vscode.workspace.isTrusted);
      this.item.text = vscode.workspace.isTrusted ? '$(beaker) MLOps' : '$(shield) MLOps';
      this.item.tooltip = idle.tooltip;
      this.item.command = idle.command;
      this.item.backgroundColor = undefined;
    } else if (errors.length > 0) {
      this.item.text = '$(error) MLOps';
      this.item.tooltip = `MLOps backend problem: ${errors.map((b) => `${b.folder.name}: ${b.state.kind === 'error' ? b.state.message : ''}`).join('\n')}\nClick to open the log.`;
      this.item.command = 'mlops.showLog';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (starting) {
      this.item.text = '$(sync~spin) MLOps';
      this.item.tooltip = 'Starting the MLOps backend…';
      this.item.command = 'mlops.showLog';
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = running > 0 ? `$(sync~spin) MLOps: ${running} running` : '$(beaker) MLOps';
      const lines = backends.map((b) => (b.state.kind === 'connected' ? `${b.folder.name}: ${b.state.info.url} (${b.state.summary?.runs ?? '?'} runs)` : b.folder.name));
      this.item.tooltip = `MLOps backend connected\n${lines.join('\n')}`;
      this.item.command = 'mlops.showBackendInfo';
      this.item.backgroundColor = undefined;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
