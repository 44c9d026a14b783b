// The DAG panel's own rules, as a constructed stylesheet (the strict CSP allows
// no inline styles); media/webview.css holds what every panel shares. Every
// colour is a theme variable: a step's status colour is `--st` on its box,
// which the box, its icon and its legend swatch read.
const border = 'var(--vscode-editorWidget-border, var(--vscode-panel-border))';
const widgetBg = 'var(--vscode-editorWidget-background, var(--vscode-editor-background))';

const CSS = `
html, body { height: 100%; }
body { padding: 0; overflow: hidden; }
[hidden] { display: none !important; }
#app { display: flex; flex-direction: column; height: 100vh; }
.dag-s-finished, .dag-s-cached { --st: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.dag-s-failed { --st: var(--vscode-testing-iconFailed, var(--vscode-errorForeground)); }
.dag-s-running { --st: var(--vscode-charts-blue, var(--vscode-progressBar-background)); }
.dag-s-killed { --st: var(--vscode-charts-orange, var(--vscode-editorWarning-foreground)); }
.dag-s-not-run { --st: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
.dag-s-never { --st: var(--vscode-descriptionForeground); }
.dag-s-pending { --st: var(--vscode-charts-blue); }

.dag-head { display: flex; align-items: center; gap: 12px; padding: 10px 16px 8px; flex-wrap: wrap; border-bottom: 1px solid ${border}; }
.dag-title { display: flex; align-items: baseline; gap: 10px; min-width: 0; flex: 1 1 auto; flex-wrap: wrap; }
.dag-title h1 { font-size: 1.3em; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
.dag-file { color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); font-size: 0.9em; }
.dag-summary { color: var(--vscode-descriptionForeground); display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.dag-summary .dag-dot { width: 8px; height: 8px; border-radius: 50%; background: var(--st); display: inline-block; }
.dag-tools { display: flex; gap: 6px; align-items: center; }
.dag-selbar { display: flex; align-items: center; gap: 8px; padding: 6px 16px; min-height: 28px; border-bottom: 1px solid ${border}; flex-wrap: wrap; }
.dag-selbar .dag-sel-name { font-weight: 600; }
.dag-sel-facts { max-width: 60ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.dag-muted { color: var(--vscode-descriptionForeground); }
.dag-banner { display: flex; align-items: center; gap: 12px; margin: 10px 16px 0; padding: 8px 12px; border-left: 3px solid var(--vscode-focusBorder); background: var(--vscode-textBlockQuote-background); }
.dag-viewport { position: relative; flex: 1 1 auto; min-height: 120px; overflow: hidden; cursor: grab; outline: none; touch-action: none; }
.dag-viewport:focus-visible { box-shadow: inset 0 0 0 1px var(--vscode-focusBorder); }
.dag-viewport.dag-dragging { cursor: grabbing; }
.dag-svg { display: block; width: 100%; height: 100%; user-select: none; }
.dag-foot { display: flex; align-items: center; gap: 14px; padding: 5px 16px 7px; border-top: 1px solid ${border}; color: var(--vscode-descriptionForeground); font-size: 0.9em; flex-wrap: wrap; }
.dag-legend { display: flex; gap: 12px; flex-wrap: wrap; }
.dag-legend span { display: inline-flex; align-items: center; gap: 5px; }
.dag-swatch { width: 9px; height: 9px; border-radius: 50%; background: var(--st); }
.dag-swatch.dag-s-never, .dag-swatch.dag-s-not-run { background: transparent; border: 1.5px solid var(--st); width: 6px; height: 6px; }
.dag-swatch.dag-s-never { border-style: dashed; }
.dag-hint { margin-left: auto; }

/* Boxes */
.dag-node { cursor: pointer; }
.dag-box { fill: color-mix(in srgb, var(--st) 11%, ${widgetBg}); stroke: var(--st); stroke-width: 1.5; }
.dag-node:hover .dag-box { fill: color-mix(in srgb, var(--st) 20%, ${widgetBg}); }
.dag-s-never .dag-box { fill: ${widgetBg}; stroke-dasharray: 5 3; }
.dag-s-not-run { opacity: 0.55; }
.dag-related .dag-box { stroke-width: 2.2; }
.dag-ring { fill: none; stroke: var(--vscode-focusBorder); stroke-width: 2; display: none; }
.dag-selected .dag-ring { display: inline; }
.dag-pulse { fill: none; stroke: var(--st); stroke-width: 1.5; animation: dag-pulse 1.6s ease-in-out infinite; }
.dag-name { fill: var(--vscode-foreground); font-size: 13px; font-weight: 600; }
.dag-meta { fill: var(--vscode-descriptionForeground); font-size: 11px; font-variant-numeric: tabular-nums; }
.dag-s-failed .dag-meta, .dag-s-running .dag-meta, .dag-s-killed .dag-meta { fill: var(--st); }
.dag-sep, .dag-meta tspan:not(.dag-duration):not(.dag-sep) { fill: var(--vscode-descriptionForeground); }
.dag-icon-fill { fill: var(--st); }
.dag-icon-mark { fill: none; stroke: var(--vscode-editor-background); stroke-width: 1.8; stroke-linecap: round; stroke-linejoin: round; }
.dag-icon-cut { fill: var(--vscode-editor-background); }
.dag-icon-track { fill: none; stroke: var(--st); stroke-opacity: 0.3; stroke-width: 2; }
.dag-icon-spin { fill: none; stroke: var(--st); stroke-width: 2; stroke-linecap: round; stroke-dasharray: 10 28; transform-box: fill-box; transform-origin: center; animation: dag-spin 1s linear infinite; }
.dag-icon-ring { fill: none; stroke: var(--st); stroke-width: 1.5; }
.dag-dashed { stroke-dasharray: 2.4 2; }
.dag-badge rect { fill: var(--vscode-badge-background); stroke: ${widgetBg}; stroke-width: 1.5; }
.dag-badge text { fill: var(--vscode-badge-foreground); font-size: 10px; font-weight: 600; }
.dag-badge-stale rect { fill: var(--vscode-charts-yellow, var(--vscode-editorWarning-foreground)); }
.dag-badge-stale text { fill: var(--vscode-editor-background); }
.dag-badge-cached rect { fill: color-mix(in srgb, var(--vscode-testing-iconPassed, var(--vscode-charts-green)) 30%, ${widgetBg}); stroke: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); stroke-width: 1; }
.dag-badge-cached text { fill: var(--vscode-foreground); }

/* Edges */
.dag-edge { fill: none; stroke: var(--vscode-descriptionForeground); stroke-opacity: 0.55; stroke-width: 1.5; }
.dag-arrow { fill: var(--vscode-descriptionForeground); fill-opacity: 0.75; }
.dag-edge-hl { stroke: var(--vscode-focusBorder); stroke-opacity: 1; stroke-width: 2; }
.dag-arrow-hl { fill: var(--vscode-focusBorder); fill-opacity: 1; }
.dag-edge-active { stroke: var(--vscode-charts-blue, var(--vscode-progressBar-background)); stroke-opacity: 0.9; stroke-dasharray: 6 4; animation: dag-flow 0.8s linear infinite; }

/* Tooltip */
.dag-tooltip { position: absolute; z-index: 5; max-width: 420px; padding: 8px 10px; pointer-events: none; font-size: 12px;
  background: var(--vscode-editorHoverWidget-background); color: var(--vscode-editorHoverWidget-foreground, var(--vscode-foreground));
  border: 1px solid var(--vscode-editorHoverWidget-border, ${border}); border-radius: 4px; box-shadow: 0 2px 8px var(--vscode-widget-shadow); }
.dag-tip-head { margin-bottom: 6px; }
.dag-tip-kind { color: var(--vscode-descriptionForeground); }
.dag-tooltip dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 10px; margin: 0; }
.dag-tooltip dt { color: var(--vscode-descriptionForeground); }
.dag-tooltip dd { margin: 0; overflow-wrap: anywhere; }
.dag-tip-hint { margin-top: 6px; color: var(--vscode-descriptionForeground); font-style: italic; }

/* Problems and empty states */
.dag-message { padding: 20px 16px; }
.dag-message h2 { font-size: 1.05em; margin: 0 0 10px; }
.dag-problems { list-style: none; margin: 0; padding: 0; }
.dag-problems li { display: flex; gap: 10px; padding: 4px 0; border-bottom: 1px solid ${border}; }
.dag-problems .dag-where { font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); min-width: 5em; }
.dag-sev-error { color: var(--vscode-errorForeground); }
.dag-sev-warning { color: var(--vscode-editorWarning-foreground); }
.mlops-error { padding: 20px 16px; }

@keyframes dag-pulse { 0%, 100% { stroke-width: 1.5; stroke-opacity: 0.9; } 50% { stroke-width: 5; stroke-opacity: 0.25; } }
@keyframes dag-spin { to { transform: rotate(360deg); } }
@keyframes dag-flow { to { stroke-dashoffset: -10; } }
@media (prefers-reduced-motion: reduce) { .dag-pulse, .dag-icon-spin, .dag-edge-active { animation: none; } }
`;

export function installStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
