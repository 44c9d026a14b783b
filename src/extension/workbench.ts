import * as vscode from 'vscode';
import { chooseRuntime, describeTried, type RuntimeCandidate } from './backend/backendRuntime';
import { installTerminalCommand } from './backend/terminalCommand';
import { WorkspaceBackend } from './backend/workspaceBackend';
import { PrivateDownloads } from './downloads/privateDownloads';
import { BackendStatusBar } from './statusBar';

/**
 * What the extension owns while it is active: one backend per workspace folder,
 * the "MLOps" output channel, the status bar item, and the terminal command.
 * Every listener and item is disposed with it.
 */
export class Workbench implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('MLOps');
  private readonly backends = new Map<string, WorkspaceBackend>();
  private readonly statusBar = new BackendStatusBar(() => [...this.backends.values()]);
  private readonly disposables: vscode.Disposable[] = [];
  private runtimePromise?: Promise<RuntimeCandidate | undefined>;
  private readonly backendAdded = new vscode.EventEmitter<WorkspaceBackend>();
  /** Fires for each folder's backend as it is created. */
  readonly onDidAddBackend = this.backendAdded.event;
  /** Where downloads for the editor to open go: the extension's storage, never a shared temp path. */
  readonly downloads: PrivateDownloads;

  constructor(private readonly context: vscode.ExtensionContext) {
    const storage = context.globalStorageUri;
    this.downloads = new PrivateDownloads(storage?.scheme === 'file' ? storage.fsPath : undefined);
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const removed of e.removed) this.removeFolder(removed);
        for (const added of e.added) void this.addFolder(added);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.start()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mlops.backend.runtime')) this.runtimePromise = undefined;
      }),
    );
  }

  log(line: string): void {
    this.output.appendLine(`${new Date().toISOString().slice(11, 19)} ${line}`);
  }

  /** Connects every folder's backend; in an untrusted workspace, nothing runs. */
  async start(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.log('This workspace is not trusted: the MLOps backend does not start and no command runs until you trust it.');
      return;
    }
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.addFolder(f)));
  }

  all(): WorkspaceBackend[] {
    return [...this.backends.values()];
  }

  /** The backend of the folder holding the active editor, else the first one. */
  current(): WorkspaceBackend | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    return (uri && this.backendOf(uri)) ?? this.all()[0];
  }

  /** The backend of the workspace folder holding a file, if any. */
  backendOf(uri: vscode.Uri): WorkspaceBackend | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder && this.backends.get(folder.uri.toString());
  }

  private async addFolder(folder: vscode.WorkspaceFolder): Promise<void> {
    if (folder.uri.scheme !== 'file' || this.backends.has(folder.uri.toString())) return;
    // Whichever way the backend comes (started here, attached to, restarted),
    // a terminal opened once it shows as connected can run `mlops` against it.
    const backend = new WorkspaceBackend(folder, this.context.extensionPath, () => this.runtime(), (line) => this.log(line), () => this.putCommandOnTerminalPath());
    this.backends.set(folder.uri.toString(), backend);
    this.disposables.push(backend.onDidChangeState(() => this.statusBar.update()));
    this.backendAdded.fire(backend);
    this.statusBar.update();
    await backend.connect();
  }

  private removeFolder(folder: vscode.WorkspaceFolder): void {
    const backend = this.backends.get(folder.uri.toString());
    backend?.dispose(); // the backend process itself keeps running for its jobs
    this.backends.delete(folder.uri.toString());
    this.statusBar.update();
  }

  /** The runtime for the backend and the CLI, chosen once (again after the setting changes). */
  runtime(): Promise<RuntimeCandidate | undefined> {
    this.runtimePromise ??= this.chooseRuntime();
    return this.runtimePromise;
  }

  private async chooseRuntime(): Promise<RuntimeCandidate | undefined> {
    const setting = vscode.workspace.getConfiguration('mlops').get<string>('backend.runtime') || undefined;
    const choice = await chooseRuntime(this.context.extensionPath, setting);
    if (!choice.ok) {
      const message = describeTried(choice);
      this.log(message);
      void vscode.window
        .showErrorMessage(`${message} Install a matching Node.js, or set "mlops.backend.runtime" to one.`, 'Open Setting', 'Show Log')
        .then((pick) => {
          if (pick === 'Open Setting') void vscode.commands.executeCommand('workbench.action.openSettings', 'mlops.backend.runtime');
          if (pick === 'Show Log') this.output.show();
        });
      return undefined;
    }
    this.log(`backend runtime: ${choice.runtime.command} (Node ${choice.runtime.version}, ABI ${choice.runtime.abi}, from ${choice.runtime.source})`);
    return choice.runtime;
  }

  /** Writes the `mlops` launcher for the current runtime (again: it may have been removed or the runtime changed). */
  private async putCommandOnTerminalPath(): Promise<void> {
    const runtime = await this.runtime();
    if (!runtime) return; // the runtime's own notification says why
    try {
      const bin = await installTerminalCommand(this.context, runtime);
      this.log(`"mlops" is on the PATH of new integrated terminals (${bin})`);
    } catch (err) {
      this.log(`could not put "mlops" on the terminal PATH: ${(err as Error).message}`);
    }
  }

  async restart(): Promise<void> {
    await Promise.all(this.all().map((b) => b.restart()));
  }

  dispose(): void {
    for (const backend of this.backends.values()) backend.dispose();
    this.backends.clear();
    for (const d of this.disposables) d.dispose();
    this.backendAdded.dispose();
    this.statusBar.dispose();
    this.output.dispose();
    void this.downloads.dispose();
  }
}
