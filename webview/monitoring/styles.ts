// The Monitoring panel's own rules, as a constructed stylesheet (the strict CSP
// allows no inline styles); media/webview.css holds what every panel shares.
// Every colour is a theme variable.
const border = 'var(--vscode-editorWidget-border, var(--vscode-panel-border))';
const widgetBg = 'var(--vscode-editorWidget-background, transparent)';

const CSS = `
body { padding: 0 16px 24px; }
[hidden] { display: none !important; }
.mon-s-ok { --st: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.mon-s-drift, .mon-s-error { --st: var(--vscode-testing-iconFailed, var(--vscode-errorForeground)); }
.mon-s-waiting, .mon-s-loading { --st: var(--vscode-charts-blue); }
.mon-s-off { --st: var(--vscode-descriptionForeground); }

.mon-head { padding: 14px 0 8px; display: flex; flex-direction: column; gap: 6px; }
.mon-title { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.mon-title h1 { font-size: 1.5em; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
.mon-pill { display: inline-flex; align-items: center; gap: 6px; padding: 1px 9px; border-radius: 10px; border: 1px solid var(--st); color: var(--st); font-size: 0.9em; font-weight: 600; white-space: nowrap; }
.mon-pill::before { content: ''; width: 7px; height: 7px; border-radius: 50%; background: var(--st); }
.mon-status-text { color: var(--vscode-foreground); }
.mon-meta { display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--vscode-descriptionForeground); font-size: 0.95em; }
.mon-meta b { font-weight: 600; color: var(--vscode-foreground); font-variant-numeric: tabular-nums; }
.mon-meta code, .mon-empty code { font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
.mon-live { display: inline-flex; align-items: center; gap: 6px; }
.mon-live::before { content: ''; width: 6px; height: 6px; border-radius: 50%; background: var(--vscode-charts-green); }

.mon-banner { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin: 4px 0 12px; padding: 8px 12px; border-left: 3px solid var(--vscode-testing-iconFailed, var(--vscode-errorForeground)); background: var(--vscode-inputValidation-errorBackground, var(--vscode-textBlockQuote-background)); }
.mon-banner-text { font-weight: 600; flex: 1 1 320px; }
.mon-banner-note { color: var(--vscode-descriptionForeground); font-size: 0.92em; flex-basis: 100%; }
.mon-banner.mon-banner-error { border-left-color: var(--vscode-errorForeground); }

.mon-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr)); gap: 12px; align-items: stretch; }
.mon-card { border: 1px solid ${border}; border-radius: 4px; background: ${widgetBg}; min-width: 0; display: flex; flex-direction: column; }
.mon-wide { grid-column: 1 / -1; }
/* The features table wants the room of its six columns; the histogram beside it takes the rest (stacked when narrow). */
.mon-split { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; align-items: stretch; }
@media (min-width: 1000px) { .mon-split { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); } }
.mon-pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 380px), 1fr)); gap: 8px 20px; }
.mon-card-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 7px 12px; border-bottom: 1px solid ${border}; min-height: 24px; flex-wrap: wrap; }
.mon-card-head h2 { margin: 0; font-size: 0.85em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: var(--vscode-descriptionForeground); }
.mon-card-figure { color: var(--vscode-foreground); font-variant-numeric: tabular-nums; font-size: 0.95em; }
.mon-card-body { padding: 8px 12px 10px; min-width: 0; flex: 1 1 auto; display: flex; flex-direction: column; overflow-x: auto; }
.mon-canvas { position: relative; height: 220px; }
.mon-canvas-short { height: 170px; }
.mon-canvas.mon-canvas-none { height: 90px; }
/* Fills what the card has beside a taller neighbour; the canvas is taken out of the flow so that it never grows the card. */
.mon-canvas-fill { height: auto; flex: 1 1 260px; min-height: 260px; }
.mon-canvas-fill > canvas { position: absolute; left: 0; top: 0; }
.mon-caption { color: var(--vscode-descriptionForeground); font-size: 0.9em; margin: 2px 0 4px; }
.mon-keys { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--vscode-descriptionForeground); font-size: 0.9em; padding: 2px 0 6px; }
.mon-key { display: inline-flex; align-items: center; gap: 5px; }
.mon-key::before { content: ''; width: 14px; height: 0; border-top: 2px solid var(--k); }
.mon-key-dash::before { border-top-style: dashed; }
.mon-k-drift { --k: var(--vscode-charts-red); }
.mon-k-ok { --k: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
.mon-k-sel { --k: var(--vscode-foreground); }
.mon-k-sel::before { border-top-width: 3px; }
.mon-k-threshold { --k: var(--vscode-charts-orange); }
.mon-k-ref { --k: var(--vscode-charts-purple); }
.mon-key-dot::before { width: 0; height: 12px; border-top: none; border-left: 2px dotted var(--k); }
.mon-legend { display: flex; flex-wrap: wrap; gap: 2px 4px; padding: 6px 0 0; }
.mon-legend-item { display: inline-flex; align-items: center; gap: 5px; font: inherit; font-size: 0.88em; color: var(--vscode-foreground); background: none; border: 1px solid transparent; border-radius: 3px; padding: 1px 5px; cursor: pointer; }
.mon-legend-item:hover { background: var(--vscode-list-hoverBackground); }
.mon-legend-item:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.mon-swatch { width: 16px; height: 0; border-top: 3px solid; }
.mon-legend-drifted .mon-legend-name::after { content: ''; display: inline-block; width: 6px; height: 6px; margin-left: 4px; border-radius: 50%; background: var(--vscode-charts-red); vertical-align: middle; }
.mon-legend-selected { background: var(--vscode-list-inactiveSelectionBackground); font-weight: 600; }
.mon-legend-hidden { color: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
.mon-legend-hidden .mon-legend-name { text-decoration: line-through; }
.mon-legend-hidden .mon-swatch { opacity: 0.35; }

.mon-table-wrap { max-height: 500px; overflow: auto; }
.mon-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.mon-table th, .mon-table td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid ${border}; white-space: nowrap; vertical-align: middle; }
.mon-table th { font-weight: 600; color: var(--vscode-descriptionForeground); font-size: 0.9em; position: sticky; top: 0; background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); z-index: 1; }
.mon-table .mon-num { text-align: right; }
.mon-table th:last-child, .mon-table td:last-child { padding-right: 2px; }
.mon-sort { font: inherit; color: inherit; background: none; border: none; padding: 0; cursor: pointer; }
.mon-sort:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.mon-sorted .mon-sort { color: var(--vscode-foreground); }
th[aria-sort='ascending'] .mon-sort::after { content: ' ▲'; font-size: 0.8em; }
th[aria-sort='descending'] .mon-sort::after { content: ' ▼'; font-size: 0.8em; }
.mon-features tbody tr { cursor: pointer; }
.mon-features tbody tr:hover { background: var(--vscode-list-hoverBackground); }
.mon-features tbody tr.mon-selected { background: var(--vscode-list-inactiveSelectionBackground); color: var(--vscode-list-inactiveSelectionForeground, inherit); }
.mon-features tbody tr:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.mon-pred tr td { border-bottom: 2px solid ${border}; }
.mon-tag { margin-left: 6px; font-size: 0.82em; padding: 0 6px; border-radius: 8px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.mon-rel { color: var(--vscode-descriptionForeground); }
.mon-verdict { display: inline-flex; align-items: center; gap: 5px; }
.mon-verdict::before { content: ''; width: 7px; height: 7px; border-radius: 50%; background: var(--v); }
.mon-verdict-drift { --v: var(--vscode-charts-red); color: var(--vscode-charts-red); font-weight: 600; }
.mon-verdict-ok { --v: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.mon-verdict-error { --v: var(--vscode-editorWarning-foreground); color: var(--vscode-editorWarning-foreground); }
.mon-drifted td:first-child { font-weight: 600; }

.mon-select { font: inherit; color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 4px; max-width: 260px; }
.mon-select:focus { outline: 1px solid var(--vscode-focusBorder); }
.mon-hist-facts { color: var(--vscode-descriptionForeground); font-size: 0.92em; margin: 0 0 4px; overflow-wrap: anywhere; }
.mon-hist-facts b { color: var(--vscode-foreground); }

.mon-variants td.mon-num, .mon-variants th.mon-num { padding-left: 10px; }
.mon-meter { display: inline-block; width: 40px; height: 6px; margin-right: 6px; border-radius: 3px; background: ${border}; vertical-align: middle; overflow: hidden; }
.mon-meter > span { display: block; height: 100%; background: var(--vscode-charts-green); }
.mon-note { color: var(--vscode-descriptionForeground); font-size: 0.9em; margin: 8px 0 0; }
.mon-best { font-weight: 600; color: var(--vscode-charts-green); }

.mon-alerts { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow: auto; }
.mon-alerts li { display: grid; grid-template-columns: 5.5em 1fr; gap: 2px 10px; padding: 5px 0; border-bottom: 1px solid ${border}; }
.mon-alerts .mon-when { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.mon-alert-started { color: var(--vscode-charts-red); font-weight: 600; }
.mon-alert-ended { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); font-weight: 600; }
.mon-alert-retrain { grid-column: 2; color: var(--vscode-descriptionForeground); font-size: 0.92em; }

.mon-empty { color: var(--vscode-descriptionForeground); padding: 4px 0; line-height: 1.5; }
.mon-empty h3 { color: var(--vscode-foreground); font-size: 1.05em; margin: 0 0 6px; }
.mon-empty p { margin: 0 0 8px; }
.mon-empty pre { margin: 4px 0 10px; padding: 6px 10px; background: var(--vscode-textCodeBlock-background); border-radius: 3px; overflow-x: auto; color: var(--vscode-foreground); }
.mon-empty.mon-empty-error h3 { color: var(--vscode-errorForeground); }
.mon-progress { height: 6px; border-radius: 3px; background: ${border}; overflow: hidden; max-width: 420px; margin: 6px 0 10px; }
.mon-progress > span { display: block; height: 100%; background: var(--vscode-progressBar-background, var(--vscode-charts-blue)); }
.mon-canvas-empty { display: flex; align-items: center; justify-content: center; text-align: center; height: 100%; padding: 0 16px; }
.mon-unavailable { margin-top: 8px; }
`;

export function installStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
