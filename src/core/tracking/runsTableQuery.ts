import type { Db } from '../store/openDatabase';
import type { Statement } from 'better-sqlite3';
import { StoreError } from '../store/storeErrors';
import { compileRunSearch, type CompiledQuery } from './runSearchSql';
import { encodePageToken } from './pageToken';
import type { ViewType } from './types';

// The runs table (POST /api/v1/runs/table): a page of runs with their params,
// latest metrics and tags, as the JSON body of native.RunsTableResponse.
//
// Loading full Run objects and serialising them costs ~60 ms per 1,000 runs of
// 30 columns, nearly all of it in creating one JS object per param, tag and
// metric row. Here SQLite writes each row's JSON itself (json_group_object over
// the primary-key index, so keys come in order), and the page is a handful of
// statements whatever its size. Runs on a worker thread (runsTableWorker.ts) so
// a 50,000-run page never blocks the server's event loop, and with it ingestion.

export interface RunsTableInput {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  viewType: ViewType;
  maxResults: number;
  offset: number;
}

/** A checked, compiled table request: plain data, so it can cross to a worker. */
export interface CompiledRunsTable {
  /** Selects the page's run ids in order, one more than maxResults. */
  search: CompiledQuery;
  maxResults: number;
  offset: number;
}

/**
 * Checks and compiles a request. Throws StoreError or SearchFilterError (both
 * INVALID_PARAMETER_VALUE) for a bad experiment id, filter, order or page, on
 * the caller's thread, so bad requests are refused without touching a worker.
 */
export function compileRunsTable(input: RunsTableInput): CompiledRunsTable {
  const experimentIds = input.experimentIds.map((id) => {
    if (!/^\d+$/.test(id)) throw new StoreError('INVALID_PARAMETER_VALUE', `Invalid experiment id '${id}'.`);
    return Number(id);
  });
  // Ask for one extra row to know whether another page exists.
  const search = compileRunSearch({ ...input, experimentIds, maxResults: input.maxResults + 1 });
  return { search, maxResults: input.maxResults, offset: input.offset };
}

// A metric's latest value as the protocol writes doubles: NaN and +-Infinity as
// strings. SQLite writes finite REALs with 17 significant digits, which read
// back as the same double. 0 is written as the integer 0 so -0.0 reads as 0, as
// JSON.stringify writes it.
const METRIC_VALUE = `CASE WHEN m.latest_is_nan = 1 THEN 'NaN'
  WHEN m.latest_value > 1.7976931348623157e308 THEN 'Infinity'
  WHEN m.latest_value < -1.7976931348623157e308 THEN '-Infinity'
  WHEN m.latest_value = 0 THEN 0
  ELSE m.latest_value END`;

// One RunsTableRow per page id, in page order (json_each's key is the index).
// Runs deleted since the search are skipped. json_group_object over no rows is '{}'.
const ROWS_SQL = `SELECT '{"runId":' || json_quote(r.run_uuid)
  || ',"runName":' || json_quote(r.name)
  || ',"experimentId":' || json_quote(CAST(r.experiment_id AS TEXT))
  || ',"status":' || json_quote(r.status)
  || ',"lifecycleStage":' || json_quote(r.lifecycle_stage)
  || ',"startTime":' || json_quote(r.start_time)
  || ',"endTime":' || json_quote(r.end_time)
  || ',"userId":' || json_quote(r.user_id)
  || ',"params":' || (SELECT json_group_object(p.key, p.value) FROM params AS p WHERE p.run_uuid = r.run_uuid)
  || ',"tags":' || (SELECT json_group_object(t.key, t.value) FROM tags AS t WHERE t.run_uuid = r.run_uuid)
  || ',"metrics":' || (SELECT json_group_object(m.key, ${METRIC_VALUE}) FROM metric_series AS m WHERE m.run_uuid = r.run_uuid AND m.point_count > 0)
  || '}'
FROM json_each(?) AS page JOIN runs AS r ON r.run_uuid = page.value
ORDER BY page.key`;

const columnsSql = (table: string, where = '') =>
  `SELECT DISTINCT x.key FROM json_each(?) AS page JOIN ${table} AS x ON x.run_uuid = page.value ${where}`;

/** Answers compiled table requests on one connection. */
export class RunsTableQuery {
  private readonly rows: Statement;
  private readonly columns: { params: Statement; metrics: Statement; tags: Statement };
  // Searches differ by filter and order; a panel repeats the same few.
  private readonly searches = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    this.rows = db.prepare(ROWS_SQL).pluck();
    this.columns = {
      params: db.prepare(columnsSql('params')).pluck(),
      metrics: db.prepare(columnsSql('metric_series', 'WHERE x.point_count > 0')).pluck(),
      tags: db.prepare(columnsSql('tags')).pluck(),
    };
  }

  /** The response body, `{"runs": [...], "nextPageToken"?: ..., "columns": {...}}`. */
  json(request: CompiledRunsTable): string {
    // One read transaction: the ids, rows and columns see the same snapshot.
    return this.db.transaction(() => this.read(request))();
  }

  private read(request: CompiledRunsTable): string {
    const found = this.search(request.search.sql).all(...request.search.params) as string[];
    const more = found.length > request.maxResults;
    const ids = JSON.stringify(more ? found.slice(0, request.maxResults) : found);
    const rows = this.rows.all(ids) as string[];
    // JS's default sort (UTF-16 code units), as the table has always sorted them.
    const keys = (s: Statement) => JSON.stringify((s.all(ids) as string[]).sort());
    const token = more ? `,"nextPageToken":${JSON.stringify(encodePageToken(request.offset + request.maxResults))}` : '';
    return `{"runs":[${rows.join(',')}]${token},"columns":{"params":${keys(this.columns.params)},"metrics":${keys(this.columns.metrics)},"tags":${keys(this.columns.tags)}}}`;
  }

  private search(sql: string): Statement {
    let statement = this.searches.get(sql);
    if (!statement) {
      if (this.searches.size >= 64) this.searches.clear();
      this.searches.set(sql, (statement = this.db.prepare(sql).pluck()));
    }
    return statement;
  }
}
