// Header values are Latin-1: a file name with CJK or emoji written as is makes
// Node refuse the header (a 500 on every download of that file). RFC 6266 gives
// such names as `filename*=UTF-8''<percent-encoded>` (RFC 5987), beside a plain
// `filename` for clients that do not read the extended form.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The Content-Disposition value that offers `name` as a download. */
export function attachmentDisposition(name: string): string {
  const wellFormed = name.replace(LONE_SURROGATE, '\ufffd');
  // Quotes, backslashes and '%' are read differently by different clients inside the plain form.
  const fallback = wellFormed.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (fallback === wellFormed) return `attachment; filename="${fallback}"`;
  // encodeURIComponent leaves ' ( ) * as they are; RFC 5987 allows none of them unencoded.
  const exact = encodeURIComponent(wellFormed).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
