import * as vscode from 'vscode';

/** A tree row as a person reads it: label, description and tooltip as text (tests read views through it). */
export interface TreeRowText {
  label: string;
  description: string;
  tooltip: string;
}

export function treeRowText(item: vscode.TreeItem): TreeRowText {
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : (item.tooltip ?? '');
  return { label, description: typeof item.description === 'string' ? item.description : '', tooltip };
}
