import * as vscode from 'vscode';
import type { WorkspaceBackend } from '../backend/workspaceBackend';

// The rows the MLOps tree views show instead of data: a backend still
// starting, a backend problem, a list that failed to load. Shared so both
// views say it the same way.

export type MessageNode = { kind: 'message'; text: string; icon: string; command?: vscode.Command };

export const SHOW_LOG: vscode.Command = { command: 'mlops.showLog', title: 'Show Log' };

export function messageItem(node: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(node.icon);
  item.command = node.command;
  return item;
}

/** The row for a backend that is not connected, or undefined when it is. */
export function backendStateMessage(backend: WorkspaceBackend): MessageNode | undefined {
  const state = backend.state;
  if (state.kind === 'starting') return { kind: 'message', text: 'Starting the MLOps backend…', icon: 'loading~spin' };
  if (state.kind === 'error') return { kind: 'message', text: `Backend problem: ${state.message.split('. ')[0]}. Click for the log.`, icon: 'error', command: SHOW_LOG };
  return undefined;
}
