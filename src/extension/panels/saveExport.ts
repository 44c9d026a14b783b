import * as vscode from 'vscode';

/** Asks where to save an export a panel made (a chart's PNG, a table's CSV), starting in the workspace folder. */
export async function saveExport(folder: vscode.Uri, defaultName: string, filters: Record<string, string[]>, data: Uint8Array): Promise<void> {
  const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, defaultName), filters });
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, data);
  void vscode.window.setStatusBarMessage(`Saved ${vscode.workspace.asRelativePath(uri)}`, 3000);
}

/** A PNG a webview made with canvas.toDataURL, as bytes. */
export function pngBytes(dataUrl: string): Buffer {
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

/** A file name for a metric key (system/cpu -> system_cpu). */
export function exportName(key: string, extension: string): string {
  return `${key.replace(/[^\w.-]+/g, '_')}.${extension}`;
}
