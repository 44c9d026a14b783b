// Compiles a run search (filter + order_by + view type + page) into ONE
// parameterised SQLite statement over the store's schema. It selects only
// runs.run_uuid, in final order, so the caller loads the page's runs afterwards.
//
// Semantics follow MLflow's SQL store (sqlalchemy_store.search_runs):
// - A comparison on a metric, param, tag or dataset matches only runs that have
//   that key/dataset; `!=` included (MLflow inner-joins a filtered subquery).
// - Metrics compare their latest value (metric_series.latest_*). A NaN latest
//   value compares as 0.0: MLflow's SQL store writes NaN as value 0 with
//   is_nan = 1 and filters on the stored value, so `metrics.loss = 0` and
//   `metrics.loss < 1` match a run whose loss is NaN. Our schema stores NaN as
//   NULL + latest_is_nan, and we map it back to 0 here to answer the same.
// - LIKE is case-sensitive and ILIKE case-insensitive (ASCII), '%' and '_'
//   being the only wildcards, with no escape character.
// - Ordering: the order_by fields in turn, then start_time DESC unless it was
//   ordered on, then run_uuid ASC always, so every page boundary is stable.
//   A run lacking an ordered metric/param/tag, or whose ordered start/end
//   time is NULL, sorts after every run that has one, in both directions; for
//   metrics, NaN sorts after all numbers and before missing, both directions
//   too. This is MLflow's CASE-based ordering (SQLite has no NULLS LAST).

import {
  type DatasetComparison,
  type DatasetListComparison,
  type ListComparator,
  type NumericAttributeComparison,
  type NumericComparator,
  type RunAttribute,
  type RunComparison,
  type RunIdListComparison,
  type RunOrderBy,
  type StringAttributeComparison,
  type StringComparator,
  SearchFilterError,
  parseOrderByList,
  parseSearchFilter,
} from './searchFilter';

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface CompiledQuery {
  sql: string;
  params: unknown[];
}

export interface RunSearchQuery {
  experimentIds: number[];
  filter?: string;
  orderBy?: string[];
  viewType: ViewType;
  maxResults: number;
  offset: number;
}

// ---------------------------------------------------------------------------
// Shared SQL pieces (also used by experimentSearchSql.ts)

/**
 * Translates a LIKE pattern to a GLOB pattern, because SQLite's LIKE ignores
 * ASCII case and `PRAGMA case_sensitive_like` would change it for every user
 * of the shared connection. GLOB's own wildcards are bracketed so they match
 * themselves; ']' and '\' are already literal in GLOB outside brackets.
 */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

export function stringPredicate(column: string, comparator: StringComparator, value: string, params: unknown[]): string {
  params.push(comparator === 'LIKE' ? likeToGlob(value) : value);
  switch (comparator) {
    case '=':
      return `${column} = ?`;
    case '!=':
      return `${column} != ?`;
    case 'LIKE':
      return `${column} GLOB ?`;
    case 'ILIKE':
      // lower() on both sides keeps ILIKE case-insensitive even if someone
      // turns case_sensitive_like on for the connection.
      return `lower(${column}) LIKE lower(?)`;
  }
}

export function numericPredicate(expr: string, comparator: NumericComparator, value: number, params: unknown[]): string {
  params.push(value);
  return `${expr} ${comparator} ?`;
}

/**
 * IN lists travel as one JSON parameter expanded by json_each: the SQL text
 * does not depend on the list's length and SQLite's variable limit never bites.
 */
export function listPredicate(column: string, comparator: ListComparator, values: readonly string[], params: unknown[]): string {
  params.push(JSON.stringify(values));
  return `${column} ${comparator} (SELECT value FROM json_each(?))`;
}

export function lifecyclePredicate(column: string, viewType: ViewType, params: unknown[]): string | undefined {
  switch (viewType) {
    case 'ACTIVE_ONLY':
      params.push('active');
      return `${column} = ?`;
    case 'DELETED_ONLY':
      params.push('deleted');
      return `${column} = ?`;
    case 'ALL':
      return undefined;
    default:
      throw new SearchFilterError(
        `Invalid view type '${String(viewType)}'. Valid values are 'ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'`,
      );
  }
}

export function checkPaging(maxResults: number, offset: number): void {
  if (!Number.isSafeInteger(maxResults) || maxResults < 0) {
    throw new SearchFilterError(`Invalid value for max_results: it must be a non-negative integer, got ${maxResults}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new SearchFilterError(`Invalid page offset: it must be a non-negative integer, got ${offset}`);
  }
}

/** SELECT ... FROM ... [joins] WHERE ... ORDER BY ... LIMIT ? OFFSET ? */
export function assemble(parts: {
  select: string;
  joins: string[];
  joinParams: unknown[];
  where: string[];
  whereParams: unknown[];
  order: string[];
  maxResults: number;
  offset: number;
}): CompiledQuery {
  const lines = [parts.select, ...parts.joins];
  if (parts.where.length > 0) lines.push(`WHERE ${parts.where.join('\n  AND ')}`);
  lines.push(`ORDER BY ${parts.order.join(', ')}`);
  lines.push('LIMIT ? OFFSET ?');
  return {
    sql: lines.join('\n'),
    params: [...parts.joinParams, ...parts.whereParams, parts.maxResults, parts.offset],
  };
}

// ---------------------------------------------------------------------------
// Runs: filters

const ATTRIBUTE_COLUMNS: Record<RunAttribute, string> = {
  run_id: 'runs.run_uuid',
  run_name: 'runs.name',
  status: 'runs.status',
  user_id: 'runs.user_id',
  artifact_uri: 'runs.artifact_uri',
  start_time: 'runs.start_time',
  end_time: 'runs.end_time',
};

/** Columns that may hold NULL and so need "missing sorts last" handling. */
const NULLABLE_ATTRIBUTES: ReadonlySet<RunAttribute> = new Set(['start_time', 'end_time']);

/** Key of the input tag MLflow uses for a dataset's context (training, eval...). */
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/** See the header: NaN compares as MLflow's SQL store stores it, 0. */
function metricFilterValue(alias: string): string {
  return `(CASE WHEN ${alias}.latest_is_nan = 1 THEN 0.0 ELSE ${alias}.latest_value END)`;
}

function keyedExists(table: string, alias: string, key: string, predicate: (column: string) => string, params: unknown[]): string {
  params.push(key);
  const pred = predicate(table === 'metric_series' ? metricFilterValue(alias) : `${alias}.value`);
  return `EXISTS (SELECT 1 FROM ${table} AS ${alias} WHERE ${alias}.run_uuid = runs.run_uuid AND ${alias}.key = ? AND ${pred})`;
}

type StringOrListComparison = StringAttributeComparison | RunIdListComparison | DatasetComparison | DatasetListComparison;

function isListComparison(c: StringOrListComparison): c is RunIdListComparison | DatasetListComparison {
  return c.comparator === 'IN' || c.comparator === 'NOT IN';
}

function isNumericAttribute(
  c: Extract<RunComparison, { type: 'attribute' }>,
): c is NumericAttributeComparison {
  return c.key === 'start_time' || c.key === 'end_time';
}

function valuePredicate(c: StringOrListComparison, column: string, params: unknown[]): string {
  if (isListComparison(c)) {
    return listPredicate(column, c.comparator, c.value, params);
  }
  return stringPredicate(column, c.comparator, c.value, params);
}

function datasetExists(c: DatasetComparison | DatasetListComparison, alias: string, params: unknown[]): string {
  const base = `EXISTS (SELECT 1 FROM run_inputs AS ${alias}`;
  const owner = `${alias}.run_uuid = runs.run_uuid`;
  if (c.key !== 'context') {
    return `${base} WHERE ${owner} AND ${valuePredicate(c, `${alias}.${c.key}`, params)})`;
  }
  // tags_json is a JSON array of {key, value}; a malformed one must not make
  // json_each fail the whole search, so it is read as empty.
  const tags = `json_each(CASE WHEN json_valid(${alias}.tags_json) THEN ${alias}.tags_json ELSE '[]' END) AS ${alias}t`;
  const isContext = `json_extract(${alias}t.value, '$.key') = '${DATASET_CONTEXT_TAG}'`;
  const pred = valuePredicate(c, `json_extract(${alias}t.value, '$.value')`, params);
  return `${base}, ${tags} WHERE ${owner} AND ${isContext} AND ${pred})`;
}

function attributePredicate(c: Extract<RunComparison, { type: 'attribute' }>, params: unknown[]): string {
  const column = ATTRIBUTE_COLUMNS[c.key];
  if (isNumericAttribute(c)) {
    return numericPredicate(column, c.comparator, c.value, params);
  }
  return valuePredicate(c, column, params);
}

function filterPredicate(c: RunComparison, alias: string, params: unknown[]): string {
  switch (c.type) {
    case 'metric':
      return keyedExists('metric_series', alias, c.key, (col) => numericPredicate(col, c.comparator, c.value, params), params);
    case 'param':
      return keyedExists('params', alias, c.key, (col) => stringPredicate(col, c.comparator, c.value, params), params);
    case 'tag':
      return keyedExists('tags', alias, c.key, (col) => stringPredicate(col, c.comparator, c.value, params), params);
    case 'dataset':
      return datasetExists(c, alias, params);
    case 'attribute':
      return attributePredicate(c, params);
  }
}

// ---------------------------------------------------------------------------
// Runs: ordering

const KEYED_TABLES = { metric: 'metric_series', param: 'params', tag: 'tags' } as const;

interface OrderPart {
  join?: string;
  joinParam?: string;
  terms: string[];
}

function direction(ascending: boolean): string {
  return ascending ? 'ASC' : 'DESC';
}

function orderPart(o: RunOrderBy, alias: string): OrderPart {
  if (o.type === 'attribute') {
    const column = ATTRIBUTE_COLUMNS[o.key];
    const terms = [`${column} ${direction(o.ascending)}`];
    if (NULLABLE_ATTRIBUTES.has(o.key)) terms.unshift(`(${column} IS NULL)`);
    return { terms };
  }
  const join = `LEFT JOIN ${KEYED_TABLES[o.type]} AS ${alias} ON ${alias}.run_uuid = runs.run_uuid AND ${alias}.key = ?`;
  if (o.type === 'metric') {
    // 0 = a number, 1 = NaN, 2 = missing (no row, or a series with no points):
    // always ascending, so NaN and missing trail in both directions.
    const rank = `(CASE WHEN ${alias}.latest_is_nan = 1 THEN 1 WHEN ${alias}.latest_value IS NULL THEN 2 ELSE 0 END)`;
    return { join, joinParam: o.key, terms: [rank, `${alias}.latest_value ${direction(o.ascending)}`] };
  }
  return { join, joinParam: o.key, terms: [`(${alias}.value IS NULL)`, `${alias}.value ${direction(o.ascending)}`] };
}

function isStartTime(o: RunOrderBy): boolean {
  return o.type === 'attribute' && o.key === 'start_time';
}

// ---------------------------------------------------------------------------
// Runs: the statement

function checkExperimentIds(ids: readonly number[]): void {
  for (const id of ids) {
    if (!Number.isSafeInteger(id)) {
      throw new SearchFilterError(`Invalid experiment id '${String(id)}': experiment ids are integers`);
    }
  }
}

/**
 * With a single experiment (the usual case), `= ?` lets SQLite walk
 * runs_by_experiment in start_time order and stop at LIMIT, sorting only ties;
 * an IN list makes it sort every matching run first.
 */
function experimentPredicate(ids: readonly number[], params: unknown[]): string {
  if (ids.length === 1) {
    params.push(ids[0]);
    return 'runs.experiment_id = ?';
  }
  params.push(JSON.stringify(ids));
  return 'runs.experiment_id IN (SELECT value FROM json_each(?))';
}

/**
 * Builds the statement for SearchRuns. Throws SearchFilterError (MLflow's
 * INVALID_PARAMETER_VALUE) for a bad filter, order_by, view type or paging.
 */
export function compileRunSearch(q: RunSearchQuery): CompiledQuery {
  checkExperimentIds(q.experimentIds);
  checkPaging(q.maxResults, q.offset);
  const comparisons = parseSearchFilter(q.filter);
  const orderBy = parseOrderByList(q.orderBy);

  const joins: string[] = [];
  const joinParams: unknown[] = [];
  const order: string[] = [];
  orderBy.forEach((o, i) => {
    const part = orderPart(o, `o${i + 1}`);
    if (part.join) {
      joins.push(part.join);
      joinParams.push(part.joinParam);
    }
    order.push(...part.terms);
  });
  if (!orderBy.some(isStartTime)) order.push('runs.start_time DESC');
  order.push('runs.run_uuid ASC');

  const whereParams: unknown[] = [];
  const where = [experimentPredicate(q.experimentIds, whereParams)];
  const stage = lifecyclePredicate('runs.lifecycle_stage', q.viewType, whereParams);
  if (stage) where.push(stage);
  comparisons.forEach((c, i) => where.push(filterPredicate(c, `f${i + 1}`, whereParams)));

  return assemble({
    select: 'SELECT runs.run_uuid FROM runs',
    joins,
    joinParams,
    where,
    whereParams,
    order,
    maxResults: q.maxResults,
    offset: q.offset,
  });
}
