// The preview of one artifact: images from bytes (blob: URL), text, JSON
// pretty-printed, CSV/TSV as a table. Says when it shows only part of a file.
import type { PreviewContent, PreviewReport } from '../../src/protocol/runDetailMessages';
import { TABLE_PREVIEW_ROWS, TEXT_PREVIEW_BYTES } from '../../src/protocol/artifactPreview';
import { h } from '../shared/uiKit';
import { parseDelimited } from './csv';
import { formatBytes } from './format';

let imageUrl: string | undefined;

/** Frees the last image's bytes (a new preview replaces it). */
export function releasePreview(): void {
  if (imageUrl) URL.revokeObjectURL(imageUrl);
  imageUrl = undefined;
}

function note(text: string): HTMLElement {
  return h('div', { class: 'rd-note-line' }, text);
}

/** Draws `content` into `host`; resolves once drawn (an image: once decoded). */
export function renderPreview(host: HTMLElement, path: string, content: PreviewContent): Promise<PreviewReport> {
  releasePreview();
  host.textContent = '';
  switch (content.kind) {
    case 'image': {
      imageUrl = URL.createObjectURL(new Blob([content.bytes as BlobPart], { type: content.mime }));
      const img = h('img', { class: 'rd-image', alt: path, src: imageUrl });
      const frame = h('div', { class: 'rd-image-frame' }, img);
      host.append(frame);
      return new Promise((resolve) => {
        const done = () => {
          if (img.naturalWidth > 0) frame.after(note(`${img.naturalWidth} × ${img.naturalHeight} px · ${formatBytes(content.size)}`));
          else host.append(h('div', { class: 'mlops-error' }, 'This image could not be decoded.'));
          resolve({ path, kind: 'image', truncated: false, imageWidth: img.naturalWidth });
        };
        if (img.complete && img.naturalWidth > 0) done();
        else {
          img.addEventListener('load', done, { once: true });
          img.addEventListener('error', done, { once: true });
        }
      });
    }
    case 'json': {
      let text = content.text;
      let pretty = false;
      if (!content.truncated) {
        try {
          text = JSON.stringify(JSON.parse(content.text), null, 2);
          pretty = true;
        } catch {
          host.append(note('Not valid JSON: shown as text.'));
        }
      }
      host.append(h('pre', { class: 'rd-pre rd-code' }, text));
      if (content.truncated) host.append(cutNote(content.size));
      return Promise.resolve({ path, kind: pretty ? 'json' : 'text', truncated: content.truncated, chars: text.length });
    }
    case 'csv':
    case 'tsv': {
      const table = parseDelimited(content.text, content.kind === 'csv' ? ',' : '\t', TABLE_PREVIEW_ROWS, content.truncated);
      if (table.rows.length === 0) {
        host.append(h('div', { class: 'mlops-empty' }, 'This file is empty.'));
        return Promise.resolve({ path, kind: 'table', truncated: false, rows: 0, columns: 0 });
      }
      const [head, ...body] = table.rows;
      const columns = Math.max(...table.rows.map((r) => r.length));
      // A column is numeric (right-aligned, header too) when every non-empty cell is a number.
      const numeric = head.map((_, i) => body.some((r) => r[i]) && body.every((r) => !r[i] || isNumber(r[i])));
      const cell = (tag: 'th' | 'td', text: string, i: number) => h(tag, numeric[i] ? { class: 'rd-num' } : {}, text);
      const thead = h('thead', {}, h('tr', {}, ...head.map((c, i) => cell('th', c, i))));
      const tbody = h('tbody', {}, ...body.map((r) => h('tr', {}, ...r.map((c, i) => cell('td', c, i)))));
      host.append(h('div', { class: 'rd-table-wrap rd-csv' }, h('table', { class: 'rd-table' }, thead, tbody)));
      if (table.truncated) host.append(note(`Showing the first ${body.length} rows${content.truncated ? ` (of a ${formatBytes(content.size)} file)` : ''}. Open the file to see it all.`));
      return Promise.resolve({ path, kind: 'table', truncated: table.truncated, rows: body.length, columns });
    }
    case 'text': {
      host.append(h('pre', { class: 'rd-pre rd-code' }, content.text));
      if (content.truncated) host.append(cutNote(content.size));
      return Promise.resolve({ path, kind: 'text', truncated: content.truncated, chars: content.text.length });
    }
    case 'binary':
      host.append(h('div', { class: 'mlops-empty' }, `${content.reason} Use Open to view it in VS Code.`));
      return Promise.resolve({ path, kind: 'binary', truncated: false });
    case 'error':
      host.append(h('div', { class: 'mlops-error' }, content.message));
      return Promise.resolve({ path, kind: 'error', truncated: false, error: content.message });
  }
}

function isNumber(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}

function cutNote(size: number): HTMLElement {
  return note(`Truncated: showing the first ${formatBytes(TEXT_PREVIEW_BYTES)} of ${formatBytes(size)}. Open the file to see it all.`);
}
