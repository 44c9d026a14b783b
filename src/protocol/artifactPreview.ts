// Which preview an artifact gets, decided from its name alone, and how much of
// it is read. Shared by the run detail panel's host side (what to fetch: bytes
// for images, a text prefix for the rest) and its webview (how to show it).

export type PreviewKind = 'image' | 'text' | 'json' | 'csv' | 'tsv' | 'binary';

/** Text-like previews read at most this much of a file. */
export const TEXT_PREVIEW_BYTES = 256 * 1024;
/** Tables show at most this many rows (the header included). */
export const TABLE_PREVIEW_ROWS = 500;
/** Images larger than this are not sent to the panel; "Open" still works. */
export const IMAGE_PREVIEW_BYTES = 20 * 1024 * 1024;

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
};

const TEXT_EXTENSIONS = new Set([
  'txt', 'log', 'out', 'err', 'md', 'markdown', 'rst', 'py', 'pyi', 'ipynb', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'env',
  'sh', 'bash', 'r', 'sql', 'js', 'ts', 'html', 'xml', 'diff', 'patch', 'mlmodel', 'jsonl', 'ndjson', 'gitignore', 'dockerfile',
]);

// Files MLflow and tools write without an extension.
const TEXT_NAMES = new Set(['MLmodel', 'Dockerfile', 'Makefile', 'LICENSE', 'README', 'requirements.txt', 'conda.yaml', 'python_env.yaml']);

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function previewKind(path: string): PreviewKind {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const ext = extensionOf(path);
  if (ext in IMAGE_TYPES) return 'image';
  if (ext === 'json') return 'json';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (TEXT_EXTENSIONS.has(ext) || TEXT_NAMES.has(name)) return 'text';
  return 'binary';
}

/** The MIME type of an image preview (the webview makes a blob of that type). */
export function imageMimeType(path: string): string {
  return IMAGE_TYPES[extensionOf(path)] ?? 'application/octet-stream';
}
