// CSV/TSV for the artifact preview: RFC 4180 quoting (quoted fields may hold
// the delimiter, doubled quotes and line breaks), at most `maxRows` rows.

export interface ParsedTable {
  rows: string[][];
  /** More rows follow than were parsed (or the text itself was cut short). */
  truncated: boolean;
}

/**
 * Parses delimited text. When `cut` is true the text is a prefix of a longer
 * file, so its last line may be incomplete and is dropped.
 */
export function parseDelimited(text: string, delimiter: ',' | '\t', maxRows: number, cut = false): ParsedTable {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let stoppedEarly = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // skip a byte-order mark
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row); // blank lines are not rows
    row = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      if (rows.length > maxRows) {
        stoppedEarly = true;
        break;
      }
    } else field += c;
  }
  if (!stoppedEarly && !cut && (field !== '' || row.length > 0 || quoted)) endRow(); // a last line without a line break
  return { rows: rows.slice(0, maxRows), truncated: stoppedEarly || cut || rows.length > maxRows };
}
