// The panel's stylesheet, adopted through the CSSOM (constructable stylesheets are
// not inline styles, so the strict CSP needs no nonce for them). Theme colours only.
export const ROW_HEIGHT = 24;

const css = `
[hidden] { display: none !important; }
html, body { height: 100%; }
body { display: flex; flex-direction: column; overflow: hidden; }
#app { display: flex; flex-direction: column; flex: 1; min-height: 0; }
.rt-toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 8px 0 4px; }
.rt-toolbar select, .rt-toolbar input[type=text], .rt-colpanel input[type=text] {
  background: var(--vscode-input-background); color: var(--vscode-input-foreground);
  border: 1px solid var(--vscode-input-border, transparent); padding: 3px 6px; font: inherit; border-radius: 2px;
}
.rt-toolbar select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border-color: var(--vscode-dropdown-border, transparent); }
.rt-filterwrap { position: relative; flex: 1; min-width: 220px; }
.rt-filter { width: 100%; box-sizing: border-box; font-family: var(--vscode-editor-font-family) !important; }
.rt-filter:focus, .rt-toolbar select:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.rt-suggest { position: absolute; left: 0; top: 100%; z-index: 20; min-width: 240px; max-height: 220px; overflow: auto;
  background: var(--vscode-editorSuggestWidget-background); color: var(--vscode-editorSuggestWidget-foreground);
  border: 1px solid var(--vscode-editorSuggestWidget-border); font-family: var(--vscode-editor-font-family); }
.rt-suggest div { padding: 2px 8px; cursor: pointer; white-space: nowrap; }
.rt-suggest div.active, .rt-suggest div:hover { background: var(--vscode-editorSuggestWidget-selectedBackground); color: var(--vscode-editorSuggestWidget-selectedForeground, inherit); }
button.rt-btn { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground);
  border: none; padding: 4px 10px; font: inherit; cursor: pointer; border-radius: 2px; }
button.rt-btn:hover { background: var(--vscode-button-secondaryHoverBackground); }
button.rt-btn.primary { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
button.rt-btn.primary:hover { background: var(--vscode-button-hoverBackground); }
button.rt-btn:disabled { opacity: 0.5; cursor: default; }
button.rt-btn:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.rt-toggle { display: flex; gap: 4px; align-items: center; cursor: pointer; user-select: none; }
.rt-info { display: flex; gap: 4px; align-items: baseline; padding: 0 0 4px; min-height: 1.4em; }
.rt-count { color: var(--vscode-descriptionForeground); }
.rt-info button.rt-link { padding: 0 2px; }
.rt-info button.rt-link::before { content: '·'; color: var(--vscode-descriptionForeground); margin-right: 6px; display: inline-block; }
.rt-message { padding: 4px 0; color: var(--vscode-descriptionForeground); }
.rt-message.error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
.rt-colpanel { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); background: var(--vscode-editorWidget-background);
  padding: 6px; margin-bottom: 6px; max-height: 40vh; overflow: auto; display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 2px 12px; }
.rt-colpanel .rt-colitem { display: flex; gap: 6px; align-items: center; }
.rt-colpanel .rt-colitem span.name { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rt-colpanel .rt-colitem .group { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.rt-colpanel button { background: none; border: none; color: var(--vscode-foreground); cursor: pointer; padding: 0 3px; }
.rt-colpanel button:hover { background: var(--vscode-toolbar-hoverBackground); }
.rt-scroll { flex: 1; min-height: 0; overflow: auto; position: relative; border-top: 1px solid var(--vscode-editorGroup-border, transparent); outline: none; }
.rt-head { position: sticky; top: 0; z-index: 5; background: var(--vscode-editor-background); }
.rt-hrow { display: flex; height: ${ROW_HEIGHT}px; }
.rt-row { user-select: none; display: flex; height: ${ROW_HEIGHT}px; position: absolute; left: 0; top: 0; cursor: default; }
.rt-cell { flex: none; box-sizing: border-box; padding: 0 6px; line-height: ${ROW_HEIGHT}px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  border-right: 1px solid var(--vscode-editorGroup-border, transparent); background: var(--vscode-editor-background); }
.rt-row:nth-child(even) .rt-cell { background: var(--vscode-editor-background); }
.rt-row:hover .rt-cell { background: var(--vscode-list-hoverBackground); }
.rt-row.selected .rt-cell { background: var(--vscode-list-inactiveSelectionBackground); color: var(--vscode-list-inactiveSelectionForeground, inherit); }
.rt-scroll:focus .rt-row.selected .rt-cell { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
.rt-cell.num { text-align: right; font-variant-numeric: tabular-nums; }
.rt-cell.pinned { position: sticky; z-index: 2; }
.rt-cell.pinned-last { box-shadow: 2px 0 3px -1px var(--vscode-widget-shadow); }
.rt-hcell { font-weight: 600; cursor: pointer; user-select: none; border-bottom: 1px solid var(--vscode-editorGroup-border, var(--vscode-panel-border)); }
.rt-hcell:hover { background: var(--vscode-list-hoverBackground); }
.rt-hcell.dragover { box-shadow: inset 2px 0 0 var(--vscode-focusBorder); }
.rt-gcell { color: var(--vscode-descriptionForeground); font-size: 0.9em; text-transform: uppercase; letter-spacing: 0.04em; cursor: default; }
.rt-gcell.g-params { border-bottom: 2px solid var(--vscode-charts-blue); }
.rt-gcell.g-metrics { border-bottom: 2px solid var(--vscode-charts-green); }
.rt-gcell.g-tags { border-bottom: 2px solid var(--vscode-charts-purple); }
.rt-gcell.g-attributes { border-bottom: 2px solid var(--vscode-descriptionForeground); }
.rt-row .rt-cell.st-FINISHED { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.rt-row .rt-cell.st-FAILED { color: var(--vscode-testing-iconFailed, var(--vscode-errorForeground)); }
.rt-row .rt-cell.st-KILLED { color: var(--vscode-descriptionForeground); }
.rt-row .rt-cell.st-RUNNING { color: var(--vscode-charts-blue); }
.rt-empty { padding: 24px 0; color: var(--vscode-descriptionForeground); }
.rt-twisty { display: inline-block; width: 14px; text-align: center; color: var(--vscode-descriptionForeground); }
.rt-twisty.parent { cursor: pointer; color: var(--vscode-foreground); }
.rt-twisty.collapsed { transform: rotate(-90deg); }
.rt-scroll.flat .rt-twisty { display: none; }
.rt-twisty.parent:hover { color: var(--vscode-textLink-foreground); }
.rt-scroll:focus .rt-row.active .rt-cell { box-shadow: inset 0 1px 0 var(--vscode-focusBorder), inset 0 -1px 0 var(--vscode-focusBorder); }
button.rt-link { background: none; border: none; padding: 2px 4px; font: inherit; cursor: pointer; color: var(--vscode-textLink-foreground); }
button.rt-link:hover { text-decoration: underline; color: var(--vscode-textLink-activeForeground, var(--vscode-textLink-foreground)); }
button.rt-link:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
`;

export function adoptStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
