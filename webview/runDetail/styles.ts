// The panel's own rules, as a constructed stylesheet: the strict CSP allows no
// inline styles, and media/webview.css holds only what every panel shares.
const border = 'var(--vscode-editorWidget-border, var(--vscode-panel-border))';

const CSS = `
body { padding: 0 16px 24px; }
.rd-header { padding: 14px 0 10px; }
.rd-title-row { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.rd-title { font-size: 1.5em; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
.rd-subtitle { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; margin-top: 4px; color: var(--vscode-descriptionForeground); }
.rd-id { font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
.rd-sep { opacity: 0.6; }
.rd-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 380px), 1fr)); gap: 12px; align-items: start; }
.rd-card { border: 1px solid ${border}; border-radius: 4px; background: var(--vscode-editorWidget-background, transparent); min-width: 0; }
.rd-wide { grid-column: 1 / -1; }
.rd-card-head { display: flex; align-items: center; justify-content: space-between; padding: 7px 12px; border-bottom: 1px solid ${border}; }
.rd-card-head h2 { margin: 0; font-size: 0.85em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: var(--vscode-descriptionForeground); }
.rd-card-body { padding: 8px 12px 10px; min-width: 0; }
.rd-card-body > .mlops-empty, .rd-card-body .mlops-empty { padding: 6px 0; }
.rd-status { display: inline-flex; align-items: center; gap: 4px; padding: 1px 8px 1px 6px; border-radius: 10px; font-size: 0.9em; border: 1px solid currentColor; white-space: nowrap; }
.rd-status-glyph { font-weight: 700; }
.rd-status-running { color: var(--vscode-charts-blue); }
.rd-status-running .rd-status-glyph { display: inline-block; animation: rd-spin 1.6s linear infinite; }
.rd-status-finished { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.rd-status-failed { color: var(--vscode-testing-iconFailed, var(--vscode-errorForeground)); }
.rd-status-killed { color: var(--vscode-testing-iconSkipped, var(--vscode-descriptionForeground)); }
@keyframes rd-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .rd-status-running .rd-status-glyph, .rd-live-dot { animation: none; } }
.rd-chip { font-size: 0.85em; padding: 0 6px; border-radius: 8px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.rd-chip-warn { background: var(--vscode-inputValidation-warningBackground, var(--vscode-badge-background)); color: var(--vscode-foreground); }
.rd-info { display: grid; grid-template-columns: max-content 1fr; gap: 5px 14px; margin: 0; }
.rd-info dt { color: var(--vscode-descriptionForeground); }
.rd-info dd { margin: 0; min-width: 0; }
.rd-wrap { overflow-wrap: anywhere; white-space: pre-wrap; }
.rd-mono, .rd-info code, .rd-table code { font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
.rd-link { color: var(--vscode-textLink-foreground); text-decoration: none; }
.rd-link:hover { text-decoration: underline; color: var(--vscode-textLink-activeForeground); }
.rd-link:focus-visible, .rd-tree-row:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.rd-muted, .rd-note-line { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.rd-note-line { padding: 6px 0 0; display: flex; align-items: center; gap: 4px; flex-wrap: wrap; }
.rd-note-box { display: flex; flex-direction: column; gap: 6px; }
.rd-note { font: inherit; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, ${border}); border-radius: 2px; padding: 6px 8px; resize: vertical; min-height: 3.5em; }
.rd-note:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.rd-note-actions { display: flex; gap: 6px; }
.rd-note-actions[hidden] { display: none; }
.rd-table-wrap { overflow: auto; max-height: 420px; }
.rd-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.rd-table th, .rd-table td { padding: 3px 8px; border-bottom: 1px solid ${border}; text-align: left; vertical-align: middle; }
.rd-table th { color: var(--vscode-descriptionForeground); font-weight: 600; position: sticky; top: 0; background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); }
.rd-table th:first-child, .rd-table td:first-child { padding-left: 0; }
.rd-table .rd-num { text-align: right; }
.rd-table tbody tr:hover { background: var(--vscode-list-hoverBackground); }
.rd-csv .rd-table { width: auto; min-width: 100%; }
.rd-csv .rd-table th, .rd-csv .rd-table td { white-space: nowrap; padding-left: 8px; }
.rd-spark { display: block; }
.rd-spark-line { fill: none; stroke: var(--vscode-charts-blue); stroke-width: 1.5; stroke-linejoin: round; }
.rd-spark-dot { fill: var(--vscode-charts-blue); }
.rd-fold { margin-top: 8px; }
.rd-metric-row { cursor: pointer; }
.rd-metric-open { font: inherit; color: var(--vscode-textLink-foreground); background: none; border: none; padding: 0; cursor: pointer; text-align: left; overflow-wrap: anywhere; }
.rd-metric-open:hover { text-decoration: underline; }
.rd-metric-open:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.rd-table tbody tr.rd-charted { background: var(--vscode-list-inactiveSelectionBackground); }
.rd-charted .rd-metric-open { font-weight: 600; }
.rd-card[hidden] { display: none; }
.rd-chart-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; padding-bottom: 8px; }
.rd-chart-control { display: inline-flex; align-items: center; gap: 4px; }
.rd-chart-toolbar select { font: inherit; color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 4px; }
.rd-chart-button { font: inherit; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none; padding: 3px 10px; cursor: pointer; border-radius: 2px; }
.rd-chart-button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.rd-chart-button:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.rd-chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); gap: 12px; }
.rd-chart-grid.rd-chart-single { grid-template-columns: minmax(0, 1fr); }
.rd-chart-single .mc-canvas-wrap { height: 320px; }
.rd-fold > summary { cursor: pointer; color: var(--vscode-descriptionForeground); padding: 2px 0; }
.rd-artifacts { display: grid; grid-template-columns: minmax(200px, 280px) minmax(0, 1fr); gap: 12px; min-height: 160px; }
@media (max-width: 640px) { .rd-artifacts { grid-template-columns: 1fr; } }
.rd-tree { border-right: 1px solid ${border}; padding-right: 8px; overflow: auto; max-height: 520px; }
.rd-tree-row { display: flex; align-items: center; gap: 6px; width: 100%; font: inherit; color: var(--vscode-foreground); background: none; border: none; padding: 3px 6px; border-radius: 3px; cursor: pointer; text-align: left; }
.rd-tree-row:hover { background: var(--vscode-list-hoverBackground); }
.rd-tree-row.rd-selected { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
.rd-tree-icon { width: 16px; height: 16px; flex: none; color: var(--vscode-descriptionForeground); display: inline-flex; }
.rd-icon { fill: none; stroke: currentColor; stroke-width: 1.2; stroke-linecap: round; stroke-linejoin: round; }
.rd-selected .rd-tree-icon, .rd-selected .rd-tree-size { color: inherit; }
.rd-tree-name { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rd-tree-size { flex: none; color: var(--vscode-descriptionForeground); font-size: 0.85em; font-variant-numeric: tabular-nums; }
.rd-tree-loading { color: var(--vscode-descriptionForeground); padding: 3px 6px; font-size: 0.9em; }
.rd-indent { flex: none; display: inline-block; width: 0; }
${Array.from({ length: 12 }, (_, d) => `.rd-indent[data-depth="${d}"] { width: ${d * 14}px; } .rd-tree-loading[data-depth="${d}"] { padding-left: ${d * 14 + 30}px; }`).join('\n')}
.rd-preview { min-width: 0; display: flex; flex-direction: column; }
.rd-preview-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding-bottom: 6px; min-height: 28px; }
.rd-preview-title { flex: 1; min-width: 0; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rd-preview-body { min-width: 0; }
.rd-registered { display: flex; align-items: center; flex-wrap: wrap; gap: 4px; padding: 0 0 8px; color: var(--vscode-descriptionForeground); }
.rd-registered[hidden] { display: none; }
.rd-image-frame { display: flex; justify-content: center; align-items: center; padding: 8px; border-radius: 3px; background: var(--vscode-editor-background); border: 1px solid ${border}; }
.rd-image { max-width: 100%; max-height: 480px; image-rendering: auto; }
.rd-pre { margin: 0; padding: 8px 10px; overflow: auto; max-height: 420px; white-space: pre; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size, 12px); line-height: 1.45; background: var(--vscode-textCodeBlock-background, var(--vscode-editor-background)); border-radius: 3px; tab-size: 4; }
.rd-short { max-height: 260px; }
.rd-log { max-height: 360px; min-height: 3em; }
.rd-log[hidden] { display: none; }
.rd-live-dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--vscode-charts-green); margin-right: 2px; animation: rd-pulse 1.4s ease-in-out infinite; }
@keyframes rd-pulse { 50% { opacity: 0.3; } }
.rd-d-add { color: var(--vscode-gitDecoration-addedResourceForeground, var(--vscode-charts-green)); }
.rd-diff .rd-d-add { display: inline-block; min-width: 100%; background: var(--vscode-diffEditor-insertedLineBackground, transparent); }
.rd-d-del { color: var(--vscode-gitDecoration-deletedResourceForeground, var(--vscode-charts-red)); }
.rd-diff .rd-d-del { display: inline-block; min-width: 100%; background: var(--vscode-diffEditor-removedLineBackground, transparent); }
.rd-d-hunk { color: var(--vscode-charts-blue); }
.rd-d-file { font-weight: 600; color: var(--vscode-descriptionForeground); }
.rd-linked { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.rd-linked h3 { margin: 0 0 6px; font-size: 0.95em; font-weight: 600; }
.rd-runs { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 5px; }
.rd-runs li { display: flex; align-items: center; gap: 8px; min-width: 0; }
.rd-runs .rd-link { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rd-runs .rd-status { font-size: 0.8em; }
.rd-ring { width: 20px; height: 20px; margin: 12px 0; }
.mlops-error-text { color: var(--vscode-errorForeground); }
#app > .mlops-error { padding: 8px 10px; margin-bottom: 10px; border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); border-radius: 3px; }
`;

export function installStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
