// The registry panel's own rules, as a constructed stylesheet (the strict CSP
// allows no inline styles); media/webview.css holds what every panel shares.
const border = 'var(--vscode-editorWidget-border, var(--vscode-panel-border))';

const CSS = `
body { padding: 0 16px 24px; }
.md-header { padding: 14px 0 8px; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.md-title { font-size: 1.5em; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
.md-sub { color: var(--vscode-descriptionForeground); margin: 0 0 10px; }
.md-alias { font-size: 0.85em; padding: 0 7px; border-radius: 8px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); white-space: nowrap; }
.md-alias-champion { background: var(--vscode-charts-yellow); color: var(--vscode-editor-background); font-weight: 600; }
.md-toolbar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 4px 0 10px; }
.md-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 12px; align-items: start; }
.md-card { border: 1px solid ${border}; border-radius: 4px; background: var(--vscode-editorWidget-background, transparent); min-width: 0; }
.md-wide { grid-column: 1 / -1; }
.md-card-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 7px 12px; border-bottom: 1px solid ${border}; min-height: 26px; }
.md-card-head h2 { margin: 0; font-size: 0.85em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: var(--vscode-descriptionForeground); }
.md-card-body { padding: 8px 12px 10px; min-width: 0; overflow-x: auto; }
.md-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.md-table th, .md-table td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid ${border}; white-space: nowrap; vertical-align: middle; }
.md-table th { font-weight: 600; color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.md-table .md-num { text-align: right; }
.md-table.md-kv { width: auto; min-width: 50%; }
.md-card-head vscode-button { margin-left: 4px; }
.md-versions tbody tr { cursor: pointer; }
.md-versions tbody tr:hover { background: var(--vscode-list-hoverBackground); }
.md-versions tbody tr.md-selected { background: var(--vscode-list-inactiveSelectionBackground); color: var(--vscode-list-inactiveSelectionForeground, inherit); }
.md-versions tbody tr:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.md-best { font-weight: 600; color: var(--vscode-charts-green); }
.md-link { color: var(--vscode-textLink-foreground); text-decoration: none; background: none; border: none; padding: 0; font: inherit; cursor: pointer; }
.md-link:hover { text-decoration: underline; color: var(--vscode-textLink-activeForeground); }
.md-link:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.md-muted { color: var(--vscode-descriptionForeground); }
.md-mono { font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
.md-info { display: grid; grid-template-columns: max-content 1fr; gap: 5px 14px; margin: 0 0 8px; }
.md-info dt { color: var(--vscode-descriptionForeground); }
.md-info dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.md-sub-head { margin: 10px 0 4px; font-size: 0.9em; font-weight: 600; color: var(--vscode-descriptionForeground); }
.md-lineage-chain { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; margin: 2px 0 10px; }
.md-node { border: 1px solid ${border}; border-radius: 3px; padding: 2px 8px; }
.md-arrow { color: var(--vscode-descriptionForeground); }
.md-chart-wrap { position: relative; height: 260px; }
.md-chart-controls { display: flex; align-items: center; gap: 8px; }
.md-chart-controls vscode-dropdown { min-width: 180px; }
.md-status { font-size: 0.85em; }
.md-caption { font-size: 0.9em; padding-top: 6px; }
.md-gate-badge { font-size: 0.75em; font-weight: 600; padding: 0 5px; border-radius: 6px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); text-transform: uppercase; letter-spacing: 0.03em; }
.md-gate-value { font-weight: 600; }
.md-status-failed { color: var(--vscode-errorForeground); }
#app > .mlops-error { padding: 8px 10px; margin-bottom: 10px; border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); border-radius: 3px; }
`;

export function installStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
