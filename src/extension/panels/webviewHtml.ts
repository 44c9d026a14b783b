import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  /** The panel's bundle, built by esbuild.mjs from webview/<name>/main.ts to dist/webview/<name>.js. */
  name: string;
  title: string;
  /** Lets the panel show images it made from bytes (blob: URLs); off unless a panel needs it. */
  imageBlobs?: boolean;
}

/**
 * The HTML shell of a panel: a strict Content-Security-Policy with a fresh
 * nonce (no remote content, no inline code but our own script), VS Code's
 * theme variables for colours, and the panel's bundle. The toolkit's components
 * (FAST) read the nonce from the csp-nonce meta for the style elements they add;
 * without it the policy refused them, an error in every panel's console.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${page.name}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:${page.imageBlobs ? ' blob:' : ''}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${nonce}">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<div id="app" data-loading="true">Loading…</div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
