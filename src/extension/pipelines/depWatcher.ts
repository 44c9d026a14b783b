import { dirname, isAbsolute, resolve } from 'node:path';
import type * as vscode from 'vscode';

type Watcher = { add(paths: string[]): void; unwatch(paths: string[]): void; close(): Promise<void> };

/**
 * Watches the deps of every pipeline file with chokidar (folders recursively) and
 * says which pipeline files a change touches, so their steps can turn stale
 * while nothing runs. chokidar loads on first use, off the activation path.
 */
export class DepWatcher implements vscode.Disposable {
  /** Absolute dep path → the pipeline files (fsPath) that list it. */
  private readonly owners = new Map<string, Set<string>>();
  private watcher?: Promise<Watcher>;
  private disposed = false;

  constructor(private readonly onChange: (pipelineFiles: string[]) => void) {}

  /** The deps of one pipeline file, as written (relative to its folder). */
  setDeps(pipelineFile: string, deps: readonly string[]): void {
    if (this.disposed) return;
    const wanted = new Set(deps.map((d) => (isAbsolute(d) ? d : resolve(dirname(pipelineFile), d))));
    const added: string[] = [];
    const removed: string[] = [];
    for (const [path, files] of this.owners) {
      if (files.has(pipelineFile) && !wanted.has(path)) {
        files.delete(pipelineFile);
        if (!files.size) {
          this.owners.delete(path);
          removed.push(path);
        }
      }
    }
    for (const path of wanted) {
      const files = this.owners.get(path) ?? new Set<string>();
      if (!files.size) added.push(path);
      files.add(pipelineFile);
      this.owners.set(path, files);
    }
    if (!added.length && !removed.length) return;
    void this.ensure().then((w) => {
      if (removed.length) w.unwatch(removed);
      if (added.length) w.add(added);
    });
  }

  forget(pipelineFile: string): void {
    this.setDeps(pipelineFile, []);
  }

  private ensure(): Promise<Watcher> {
    // A require (not import()) of the bundle beside this one: plain CommonJS, as the rest of the extension.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.watcher ??= Promise.resolve().then(() => (require('chokidar') as typeof import('chokidar'))).then(({ watch }) => {
      const w = watch([], { ignoreInitial: true, ignored: (p: string) => /[\\/](?:\.git|\.mlops|node_modules)(?:[\\/]|$)/.test(p) });
      w.on('all', (_event: string, path: string) => this.changed(path));
      w.on('error', () => undefined); // a dep that vanishes mid-watch is reported as a change by the next status
      return w as unknown as Watcher;
    });
    return this.watcher;
  }

  private changed(path: string): void {
    const files = new Set<string>();
    for (const [dep, owners] of this.owners) {
      if (path === dep || path.startsWith(dep.endsWith('/') ? dep : `${dep}/`)) for (const f of owners) files.add(f);
    }
    if (files.size) this.onChange([...files]);
  }

  dispose(): void {
    this.disposed = true;
    void this.watcher?.then((w) => w.close());
  }
}
