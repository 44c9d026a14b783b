import * as vscode from 'vscode';
import type { ZodType } from 'zod';
import type { Workbench } from '../workbench';
import { webviewHtml } from './webviewHtml';

const REPORT_TIMEOUT_MS = 60_000;

/**
 * The host side every panel shares: the webview's HTML, its "ready" handshake
 * (a hidden webview is discarded and asks again when shown, so nothing is posted
 * in between), every incoming message checked against the panel's schema, the
 * report the webview sends after each drawing (tests and benchmarks wait on it),
 * and disposal. A panel adds what it loads and how it answers its messages.
 */
export abstract class WebviewPanelHost<ToWebview, FromWebview extends { type: string }, Report> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  /** Set by the webview's "ready": messages posted before it would be lost. */
  protected webviewReady = false;
  protected disposed = false;
  private reportWaiters: ((report: Report | undefined) => void)[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  lastReport?: Report;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    protected readonly workbench: Workbench,
    private readonly page: { name: string; title: string; imageBlobs?: boolean; what: string },
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => void this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.webviewReady = false;
      }),
    );
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'mlops.svg');
    panel.title = page.title;
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { name: page.name, title: page.title, imageBlobs: page.imageBlobs });
  }

  /** The schema of what the webview may send (loaded lazily: see lazySchemas.ts). */
  protected abstract messageSchema(): ZodType<FromWebview>;

  /** Answers a checked message; "ready" has already set webviewReady. A throw is logged and shown via onFailure. */
  protected abstract handle(message: FromWebview): Promise<void>;

  /** A handler failed: tell the webview how (each panel has its own error message). */
  protected abstract onFailure(message: string): void;

  /** Whether the current report still describes what the panel shows (else report() waits for the next). */
  protected reportIsCurrent(report: Report): boolean {
    void report;
    return true;
  }

  /** The webview's next report; with `fresh` false, the current one when there is one. */
  report(fresh = false): Promise<Report | undefined> {
    if (this.lastReport && !fresh && this.reportIsCurrent(this.lastReport)) return Promise.resolve(this.lastReport);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), REPORT_TIMEOUT_MS);
      this.reportWaiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /** The webview drew: keep its report and answer whoever waits for one. */
  protected reported(report: Report): void {
    this.lastReport = report;
    this.releaseReportWaiters(report);
  }

  /** Nothing will be drawn (a load failed): waiters get undefined now rather than at their timeout. */
  protected releaseReportWaiters(report?: Report): void {
    const waiters = this.reportWaiters;
    this.reportWaiters = [];
    for (const w of waiters) w(report);
  }

  protected post(message: ToWebview): void {
    if (!this.disposed && this.webviewReady) void this.panel.webview.postMessage(message);
  }

  protected log(line: string): void {
    this.workbench.log(`${this.page.what}: ${line}`);
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = this.messageSchema().safeParse(raw);
    if (!parsed.success) {
      this.log(`ignored a malformed message (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    if (parsed.data.type === 'ready') this.webviewReady = true;
    try {
      await this.handle(parsed.data);
    } catch (err) {
      const message = (err as Error).message;
      this.log(message);
      this.onFailure(message);
    }
  }

  /** Runs a command a webview asked for (a button); a failure is logged and shown, never thrown at the webview. */
  protected async runAction(action: { title: string; command: string; args: unknown[] }): Promise<void> {
    try {
      await vscode.commands.executeCommand(action.command, ...action.args);
    } catch (err) {
      const message = (err as Error).message;
      this.log(`${action.title}: ${message}`);
      void vscode.window.showErrorMessage(`MLOps: ${action.title} failed: ${message}`);
    }
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releaseReportWaiters();
    for (const d of this.disposables) d.dispose();
    for (const l of this.disposeListeners) l();
  }
}
