// The panel's own rules, as a constructed stylesheet: the strict CSP allows no
// inline styles, and media/webview.css holds only what every panel shares.
const CSS = `
.cmp-toolbar { flex-wrap: wrap; }
.cmp-control { display: inline-flex; align-items: center; gap: 4px; }
.cmp-control select, .cmp-control input[type=range] { font: inherit; }
.cmp-control select { color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 4px; }
.cmp-value, .cmp-hint { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.cmp-button { font: inherit; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none; padding: 3px 10px; cursor: pointer; border-radius: 2px; }
.cmp-button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.cmp-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; padding: 4px 0 8px; max-height: 120px; overflow: auto; }
.cmp-legend-item { font: inherit; color: var(--vscode-foreground); background: none; border: none; padding: 0; cursor: pointer; display: inline-flex; align-items: center; gap: 5px; }
.cmp-legend-item:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.cmp-muted { opacity: 0.4; }
.cmp-swatch { display: inline-block; width: 14px; height: 4px; border-radius: 1px; flex: none; margin-right: 4px; vertical-align: middle; }
.cmp-swatch-dashed { height: 2px; outline: 1px dashed var(--vscode-editor-background); outline-offset: -1px; }
.cmp-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
.cmp-system { margin-top: 12px; }
.cmp-system > summary { cursor: pointer; padding: 6px 0; font-weight: 600; }
.cmp-table-wrap { overflow: auto; max-height: 420px; }
.cmp-table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.cmp-table th, .cmp-table td { padding: 3px 10px; border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); text-align: left; white-space: nowrap; }
.cmp-table th { position: sticky; top: 0; background: var(--vscode-editor-background); color: var(--vscode-descriptionForeground); font-weight: 600; }
.cmp-table .cmp-num { text-align: right; }
.cmp-toolbar-row { display: flex; gap: 12px; padding: 4px 0; }
.cmp-scatter-wrap { position: relative; height: 280px; max-width: 720px; }
.cmp-parallel { max-width: 1400px; }
.cmp-pc-wrap { position: relative; height: 340px; user-select: none; }
.cmp-pc-wrap canvas { display: block; }
.cmp-pc-note { color: var(--vscode-descriptionForeground); font-size: 0.9em; padding: 4px 0; }
.cmp-pc-tip { position: absolute; pointer-events: none; z-index: 2; padding: 4px 8px; font-size: 0.9em; white-space: nowrap; color: var(--vscode-editorHoverWidget-foreground, var(--vscode-foreground)); background: var(--vscode-editorHoverWidget-background, var(--vscode-editor-background)); border: 1px solid var(--vscode-editorHoverWidget-border, var(--vscode-widget-border, #555)); border-radius: 3px; }
.cmp-pc-tip-title { font-weight: 600; margin-bottom: 2px; }
.cmp-pc-tip-id { color: var(--vscode-descriptionForeground); font-size: 0.9em; margin-top: 2px; }
h3 { margin: 18px 0 6px; font-size: 1.05em; }
`;

export function installStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
