import * as vscode from 'vscode';
import type { ModelSummary } from '../../protocol/native';
import type { WorkspaceBackend } from '../backend/workspaceBackend';
import type { Workbench } from '../workbench';
import { aliasMovesBetween, aliasMoveMessage, aliasSnapshot, type AliasMoveSeen, type AliasSnapshot } from './aliasMoves';

const DEBOUNCE_MS = 400;

/**
 * Says so when a pipeline moves an alias (a re-run that registers an older
 * model again moves @challenger back to it; an on-drift retrain moves
 * @champion): a notification with Open Model. Moves a person makes in the
 * editor or through an MLflow client are theirs and are not announced; a
 * pipeline's move is recognised by what its register step records on the
 * version. Looks at the registry when it changes, whether or not the Models view is open.
 */
export class AliasMoveNotifier implements vscode.Disposable {
  private readonly snapshots = new Map<WorkspaceBackend, { aliases: AliasSnapshot; at: number }>();
  private readonly timers = new Map<WorkspaceBackend, NodeJS.Timeout>();
  /** When a change was last seen: a listing asked for before it may not show it. */
  private readonly changedAt = new Map<WorkspaceBackend, number>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The messages shown, newest last (tests read them: the smoke-test driver hides toasts). */
  readonly shown: string[] = [];

  /** `listModels`: the Models view's listing, shared (one request per change for both). */
  constructor(
    workbench: Workbench,
    private readonly listModels: (backend: WorkspaceBackend, askedSince: number) => Promise<ModelSummary[]>,
  ) {
    for (const b of workbench.all()) this.watch(b);
    this.subscriptions.push(workbench.onDidAddBackend((b) => this.watch(b)));
  }

  private watch(backend: WorkspaceBackend): void {
    this.subscriptions.push(
      backend.onDidChangeState(() => this.lookSoon(backend)),
      backend.onDidChange((e) => {
        if (e.kind === 'model' || e.kind === 'model_version' || e.kind === 'resync') this.lookSoon(backend);
      }),
    );
    this.lookSoon(backend);
  }

  private lookSoon(backend: WorkspaceBackend): void {
    this.changedAt.set(backend, Date.now());
    if (this.timers.has(backend)) return;
    this.timers.set(
      backend,
      setTimeout(() => {
        this.timers.delete(backend);
        void this.look(backend);
      }, DEBOUNCE_MS),
    );
  }

  private async look(backend: WorkspaceBackend): Promise<void> {
    if (backend.state.kind !== 'connected') return;
    const at = Date.now();
    let models: ModelSummary[];
    try {
      models = await this.listModels(backend, this.changedAt.get(backend) ?? 0);
    } catch {
      return; // the Models view reports a registry it cannot read
    }
    const before = this.snapshots.get(backend);
    this.snapshots.set(backend, { aliases: aliasSnapshot(models), at });
    if (!before) return; // the first look: what was there before the window opened is not news
    // A second of slack: the record is written just before the alias moves, possibly as the last look began.
    for (const move of aliasMovesBetween(before.aliases, models, before.at - 1000)) if (move.by) this.announce(move);
  }

  private announce(move: AliasMoveSeen): void {
    const message = `MLOps: ${aliasMoveMessage(move)}.`;
    this.shown.push(message);
    void vscode.window.showInformationMessage(message, 'Open Model').then((pick) => {
      if (pick) void vscode.commands.executeCommand('mlops.openModel', { name: move.model, version: move.to });
    });
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
  }
}
