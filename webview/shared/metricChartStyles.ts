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
