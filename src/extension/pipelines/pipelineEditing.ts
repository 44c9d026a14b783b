import * as vscode from 'vscode';
import type { PipelineDiagnostics } from './pipelineDiagnostics';
import { rangeOf } from './pipelineDiagnostics';

/** "Change to 'prepare'" for every problem the backend knows the fix of (a mistyped step, key or param). */
export class PipelineQuickFixes implements vscode.CodeActionProvider {
  constructor(private readonly diagnostics: PipelineDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of this.diagnostics.diagnosticsAt(document.uri)) {
      if (d.replacement === undefined) continue;
      const at = rangeOf(d);
      if (!at.intersection(range) && !at.contains(range.start)) continue;
      const action = new vscode.CodeAction(`Change to '${d.replacement}'`, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, at, d.replacement);
      action.isPreferred = true;
      action.diagnostics = context.diagnostics.filter((v) => v.range.isEqual(at) && v.message === d.message);
      actions.push(action);
    }
    return actions;
  }
}

/**
 * Step names in `needs` (flow `[a, b]` or block `- a` lists), leaving out the
 * step itself and those already listed; from the document's last outline.
 */
export class NeedsCompletion implements vscode.CompletionItemProvider {
  constructor(private readonly diagnostics: PipelineDiagnostics) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] | undefined {
    const outline = this.diagnostics.outline(document.uri);
    if (!outline) return undefined;
    const context = needsContext(document, position);
    if (!context) return undefined;
    const owner = stepAt(document, position.line);
    const word = document.getWordRangeAtPosition(position, /[\w-]+/);
    // Steps that need the owner (directly or not) would close a cycle.
    const after = owner ? downstreamOf(owner, outline.steps) : new Set<string>();
    return outline.steps
      .filter((s) => s.name !== owner && !after.has(s.name) && !context.listed.includes(s.name))
      .map((s, i) => {
        const item = new vscode.CompletionItem(s.name, vscode.CompletionItemKind.Reference);
        item.detail = s.kind === 'register' ? 'register step' : 'step';
        item.sortText = String(i).padStart(4, '0');
        if (word) item.range = word;
        return item;
      });
  }
}

/** Whether the cursor is in a `needs:` list, and what it lists already. */
export function needsContext(document: vscode.TextDocument, position: vscode.Position): { listed: string[] } | undefined {
  const line = document.lineAt(position.line).text;
  const before = line.slice(0, position.character);
  const flow = /^(\s*)needs:\s*\[([^\]]*)$/.exec(before);
  if (flow) return { listed: names(flow[2] + line.slice(position.character).replace(/\].*$/, '')) };
  // A block list: "- a" lines under "needs:" at a smaller indent.
  if (!/^\s*-\s*[\w-]*$/.test(before)) return undefined;
  const indent = /^\s*/.exec(line)![0].length;
  const listed: string[] = [];
  for (let l = position.line - 1; l >= 0; l--) {
    const text = document.lineAt(l).text;
    if (!text.trim() || text.trim().startsWith('#')) continue;
    const item = /^(\s*)-\s*([\w-]+)/.exec(text);
    if (item && item[1].length === indent) {
      listed.push(item[2]);
      continue;
    }
    return /^\s*needs:\s*$/.test(text) && /^\s*/.exec(text)![0].length <= indent ? { listed } : undefined;
  }
  return undefined;
}

function downstreamOf(step: string, steps: readonly { name: string; needs: readonly string[] }[]): Set<string> {
  const seen = new Set<string>();
  const walk = (s: string): void => {
    for (const other of steps) {
      if (other.needs.includes(s) && !seen.has(other.name)) {
        seen.add(other.name);
        walk(other.name);
      }
    }
  };
  walk(step);
  return seen;
}

function names(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim().replace(/^["']|["']$/g, ''))
    .filter(Boolean);
}

/** The step whose block holds a line: the nearest key above at the steps' indent, under "steps:". */
function stepAt(document: vscode.TextDocument, line: number): string | undefined {
  let candidate: string | undefined;
  let candidateIndent = Infinity;
  for (let l = line; l >= 0; l--) {
    const text = document.lineAt(l).text;
    if (/^steps:\s*$/.test(text)) return candidate;
    const key = /^(\s+)([\w-]+):/.exec(text);
    if (key && key[1].length < candidateIndent) {
      candidate = key[2];
      candidateIndent = key[1].length;
    }
  }
  return undefined;
}
