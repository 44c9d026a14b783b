// Compiles an experiment search into ONE parameterised SQLite statement that
// selects experiments.experiment_id in final order, following MLflow's SQL store
// (sqlalchemy_store.search_experiments):
// - filters: name (= != LIKE ILIKE), creation_time / last_update_time
//   (numeric comparisons), tags.<key> (= != LIKE ILIKE; only experiments that
//   have the tag match, `!=` included);
// - order: with no order_by, creation_time DESC then experiment_id ASC; with an
//   order_by that does not mention experiment_id, experiment_id DESC is
//   appended as the tie-breaker (MLflow's choice, kept so pages line up).

import {
  type ExperimentComparison,
  type ExperimentOrderBy,
  type ExperimentOrderKey,
  parseExperimentFilter,
  parseExperimentOrderBy,
} from './searchFilter';
import {
  type CompiledQuery,
  type ViewType,
  assemble,
  checkPaging,
  lifecyclePredicate,
  numericPredicate,
  stringPredicate,
} from './runSearchSql';

export interface ExperimentSearchQuery {
  filter?: string;
  orderBy?: string[];
  viewType: ViewType;
  maxResults: number;
  offset: number;
}

const COLUMNS: Record<ExperimentOrderKey, string> = {
  name: 'experiments.name',
  experiment_id: 'experiments.experiment_id',
  creation_time: 'experiments.creation_time',
  last_update_time: 'experiments.last_update_time',
};

const DEFAULT_ORDER: readonly ExperimentOrderBy[] = [
  { type: 'attribute', key: 'creation_time', ascending: false },
  { type: 'attribute', key: 'experiment_id', ascending: true },
];

function filterPredicate(c: ExperimentComparison, alias: string, params: unknown[]): string {
  if (c.type === 'tag') {
    params.push(c.key);
    const pred = stringPredicate(`${alias}.value`, c.comparator, c.value, params);
    return (
      `EXISTS (SELECT 1 FROM experiment_tags AS ${alias} WHERE ${alias}.experiment_id = experiments.experiment_id ` +
      `AND ${alias}.key = ? AND ${pred})`
    );
  }
  if (c.key === 'name') return stringPredicate(COLUMNS.name, c.comparator, c.value, params);
  return numericPredicate(COLUMNS[c.key], c.comparator, c.value, params);
}

function orderTerms(orderBy: readonly string[] | undefined): string[] {
  const parsed = orderBy && orderBy.length > 0 ? orderBy.map(parseExperimentOrderBy) : [...DEFAULT_ORDER];
  if (!parsed.some((o) => o.key === 'experiment_id')) {
    parsed.push({ type: 'attribute', key: 'experiment_id', ascending: false });
  }
  return parsed.map((o) => `${COLUMNS[o.key]} ${o.ascending ? 'ASC' : 'DESC'}`);
}

/**
 * Builds the statement for SearchExperiments. Throws SearchFilterError
 * (MLflow's INVALID_PARAMETER_VALUE) for a bad filter, order_by, view type or
 * paging.
 */
export function compileExperimentSearch(q: ExperimentSearchQuery): CompiledQuery {
  checkPaging(q.maxResults, q.offset);
  const comparisons = parseExperimentFilter(q.filter);
  const order = orderTerms(q.orderBy);

  const whereParams: unknown[] = [];
  const where: string[] = [];
  const stage = lifecyclePredicate('experiments.lifecycle_stage', q.viewType, whereParams);
  if (stage) where.push(stage);
  comparisons.forEach((c, i) => where.push(filterPredicate(c, `f${i + 1}`, whereParams)));

  return assemble({
    select: 'SELECT experiments.experiment_id FROM experiments',
    joins: [],
    joinParams: [],
    where,
    whereParams,
    order,
    maxResults: q.maxResults,
    offset: q.offset,
  });
}
