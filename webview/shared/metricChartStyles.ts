// The metric chart's own rules, installed by the first chart a panel makes: as a
// constructed stylesheet, since the panels' strict CSP allows no inline styles.
const CSS = `
.mc-chart { border: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); border-radius: 3px; padding: 6px 8px; min-width: 0; }
.mc-chart-head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
.mc-chart-title { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.mc-chart-tools { flex: none; }
.mc-link { font: inherit; font-size: 0.9em; background: none; border: none; color: var(--vscode-textLink-foreground); cursor: pointer; padding: 0 0 0 8px; }
.mc-link:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.mc-canvas-wrap { position: relative; height: 240px; user-select: none; }
.mc-tip { position: absolute; z-index: 3; pointer-events: none; padding: 4px 8px; font-size: 0.9em; white-space: nowrap; color: var(--vscode-editorHoverWidget-foreground, var(--vscode-foreground)); background: var(--vscode-editorHoverWidget-background, var(--vscode-editor-background)); border: 1px solid var(--vscode-editorHoverWidget-border, var(--vscode-widget-border, #555)); border-radius: 3px; box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36)); }
.mc-tip[hidden] { display: none; }
.mc-tip-title { font-weight: 600; margin-bottom: 2px; }
.mc-tip-rows { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.mc-tip-rows td { padding: 1px 0; }
.mc-tip-name { padding-right: 12px !important; }
.mc-tip-value { text-align: right; }
.mc-tip-note, .mc-tip-more { color: var(--vscode-descriptionForeground); }
.mc-tip-swatch { display: inline-block; width: 12px; margin-right: 6px; vertical-align: middle; border-top: 3px solid; }
.mc-tip-dashed { border-top-style: dashed; border-top-width: 2px; }
.mc-zoom-box { position: absolute; background: var(--vscode-editor-selectionBackground); opacity: 0.35; pointer-events: none; }
`;

let installed = false;

export function installMetricChartStyles(): void {
  if (installed) return;
  installed = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
