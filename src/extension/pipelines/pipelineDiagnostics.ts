import * as vscode from 'vscode';
import type { PipelineCheckResponse, PipelineDiagnosticDto } from '../../protocol/pipelineApi';
import type { Workbench } from '../workbench';
import { isPipelineFile } from './pipelineFiles';
import { checkPipeline } from './pipelineRequests';

const TYPING_DELAY_MS = 200;

/**
 * Problems in pipeline files as you type: each edit (after a short pause) sends
 * the buffer to the backend, which parses it with the engine's own parser, so
 * the editor and `mlops pipeline run` never disagree. Keeps, per document, the
 * last outline (its steps) for completion, and the replacements for quick fixes.
 */
export class PipelineDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mlops-pipeline');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per document: the answer last applied, and its version (late answers to older text are dropped). */
  private readonly latest = new Map<string, { version: number; response: PipelineCheckResponse }>();
  private readonly outlines = new Map<string, NonNullable<PipelineCheckResponse['outline']>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Diagnostics of a document were applied (tests wait on it). */
  readonly onDidApply = this.changed.event;

  constructor(private readonly workbench: Workbench) {
    this.subscriptions.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, TYPING_DELAY_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      // A dep file appearing or vanishing changes "missing dep" problems.
      vscode.workspace.onDidCreateFiles(() => this.recheckOpen()),
      vscode.workspace.onDidDeleteFiles(() => this.recheckOpen()),
      vscode.workspace.onDidRenameFiles(() => this.recheckOpen()),
      workbench.onDidAddBackend((b) => this.subscriptions.push(b.onDidChangeState((s) => s.kind === 'connected' && this.recheckOpen()))),
    );
    for (const b of workbench.all()) this.subscriptions.push(b.onDidChangeState((s) => s.kind === 'connected' && this.recheckOpen()));
    this.recheckOpen();
  }

  outline(uri: vscode.Uri): PipelineCheckResponse['outline'] | undefined {
    return this.outlines.get(uri.toString());
  }

  /** Our problems at a range, with what fixes them. */
  diagnosticsAt(uri: vscode.Uri): PipelineDiagnosticDto[] {
    return this.latest.get(uri.toString())?.response.diagnostics ?? [];
  }

  /** Checks every open pipeline file again soon (a dep appeared or vanished on disk, a backend came up). */
  recheckOpen(): void {
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 50);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isPipelineFile(doc.uri)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.check(doc);
      }, delay),
    );
  }

  private async check(doc: vscode.TextDocument): Promise<void> {
    const backend = this.workbench.backendOf(doc.uri);
    if (!backend || backend.state.kind !== 'connected' || doc.isClosed) return;
    const version = doc.version;
    let response: PipelineCheckResponse;
    try {
      response = await checkPipeline(backend, doc.uri, doc.getText());
    } catch (err) {
      this.workbench.log(`pipeline diagnostics for ${doc.uri.fsPath}: ${(err as Error).message}`);
      return;
    }
    const key = doc.uri.toString();
    if (doc.isClosed || (this.latest.get(key)?.version ?? -1) > version) return;
    this.latest.set(key, { version, response });
    // Mid-edit the file often does not parse: completion keeps the last steps it knew.
    if (response.outline) this.outlines.set(key, response.outline);
    this.collection.set(doc.uri, response.diagnostics.map(toDiagnostic));
    this.changed.fire(doc.uri);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.latest.delete(key);
    this.outlines.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

export function rangeOf(d: { line: number; column: number; endLine: number; endColumn: number }): vscode.Range {
  const start = new vscode.Position(Math.max(0, d.line - 1), Math.max(0, d.column - 1));
  const end = new vscode.Position(Math.max(0, d.endLine - 1), Math.max(0, d.endColumn - 1));
  return new vscode.Range(start, end.isBefore(start) ? start : end);
}

function toDiagnostic(d: PipelineDiagnosticDto): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(rangeOf(d), d.message, d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
  diagnostic.source = 'mlops pipeline';
  diagnostic.code = d.code;
  return diagnostic;
}
