import * as vscode from 'vscode';

const SCHEME = 'mlops-answer';
const KEPT = 20;

/**
 * Send Test Request's answers as read-only documents (a virtual document per
 * answer, `mlops-answer:/<deployment>/answer-<n>.jsonc`), not untitled editors
 * that ask to be saved when closed. The last few answers are kept in memory.
 */
export class TestAnswers implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly answers = new Map<string, string>();
  private count = 0;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.answers.get(uri.toString()) ?? '// This answer is no longer kept: send the test request again.\n';
  }

  async show(deployment: string, text: string): Promise<vscode.TextEditor> {
    this.count++;
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${deployment}/answer-${this.count}.jsonc` });
    this.answers.set(uri.toString(), text);
    while (this.answers.size > KEPT) this.answers.delete(this.answers.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.answers.clear();
  }
}
