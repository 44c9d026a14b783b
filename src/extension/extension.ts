import * as vscode from 'vscode';

// Minimal activation for now: the editor integration (sidebar, runs table,
// backend lifecycle) arrives with the editor issue. The extension never loads
// native modules or opens the store; it will talk to the backend over HTTP.
export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.showBackendInfo', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showInformationMessage('MLOps: open a folder to use MLOps Workbench.');
        return;
      }
      const infoUri = vscode.Uri.joinPath(folder.uri, '.mlops', 'server.json');
      try {
        const info = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(infoUri)).toString('utf8')) as { url?: string; pid?: number };
        void vscode.window.showInformationMessage(`MLOps backend for ${folder.name}: ${info.url} (pid ${info.pid}).`);
      } catch {
        void vscode.window.showInformationMessage(`MLOps: no backend is running for ${folder.name}. Start one with "mlops server" in a terminal.`);
      }
    }),
  );
}

export function deactivate(): void {}
