// Compiles SearchRegisteredModels / SearchModelVersions into one parameterised
// statement selecting ids in final order, as MLflow's SQL registry store does:
// - registered models: default order name ASC; any order_by gets name ASC as
//   the tie-breaker;
// - model versions: default last_updated_timestamp DESC; tie-breakers name ASC
//   then version DESC;
// - a tag comparison matches only entities that have the tag (`!=` included).

import { parseRegistryFilter, parseRegistryOrderBy, type RegistryComparison, type RegistryEntity, type RegistryOrderKey } from '../tracking/searchFilter';
import { assemble, checkPaging, listPredicate, numericPredicate, stringPredicate, type CompiledQuery } from '../tracking/runSearchSql';

export interface RegistrySearchQuery {
  filter?: string;
  orderBy?: string[];
  maxResults: number;
  offset: number;
}

const MODEL_COLUMNS: Record<RegistryOrderKey, string> = {
  name: 'm.name',
  creation_timestamp: 'm.creation_timestamp',
  last_updated_timestamp: 'm.last_updated_timestamp',
  version_number: 'm.name', // not an order key for registered models; never reached
};

const VERSION_COLUMNS: Record<RegistryOrderKey, string> = {
  name: 'm.name',
  creation_timestamp: 'v.creation_timestamp',
  last_updated_timestamp: 'v.last_updated_timestamp',
  version_number: 'v.version',
};

function predicate(c: RegistryComparison, entity: RegistryEntity, alias: string, params: unknown[]): string {
  if (c.type === 'tag') {
    params.push(c.key);
    const pred = stringPredicate(`${alias}.value`, c.comparator, c.value, params);
    return entity === 'registered_model'
      ? `EXISTS (SELECT 1 FROM registered_model_tags AS ${alias} WHERE ${alias}.model_id = m.model_id AND ${alias}.key = ? AND ${pred})`
      : `EXISTS (SELECT 1 FROM model_version_tags AS ${alias} WHERE ${alias}.model_id = v.model_id AND ${alias}.version = v.version AND ${alias}.key = ? AND ${pred})`;
  }
  switch (c.key) {
    case 'name':
      return stringPredicate('m.name', c.comparator, c.value, params);
    case 'source_path':
      return stringPredicate('v.source', c.comparator, c.value, params);
    case 'version_number':
      return numericPredicate('v.version', c.comparator, c.value, params);
    case 'run_id':
      if (c.comparator === 'IN' || c.comparator === 'NOT IN') return listPredicate("COALESCE(v.run_id, '')", c.comparator, c.value, params);
      return stringPredicate("COALESCE(v.run_id, '')", c.comparator, c.value as string, params);
  }
}

function compile(entity: RegistryEntity, q: RegistrySearchQuery): CompiledQuery {
  checkPaging(q.maxResults, q.offset);
  const comparisons = parseRegistryFilter(q.filter, entity);
  const orderBy = (q.orderBy ?? []).map((o) => parseRegistryOrderBy(o, entity));
  const columns = entity === 'registered_model' ? MODEL_COLUMNS : VERSION_COLUMNS;
  const order = orderBy.map((o) => `${columns[o.key]} ${o.ascending ? 'ASC' : 'DESC'}`);
  if (entity === 'registered_model') {
    if (!orderBy.some((o) => o.key === 'name')) order.push('m.name ASC');
  } else {
    if (orderBy.length === 0) order.push('v.last_updated_timestamp DESC');
    if (!orderBy.some((o) => o.key === 'name')) order.push('m.name ASC');
    if (!orderBy.some((o) => o.key === 'version_number')) order.push('v.version DESC');
  }
  const whereParams: unknown[] = [];
  const where = comparisons.map((c, i) => predicate(c, entity, `f${i + 1}`, whereParams));
  return assemble({
    select:
      entity === 'registered_model'
        ? 'SELECT m.model_id AS model_id FROM registered_models AS m'
        : 'SELECT v.model_id AS model_id, v.version AS version FROM model_versions AS v JOIN registered_models AS m ON m.model_id = v.model_id',
    joins: [],
    joinParams: [],
    where,
    whereParams,
    order,
    maxResults: q.maxResults,
    offset: q.offset,
  });
}

export function compileRegisteredModelSearch(q: RegistrySearchQuery): CompiledQuery {
  return compile('registered_model', q);
}

export function compileModelVersionSearch(q: RegistrySearchQuery): CompiledQuery {
  return compile('model_version', q);
}
