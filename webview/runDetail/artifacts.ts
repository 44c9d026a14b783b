// The artifact browser: a folder tree (folders listed when first opened) and
// the preview of the selected file beside it.
import type { ArtifactEntry, ArtifactRegistration, PreviewContent, PreviewReport, RunDetailToHost } from '../../src/protocol/runDetailMessages';
import { previewKind } from '../../src/protocol/artifactPreview';
import { h } from '../shared/uiKit';
import { formatBytes } from './format';
import { icon, kindIcon } from './icons';
import { releasePreview, renderPreview } from './preview';

export class ArtifactBrowser {
  readonly element = h('div', { class: 'rd-artifacts' });
  private readonly tree = h('div', { class: 'rd-tree', role: 'tree', 'aria-label': 'Artifacts' });
  private readonly previewTitle = h('span', { class: 'rd-preview-title' });
  private readonly openButton = h('vscode-button', { appearance: 'secondary', title: 'Download and open in VS Code' }, 'Open');
  private readonly registerButton = h('vscode-button', { appearance: 'secondary', title: 'Register this model as a new version in the model registry' }, 'Register Model…');
  /** For a model registered already: another version of the same model, or a version of another one. */
  private readonly againButton = h('vscode-button', { appearance: 'secondary' }, 'Register Again…');
  private readonly anotherButton = h('vscode-button', { appearance: 'secondary', title: 'Register this file as a version of another model (or a new one)' }, 'Register as Another Model…');
  private readonly registeredLine = h('div', { class: 'rd-registered' });
  private registrations: ArtifactRegistration[] = [];
  private readonly previewBody = h('div', { class: 'rd-preview-body' });
  private readonly listings = new Map<string, ArtifactEntry[]>();
  private readonly expanded = new Set<string>();
  private readonly loading = new Set<string>();
  private selected?: ArtifactEntry;
  private nextRequest = 1;
  private currentRequest = 0;
  private rootError?: string;

  constructor(
    private readonly post: (m: RunDetailToHost) => void,
    private readonly onSelectionChange: (path: string | undefined) => void,
  ) {
    this.openButton.addEventListener('click', () => this.selected && this.post({ type: 'openArtifact', path: this.selected.path }));
    const register = (name?: string) => {
      const model = this.selected && modelPathOf(this.selected.path);
      if (model !== undefined) this.post({ type: 'registerModel', path: model, ...(name ? { name } : {}) });
    };
    this.registerButton.addEventListener('click', () => register());
    this.anotherButton.addEventListener('click', () => register());
    this.againButton.addEventListener('click', () => register(this.registeredHere()[0]?.name));
    const preview = h(
      'div',
      { class: 'rd-preview' },
      h('div', { class: 'rd-preview-head' }, this.previewTitle, this.registerButton, this.againButton, this.anotherButton, this.openButton),
      this.registeredLine,
      this.previewBody,
    );
    this.element.append(this.tree, preview);
    this.clearPreview();
  }

  /** The model versions registered from this run (the registry changed, or the run did). */
  setRegistrations(registrations: ArtifactRegistration[]): void {
    this.registrations = registrations;
    this.showRegistration();
  }

  /** The selected file when it is a model: where it is registered, and the buttons offered (tests read it). */
  get modelReport(): { path: string; registeredAs: string[]; actions: string[] } | null {
    const model = this.selected && modelPathOf(this.selected.path);
    if (model === undefined) return null;
    const actions = [this.registerButton, this.againButton, this.anotherButton, this.openButton].filter((b) => !b.hidden).map((b) => b.textContent?.trim() ?? '');
    return { path: model, registeredAs: this.registeredHere().map((r) => [modelUri(r), ...r.aliases.map((x) => `@${x}`)].join(' ')), actions };
  }

  /** Versions whose source is the selected model file (or folder), newest first. */
  private registeredHere(): ArtifactRegistration[] {
    const model = this.selected && modelPathOf(this.selected.path);
    if (model === undefined) return [];
    return this.registrations.filter((r) => r.paths.includes(model));
  }

  /** A registered model says where it is, and offers registering it again rather than as if it were new. */
  private showRegistration(): void {
    const model = this.selected && modelPathOf(this.selected.path);
    const here = this.registeredHere();
    this.registerButton.hidden = model === undefined || here.length > 0;
    this.againButton.hidden = this.anotherButton.hidden = here.length === 0;
    this.registeredLine.textContent = '';
    this.registeredLine.hidden = here.length === 0;
    if (here.length === 0) return;
    this.againButton.title = `Register this file again, as a new version of ${here[0].name}`;
    this.registeredLine.append('Registered as ');
    here.forEach((r, i) => {
      if (i > 0) this.registeredLine.append(', ');
      const link = h('a', { href: '#', class: 'rd-link', title: `Open ${r.name} version ${r.version} in the registry` }, modelUri(r));
      link.addEventListener('click', (e) => {
        e.preventDefault();
        this.post({ type: 'openModel', name: r.name, version: r.version });
      });
      this.registeredLine.append(link);
      for (const a of r.aliases) this.registeredLine.append(' ', h('span', { class: 'rd-chip' }, `@${a}`));
    });
  }

  get rootEntries(): ArtifactEntry[] {
    return this.listings.get('') ?? [];
  }

  get hasListing(): boolean {
    return this.listings.has('');
  }

  reset(): void {
    this.listings.clear();
    this.expanded.clear();
    this.loading.clear();
    this.selected = undefined;
    this.registrations = [];
    this.rootError = undefined;
    this.clearPreview();
    this.render();
  }

  setListing(path: string, files: ArtifactEntry[], error?: string): void {
    this.loading.delete(path);
    this.listings.set(path, files);
    if (path === '') this.rootError = error;
    this.render();
  }

  /** Selects and previews a file; `requestId` < 0 comes from the host (tests). */
  select(path: string, requestId = this.nextRequest++): void {
    const entry = this.findEntry(path) ?? { path, isDir: false };
    this.selected = entry;
    this.currentRequest = requestId;
    // Open the folders on the way, so the selection is visible in the tree.
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) this.expand(parts.slice(0, i).join('/'));
    this.previewTitle.textContent = path;
    this.previewTitle.title = path;
    this.openButton.hidden = false;
    this.showRegistration();
    this.previewBody.textContent = '';
    this.previewBody.append(h('vscode-progress-ring', { class: 'rd-ring' }));
    this.render();
    this.onSelectionChange(path);
    this.post({ type: 'preview', requestId, path, size: entry.size });
  }

  /** Draws a preview the host sent, unless another file was selected meanwhile. */
  showPreview(requestId: number, path: string, content: PreviewContent): Promise<PreviewReport> | undefined {
    if (requestId !== this.currentRequest || this.selected?.path !== path) return undefined;
    return renderPreview(this.previewBody, path, content);
  }

  /** The file to preview first: the remembered one, else the first image, else the first previewable file. */
  initialSelection(remembered: string | undefined): string | undefined {
    const files = this.rootEntries.filter((f) => !f.isDir);
    if (remembered && (remembered.includes('/') || files.some((f) => f.path === remembered))) return remembered;
    return files.find((f) => previewKind(f.path) === 'image')?.path ?? files.find((f) => previewKind(f.path) !== 'binary')?.path;
  }

  private clearPreview(): void {
    releasePreview();
    this.previewTitle.textContent = 'Preview';
    this.openButton.hidden = true;
    this.selected = undefined;
    this.showRegistration();
    this.previewBody.textContent = '';
    this.previewBody.append(h('div', { class: 'mlops-empty' }, 'Select a file to preview it.'));
  }

  private findEntry(path: string): ArtifactEntry | undefined {
    for (const files of this.listings.values()) {
      const found = files.find((f) => f.path === path);
      if (found) return found;
    }
    return undefined;
  }

  private expand(path: string): void {
    if (this.expanded.has(path)) return;
    this.expanded.add(path);
    if (!this.listings.has(path) && !this.loading.has(path)) {
      this.loading.add(path);
      this.post({ type: 'listArtifacts', path });
    }
  }

  private toggle(path: string): void {
    if (this.expanded.has(path)) this.expanded.delete(path);
    else this.expand(path);
    this.render();
  }

  private render(): void {
    this.tree.textContent = '';
    if (this.rootError) return void this.tree.append(h('div', { class: 'mlops-error' }, `Could not list artifacts: ${this.rootError}`));
    if (!this.hasListing) return void this.tree.append(h('div', { class: 'mlops-empty' }, 'Loading…'));
    if (this.rootEntries.length === 0) return void this.tree.append(h('div', { class: 'mlops-empty' }, 'No artifacts logged.'));
    this.renderLevel('', 0);
  }

  private renderLevel(folder: string, depth: number): void {
    for (const entry of this.listings.get(folder) ?? []) {
      const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
      const open = this.expanded.has(entry.path);
      const kind = entry.isDir ? 'folder' : previewKind(entry.path);
      const row = h(
        'button',
        {
          class: `rd-tree-row${this.selected?.path === entry.path ? ' rd-selected' : ''}`,
          role: 'treeitem',
          'data-path': entry.path,
          'data-kind': kind,
          title: entry.path,
          ...(entry.isDir ? { 'aria-expanded': String(open) } : {}),
        },
        h('span', { class: 'rd-indent', 'data-depth': String(depth) }),
        h('span', { class: 'rd-tree-icon' }, entry.isDir ? icon(open ? 'chevronDown' : 'chevronRight') : kindIcon(kind)),
        h('span', { class: 'rd-tree-name' }, name),
        h('span', { class: 'rd-tree-size' }, entry.isDir ? '' : formatBytes(entry.size)),
      );
      // The CSP forbids inline styles; indentation is a CSS rule per depth instead.
      row.addEventListener('click', () => (entry.isDir ? this.toggle(entry.path) : this.select(entry.path)));
      this.tree.append(row);
      if (entry.isDir && open) {
        if (this.loading.has(entry.path)) this.tree.append(h('div', { class: 'rd-tree-loading', 'data-depth': String(depth + 1) }, 'Loading…'));
        else if ((this.listings.get(entry.path) ?? []).length === 0) this.tree.append(h('div', { class: 'rd-tree-loading', 'data-depth': String(depth + 1) }, 'Empty folder'));
        else this.renderLevel(entry.path, depth + 1);
      }
    }
  }
}

function modelUri(r: ArtifactRegistration): string {
  return `models:/${r.name}/${r.version}`;
}

/** What "Register Model…" registers for a selected file: an .onnx file, or the folder of an MLmodel. */
export function modelPathOf(path: string): string | undefined {
  if (/\.onnx$/i.test(path)) return path;
  const slash = path.lastIndexOf('/');
  if (path.slice(slash + 1) === 'MLmodel' && slash > 0) return path.slice(0, slash);
  return undefined;
}
