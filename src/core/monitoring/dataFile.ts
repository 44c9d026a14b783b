// A data set file, CSV or JSON Lines, chosen by its name: what `mlops monitor
// report` and a deployment's reference accept.
import { parseCsvColumns, type CsvColumns, type CsvOptions } from './csvColumns';
import { parseJsonlColumns } from './jsonlColumns';

export function isJsonLinesFile(name: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(name);
}

export function parseDataFile(bytes: Uint8Array, name: string, options: CsvOptions = {}): CsvColumns {
  return isJsonLinesFile(name) ? parseJsonlColumns(bytes, options) : parseCsvColumns(bytes, options);
}
