import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../src/core/store/schema';
import { compileRunSearch, likeToGlob, type RunSearchQuery } from '../src/core/tracking/runSearchSql';
import { compileExperimentSearch, type ExperimentSearchQuery } from '../src/core/tracking/experimentSearchSql';
import { PageTokenError, decodePageToken, encodePageToken } from '../src/core/tracking/pageToken';
import { SearchFilterError } from '../src/core/tracking/searchFilter';
import { seededRandom } from './helpers/seededRandom';

type Db = Database.Database;

function freshDb(): Db {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(m.sql);
  return db;
}

interface RunRow {
  id: string;
  exp: number;
  name: string;
  user: string;
  status: string;
  start: number | null;
  end: number | null;
  stage?: 'active' | 'deleted';
}

function addExperiment(db: Db, id: number, name: string, created: number, updated = created, stage = 'active'): void {
  db.prepare(
    'INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(id, name, `mlflow-artifacts:/${id}`, stage, created, updated);
}

function addRun(db: Db, r: RunRow): void {
  db.prepare(
    `INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.id, r.exp, r.name, r.user, r.status, r.start, r.end, r.stage ?? 'active', `mlflow-artifacts:/${r.exp}/${r.id}/artifacts`);
}

function addParam(db: Db, run: string, key: string, value: string): void {
  db.prepare('INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)').run(run, key, value);
}

function addTag(db: Db, run: string, key: string, value: string): void {
  db.prepare('INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?)').run(run, key, value);
}

/** The latest point of a series; NaN is stored as NULL + is_nan like the real writer does. */
function addMetric(db: Db, run: string, key: string, value: number | null, points = 1): void {
  const isNan = typeof value === 'number' && Number.isNaN(value) ? 1 : 0;
  db.prepare(
    'INSERT INTO metric_series (run_uuid, key, point_count, latest_step, latest_ts, latest_value, latest_is_nan) VALUES (?, ?, ?, 0, 0, ?, ?)',
  ).run(run, key, points, isNan ? null : value, isNan);
}

function addInput(db: Db, run: string, name: string, digest: string, tagsJson: string): void {
  db.prepare(
    "INSERT INTO run_inputs (run_uuid, name, digest, source_type, source, tags_json) VALUES (?, ?, ?, 'local', 'x', ?)",
  ).run(run, name, digest, tagsJson);
}

const context = (value: string): string => JSON.stringify([{ key: 'mlflow.data.context', value }]);

/**
 * Experiment 1 holds the interesting runs. Default order there (start_time
 * DESC, run_uuid): r02, r03 (tied at 2000), r06, r01; r04 is deleted.
 */
function fixture(): Db {
  const db = freshDb();
  addExperiment(db, 1, 'alpha', 100);
  addExperiment(db, 2, 'beta', 200);
  const runs: RunRow[] = [
    { id: 'r01', exp: 1, name: 'cnn-small', user: 'alice', status: 'FINISHED', start: 1000, end: 1500 },
    { id: 'r02', exp: 1, name: 'CNN-big', user: 'bob', status: 'RUNNING', start: 2000, end: null },
    { id: 'r03', exp: 1, name: 'rnn', user: 'alice', status: 'FAILED', start: 2000, end: 2600 },
    { id: 'r04', exp: 1, name: 'old', user: 'carol', status: 'FINISHED', start: 500, end: 900, stage: 'deleted' },
    { id: 'r05', exp: 2, name: 'other', user: 'bob', status: 'FINISHED', start: 3000, end: 3100 },
    { id: 'r06', exp: 1, name: 'inf-run', user: 'dave', status: 'KILLED', start: 1200, end: null },
  ];
  for (const r of runs) addRun(db, r);

  addParam(db, 'r01', 'model', 'cnn');
  addParam(db, 'r01', 'lr', '0.01');
  addParam(db, 'r02', 'model', 'CNN');
  addParam(db, 'r02', 'lr', '0.1');
  addParam(db, 'r03', 'model', 'rnn');
  addParam(db, 'r04', 'model', 'cnn');
  addParam(db, 'r05', 'model', 'cnn');
  addParam(db, 'r06', 'model', 'c_n*n');

  addTag(db, 'r01', 'my tag', 'Hello World');
  addTag(db, 'r01', 'weird', 'abc');
  addTag(db, 'r01', 'mlflow.user', 'alice');
  addTag(db, 'r02', 'my tag', 'hello');
  addTag(db, 'r03', 'my tag', 'HELLO there');
  addTag(db, 'r06', 'weird', 'a[b]?c*');

  addMetric(db, 'r01', 'acc', 0.95);
  addMetric(db, 'r01', 'loss', 0.1);
  addMetric(db, 'r02', 'acc', 0.8);
  addMetric(db, 'r02', 'loss', NaN);
  addMetric(db, 'r03', 'loss', 0);
  addMetric(db, 'r03', 'empty', null, 0);
  addMetric(db, 'r04', 'acc', 0.99);
  addMetric(db, 'r05', 'acc', 0.5);
  addMetric(db, 'r06', 'acc', Infinity);
  addMetric(db, 'r06', 'loss', -Infinity);

  addInput(db, 'r01', 'mnist', 'd1', context('training'));
  addInput(db, 'r02', 'mnist', 'd2', context('eval'));
  addInput(db, 'r02', 'cifar', 'd3', '[]');
  addInput(db, 'r03', 'Imagenet', 'd4', 'not json');
  addInput(db, 'r06', 'mnist', 'd5', JSON.stringify([{ key: 'other', value: 'training' }]));
  return db;
}

function searchWith(db: Db, q: Partial<RunSearchQuery>): string[] {
  const { sql, params } = compileRunSearch({ experimentIds: [1], viewType: 'ACTIVE_ONLY', maxResults: 1000, offset: 0, ...q });
  return db.prepare(sql).pluck().all(...params) as string[];
}

const db = fixture();
const ids = (filter: string, q: Partial<RunSearchQuery> = {}): string[] => searchWith(db, { filter, ...q });
const ordered = (orderBy: string[], q: Partial<RunSearchQuery> = {}): string[] => searchWith(db, { orderBy, ...q });

// ---------------------------------------------------------------------------
// Statement shape

test('one parameterised statement selecting only run_uuid; values never in the SQL text', () => {
  const evil = "x'; DROP TABLE runs; --";
  const { sql, params } = compileRunSearch({
    experimentIds: [1],
    filter: `params.model = "${evil}" and tags.\`${evil}\` LIKE '%${evil.replace(/'/g, "''")}%'`,
    orderBy: [`metrics.\`${evil}\` DESC`],
    viewType: 'ALL',
    maxResults: 10,
    offset: 0,
  });
  assert.match(sql, /^SELECT runs\.run_uuid FROM runs\b/);
  assert.match(sql, /LIMIT \? OFFSET \?$/);
  assert.ok(!sql.includes('DROP'), sql);
  assert.equal(sql.split('?').length - 1, params.length);
  assert.deepEqual(db.prepare(sql).pluck().all(...params), []);
  assert.equal((db.prepare('SELECT count(*) FROM runs').pluck().get() as number) > 0, true);
});

test('bad filters and order_by surface as SearchFilterError', () => {
  assert.throws(() => compileRunSearch({ experimentIds: [1], filter: 'metrics.a > 1 OR metrics.b > 1', viewType: 'ALL', maxResults: 1, offset: 0 }), SearchFilterError);
  assert.throws(() => compileRunSearch({ experimentIds: [1], orderBy: ['metrics.a', 'metrics.a'], viewType: 'ALL', maxResults: 1, offset: 0 }), /duplicate fields/);
  assert.throws(() => compileRunSearch({ experimentIds: [1], viewType: 'SOME' as 'ALL', maxResults: 1, offset: 0 }), /Invalid view type 'SOME'/);
  assert.throws(() => compileRunSearch({ experimentIds: [1], viewType: 'ALL', maxResults: -1, offset: 0 }), /max_results/);
  assert.throws(() => compileRunSearch({ experimentIds: [1], viewType: 'ALL', maxResults: 1, offset: 1.5 }), /offset/);
  assert.throws(() => compileRunSearch({ experimentIds: [Number.NaN], viewType: 'ALL', maxResults: 1, offset: 0 }), /experiment id/);
});

// ---------------------------------------------------------------------------
// Experiments and view types

test('default order is start_time DESC then run_uuid', () => {
  assert.deepEqual(ids(''), ['r02', 'r03', 'r06', 'r01']);
});

test('view types', () => {
  assert.deepEqual(ids('', { viewType: 'ALL' }), ['r02', 'r03', 'r06', 'r01', 'r04']);
  assert.deepEqual(ids('', { viewType: 'DELETED_ONLY' }), ['r04']);
  assert.deepEqual(ids("params.model = 'cnn'", { viewType: 'ALL' }), ['r01', 'r04']);
});

test('experiment ids: several, none, unknown', () => {
  assert.deepEqual(ids('', { experimentIds: [1, 2] }), ['r05', 'r02', 'r03', 'r06', 'r01']);
  assert.deepEqual(ids('', { experimentIds: [2] }), ['r05']);
  assert.deepEqual(ids('', { experimentIds: [] }), []);
  assert.deepEqual(ids('', { experimentIds: [99] }), []);
});

// ---------------------------------------------------------------------------
// Metrics

test('metric comparisons on the latest value; missing keys never match', () => {
  assert.deepEqual(ids('metrics.acc > 0.9'), ['r06', 'r01']);
  assert.deepEqual(ids('metrics.acc >= 0.8'), ['r02', 'r06', 'r01']);
  assert.deepEqual(ids('metrics.acc = 0.8'), ['r02']);
  assert.deepEqual(ids('metrics.acc != 0.8'), ['r06', 'r01']);
  assert.deepEqual(ids('metrics.acc < 1'), ['r02', 'r01']);
  assert.deepEqual(ids('metrics.acc <= 0.95'), ['r02', 'r01']);
  assert.deepEqual(ids('metric.acc > 1e308'), ['r06']);
  assert.deepEqual(ids('metrics.nope != 1'), []);
});

test('NaN compares as 0, as in MLflow\'s SQL store', () => {
  assert.deepEqual(ids('metrics.loss = 0'), ['r02', 'r03']);
  assert.deepEqual(ids('metrics.loss < 0.05'), ['r02', 'r03', 'r06']);
  assert.deepEqual(ids('metrics.loss > -1'), ['r02', 'r03', 'r01']);
  assert.deepEqual(ids('metrics.loss != 0'), ['r06', 'r01']);
});

test('a series without points behaves as a missing metric', () => {
  assert.deepEqual(ids('metrics.empty = 0'), []);
  assert.deepEqual(ids('metrics.empty != 1'), []);
});

// ---------------------------------------------------------------------------
// Params and tags, LIKE vs ILIKE

test('param equality is case-sensitive; != needs the key', () => {
  assert.deepEqual(ids("params.model = 'cnn'"), ['r01']);
  assert.deepEqual(ids("params.model != 'cnn'"), ['r02', 'r03', 'r06']);
  assert.deepEqual(ids("params.lr = '0.1'"), ['r02']);
  assert.deepEqual(ids("params.missing = 'x'"), []);
  assert.deepEqual(ids("params.missing != 'x'"), []);
  assert.deepEqual(ids("param.lr != '0.1'"), ['r01']);
});

test('LIKE is case-sensitive, ILIKE is not', () => {
  assert.deepEqual(ids("params.model LIKE 'cnn'"), ['r01']);
  assert.deepEqual(ids("params.model LIKE 'C%'"), ['r02']);
  assert.deepEqual(ids("params.model LIKE 'c%'"), ['r06', 'r01']);
  assert.deepEqual(ids("params.model ILIKE 'cnn'"), ['r02', 'r01']);
  assert.deepEqual(ids("params.model ILIKE 'C%'"), ['r02', 'r06', 'r01']);
  assert.deepEqual(ids("params.model LIKE 'c_n'"), ['r01']);
  assert.deepEqual(ids("params.model LIKE '_NN'"), ['r02']);
  assert.deepEqual(ids("params.model like '%'"), ['r02', 'r03', 'r06', 'r01']);
  assert.deepEqual(ids("tags.\"my tag\" LIKE '%llo%'"), ['r02', 'r01']);
  assert.deepEqual(ids("tags.`my tag` ILIKE 'hello%'"), ['r02', 'r03', 'r01']);
  assert.deepEqual(ids("tags.`my tag` = 'hello'"), ['r02']);
});

test('GLOB metacharacters in LIKE patterns are literal', () => {
  assert.equal(likeToGlob('a%b_c*d?e[f]g'), 'a*b?c[*]d[?]e[[]f]g');
  assert.deepEqual(ids("tags.weird LIKE '%[b]%'"), ['r06']);
  assert.deepEqual(ids("tags.weird LIKE '%?%'"), ['r06']);
  assert.deepEqual(ids("tags.weird LIKE '%*'"), ['r06']);
  assert.deepEqual(ids("tags.weird LIKE 'a%'"), ['r06', 'r01']);
  assert.deepEqual(ids("params.model LIKE 'c_n*n'"), ['r06']);
  assert.deepEqual(ids("tags.weird ILIKE '%[B]%'"), ['r06']);
});

test('ILIKE stays case-insensitive even if the shared connection turns case_sensitive_like on', () => {
  const local = fixture();
  local.pragma('case_sensitive_like = ON');
  assert.deepEqual(searchWith(local, { filter: "params.model ILIKE 'cnn'" }), ['r02', 'r01']);
  assert.deepEqual(searchWith(local, { filter: "params.model LIKE 'cnn'" }), ['r01']);
  local.close();
});

test('dotted tag keys', () => {
  assert.deepEqual(ids("tags.mlflow.user = 'alice'"), ['r01']);
  assert.deepEqual(ids("tags.`mlflow.user` = 'alice'"), ['r01']);
});

// ---------------------------------------------------------------------------
// Attributes

test('string attributes', () => {
  assert.deepEqual(ids("attributes.run_name = 'rnn'"), ['r03']);
  assert.deepEqual(ids("run_name LIKE 'cnn%'"), ['r01']);
  assert.deepEqual(ids("run_name ILIKE 'cnn%'"), ['r02', 'r01']);
  assert.deepEqual(ids(`"run name" = 'rnn'`), ['r03']);
  assert.deepEqual(ids("status = 'FINISHED'"), ['r01']);
  assert.deepEqual(ids("status != 'RUNNING'"), ['r03', 'r06', 'r01']);
  assert.deepEqual(ids("attr.status LIKE 'F%'"), ['r03', 'r01']);
  assert.deepEqual(ids("user_id = 'alice'"), ['r03', 'r01']);
  assert.deepEqual(ids("artifact_uri LIKE '%/r02/%'"), ['r02']);
});

test('run_id equality and IN / NOT IN', () => {
  assert.deepEqual(ids("run_id = 'r03'"), ['r03']);
  assert.deepEqual(ids("attributes.run_id IN ('r01', 'r03', 'zzz')"), ['r03', 'r01']);
  assert.deepEqual(ids("run_id IN ('R01')"), []);
  assert.deepEqual(ids("run_id NOT IN ('r01')"), ['r02', 'r03', 'r06']);
  assert.deepEqual(ids("run_id NOT IN ('r01') and run_id IN ('r01', 'r02')"), ['r02']);
});

test('numeric attributes; a NULL end_time matches nothing', () => {
  assert.deepEqual(ids('start_time >= 2000'), ['r02', 'r03']);
  assert.deepEqual(ids('attributes.created < 1500'), ['r06', 'r01']);
  assert.deepEqual(ids('Created = 1000'), ['r01']);
  assert.deepEqual(ids('end_time > 0'), ['r03', 'r01']);
  assert.deepEqual(ids('end_time != 1500'), ['r03']);
});

// ---------------------------------------------------------------------------
// Datasets

test('dataset name and digest: any of the run\'s inputs may match', () => {
  assert.deepEqual(ids("datasets.name = 'mnist'"), ['r02', 'r06', 'r01']);
  assert.deepEqual(ids("datasets.name != 'mnist'"), ['r02', 'r03']);
  assert.deepEqual(ids("datasets.name LIKE 'i%'"), []);
  assert.deepEqual(ids("datasets.name ILIKE 'i%'"), ['r03']);
  assert.deepEqual(ids("dataset.digest IN ('d1', 'd3')"), ['r02', 'r01']);
  assert.deepEqual(ids("datasets.name NOT IN ('mnist')"), ['r02', 'r03']);
});

test('dataset context reads the mlflow.data.context input tag; malformed tags_json is skipped', () => {
  assert.deepEqual(ids("datasets.context = 'training'"), ['r01']);
  assert.deepEqual(ids("datasets.context IN ('eval', 'training')"), ['r02', 'r01']);
  assert.deepEqual(ids("datasets.context NOT IN ('eval')"), ['r01']);
  assert.deepEqual(ids("datasets.context ILIKE 'TRAIN%'"), ['r01']);
  assert.deepEqual(ids("datasets.context LIKE 'TRAIN%'"), []);
  assert.deepEqual(ids("datasets.context != 'x'"), ['r02', 'r01']);
});

test('AND across every entity', () => {
  assert.deepEqual(ids("metrics.acc > 0.5 and params.model ILIKE 'cnn' and datasets.context = 'eval' and status = 'RUNNING'"), ['r02']);
  assert.deepEqual(ids("metrics.acc > 0.5 and tags.weird = 'abc' and run_id IN ('r01') and start_time = 1000 and datasets.digest = 'd1'"), ['r01']);
  assert.deepEqual(ids("metrics.acc > 0.5 and params.model = 'nothing'"), []);
});

// ---------------------------------------------------------------------------
// Ordering

test('order by metric: numbers, then NaN, then missing, in both directions', () => {
  assert.deepEqual(ordered(['metrics.acc DESC']), ['r06', 'r01', 'r02', 'r03']);
  assert.deepEqual(ordered(['metrics.acc ASC']), ['r02', 'r01', 'r06', 'r03']);
  assert.deepEqual(ordered(['metrics.loss']), ['r06', 'r03', 'r01', 'r02']);
  assert.deepEqual(ordered(['metrics.loss DESC']), ['r01', 'r03', 'r06', 'r02']);
  assert.deepEqual(ordered(['metrics.loss DESC'], { viewType: 'ALL' }), ['r01', 'r03', 'r06', 'r02', 'r04']);
  assert.deepEqual(ordered(['metrics.loss ASC'], { viewType: 'ALL' }), ['r06', 'r03', 'r01', 'r02', 'r04']);
  assert.deepEqual(ordered(['metrics.empty DESC']), ['r02', 'r03', 'r06', 'r01']);
});

test('order by param / tag: missing sorts last both ways, ties fall back to start_time DESC', () => {
  assert.deepEqual(ordered(['params.lr ASC']), ['r01', 'r02', 'r03', 'r06']);
  assert.deepEqual(ordered(['params.lr DESC']), ['r02', 'r01', 'r03', 'r06']);
  assert.deepEqual(ordered(['tags.`my tag`']), ['r03', 'r01', 'r02', 'r06']);
  assert.deepEqual(ordered(['tags."my tag" desc']), ['r02', 'r01', 'r03', 'r06']);
});

test('order by attributes; NULL end_time sorts last both ways', () => {
  assert.deepEqual(ordered(['attributes.end_time ASC']), ['r01', 'r03', 'r02', 'r06']);
  assert.deepEqual(ordered(['end_time DESC']), ['r03', 'r01', 'r02', 'r06']);
  assert.deepEqual(ordered(['start_time ASC']), ['r01', 'r06', 'r02', 'r03']);
  assert.deepEqual(ordered(['created DESC']), ['r02', 'r03', 'r06', 'r01']);
  assert.deepEqual(ordered(['run_name']), ['r02', 'r01', 'r06', 'r03']);
  assert.deepEqual(ordered(['run_id DESC']), ['r06', 'r03', 'r02', 'r01']);
  assert.deepEqual(ordered(['status ASC', 'metrics.acc DESC']), ['r03', 'r01', 'r06', 'r02']);
  assert.deepEqual(ordered(['user_id', 'start_time']), ['r01', 'r03', 'r02', 'r06']);
});

test('order_by combined with a filter and the same key', () => {
  assert.deepEqual(ids('metrics.acc > 0', { orderBy: ['metrics.acc'] }), ['r02', 'r01', 'r06']);
  assert.deepEqual(ids("params.model ILIKE 'c%'", { orderBy: ['params.model DESC', 'metrics.loss'] }), ['r01', 'r06', 'r02']);
});

// ---------------------------------------------------------------------------
// Paging

function tiedExperiment(): Db {
  const local = freshDb();
  addExperiment(local, 7, 'ties', 1);
  for (let i = 0; i < 23; i++) {
    const id = `t${String((i * 7) % 23).padStart(2, '0')}`;
    addRun(local, { id, exp: 7, name: `run-${i % 3}`, user: 'u', status: 'FINISHED', start: 1000 + (i % 4), end: null });
    if (i % 5 !== 0) addMetric(local, id, 'm', i % 6 === 0 ? NaN : i % 3);
    if (i % 4 !== 0) addParam(local, id, 'p', `v${i % 2}`);
  }
  return local;
}

test('paging is stable under ties: no duplicates, no gaps, for every order', () => {
  const local = tiedExperiment();
  const orders = [[], ['metrics.m DESC'], ['metrics.m'], ['params.p'], ['params.p DESC', 'metrics.m'], ['run_name DESC'], ['start_time']];
  for (const orderBy of orders) {
    for (const filter of ['', 'metrics.m >= 0', "params.p != 'x'"]) {
      const all = searchWith(local, { experimentIds: [7], orderBy, filter });
      assert.equal(new Set(all).size, all.length);
      for (const size of [1, 4, 5, 23]) {
        const paged: string[] = [];
        let token: string | undefined;
        for (;;) {
          const offset = decodePageToken(token);
          const page = searchWith(local, { experimentIds: [7], orderBy, filter, maxResults: size, offset });
          paged.push(...page);
          if (page.length < size) break;
          token = encodePageToken(offset + size);
        }
        assert.deepEqual(paged, all, `${orderBy.join(',')} / ${filter} / page ${size}`);
      }
    }
  }
  // Ties on start_time are broken by run_uuid ascending, whatever the insertion order.
  const rows = local.prepare('SELECT run_uuid AS id, start_time AS start FROM runs').all() as Array<{ id: string; start: number }>;
  const expected = rows.sort((a, b) => b.start - a.start || (a.id < b.id ? -1 : 1)).map((r) => r.id);
  assert.deepEqual(searchWith(local, { experimentIds: [7] }), expected);
  local.close();
});

test('maxResults 0 and offsets past the end', () => {
  assert.deepEqual(searchWith(db, { maxResults: 0 }), []);
  assert.deepEqual(searchWith(db, { offset: 100 }), []);
  assert.deepEqual(searchWith(db, { maxResults: 2, offset: 1 }), ['r03', 'r06']);
});

// ---------------------------------------------------------------------------
// Property test: the SQL agrees with a direct model of MLflow's rules

interface ModelRun {
  id: string;
  start: number;
  m?: number;
  p?: string;
}

const M_VALUES = [-1, 0, 0.5, 1, 2, NaN, Infinity, -Infinity];
const P_VALUES = ['a', 'A', 'ab', 'b_c', 'bxc', '%x', 'a*'];
const P_PATTERNS = ['a', 'a%', 'A%', '%c', 'b_c', '_', '%', '%x', 'a*', '%*%'];

function likeRegex(pattern: string, flags: string): RegExp {
  const body = [...pattern].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, flags);
}

function modelMatches(r: ModelRun, c: { kind: 'm' | 'p'; op: string; value: number | string }): boolean {
  if (c.kind === 'm') {
    if (r.m === undefined) return false;
    const v = Number.isNaN(r.m) ? 0 : r.m;
    const x = c.value as number;
    return { '=': v === x, '!=': v !== x, '>': v > x, '>=': v >= x, '<': v < x, '<=': v <= x }[c.op] as boolean;
  }
  if (r.p === undefined) return false;
  const x = c.value as string;
  if (c.op === '=') return r.p === x;
  if (c.op === '!=') return r.p !== x;
  return likeRegex(x, c.op === 'ILIKE' ? 'i' : '').test(r.p);
}

function modelCompare(a: ModelRun, b: ModelRun, order: { kind: 'm' | 'p'; asc: boolean } | undefined): number {
  if (order) {
    const rank = (r: ModelRun): number => {
      const v = order.kind === 'm' ? r.m : r.p;
      if (v === undefined) return 2;
      return typeof v === 'number' && Number.isNaN(v) ? 1 : 0;
    };
    const d = rank(a) - rank(b);
    if (d !== 0) return d;
    if (rank(a) === 0) {
      const va = (order.kind === 'm' ? a.m : a.p) as number | string;
      const vb = (order.kind === 'm' ? b.m : b.p) as number | string;
      if (va !== vb) return (va < vb ? -1 : 1) * (order.asc ? 1 : -1);
    }
  }
  if (a.start !== b.start) return b.start - a.start;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

test('property: random runs and filters agree with a model of MLflow semantics', () => {
  const rand = seededRandom(20240611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  for (let round = 0; round < 20; round++) {
    const local = freshDb();
    addExperiment(local, 3, 'prop', 1);
    const runs: ModelRun[] = [];
    for (let i = 0; i < 30; i++) {
      const r: ModelRun = { id: `run${String(i).padStart(2, '0')}${pick(['a', 'b'])}`, start: pick([1, 2, 3]) };
      if (rand() < 0.8) r.m = pick(M_VALUES);
      if (rand() < 0.8) r.p = pick(P_VALUES);
      runs.push(r);
    }
    // Inserted out of id order, so ties are not already in run_uuid order on disk.
    for (const r of [...runs].sort(() => rand() - 0.5)) {
      addRun(local, { id: r.id, exp: 3, name: 'n', user: 'u', status: 'FINISHED', start: r.start, end: null });
      if (r.m !== undefined) addMetric(local, r.id, 'm', r.m);
      if (r.p !== undefined) addParam(local, r.id, 'p', r.p);
    }
    for (let q = 0; q < 25; q++) {
      const clauses = Array.from({ length: 1 + Math.floor(rand() * 2) }, () =>
        rand() < 0.5
          ? { kind: 'm' as const, op: pick(['=', '!=', '>', '>=', '<', '<=']), value: pick([-1, 0, 0.5, 1, 3]) }
          : { kind: 'p' as const, op: pick(['=', '!=', 'LIKE', 'ILIKE']), value: pick([...P_VALUES, ...P_PATTERNS]) },
      );
      const filter = clauses
        .map((c) => (c.kind === 'm' ? `metrics.m ${c.op} ${c.value}` : `params.p ${c.op} '${String(c.value)}'`))
        .join(' and ');
      const order = rand() < 0.7 ? { kind: pick(['m', 'p'] as const), asc: rand() < 0.5 } : undefined;
      const orderBy = order ? [`${order.kind === 'm' ? 'metrics.m' : 'params.p'} ${order.asc ? 'ASC' : 'DESC'}`] : [];
      const expected = runs
        .filter((r) => clauses.every((c) => modelMatches(r, c)))
        .sort((a, b) => modelCompare(a, b, order))
        .map((r) => r.id);
      const actual = searchWith(local, { experimentIds: [3], filter, orderBy });
      assert.deepEqual(actual, expected, `filter: ${filter}; order: ${orderBy.join(',')}`);
    }
    local.close();
  }
});

// ---------------------------------------------------------------------------
// Experiments

function experimentDb(): Db {
  const local = freshDb();
  local.prepare('DELETE FROM experiments WHERE experiment_id = 0').run();
  addExperiment(local, 1, 'alpha', 100, 500);
  addExperiment(local, 2, 'Beta', 300, 300);
  addExperiment(local, 3, 'beta-2', 300, 400);
  addExperiment(local, 4, 'gone', 200, 200, 'deleted');
  addExperiment(local, 5, 'a_b%c', 50, 50);
  const tag = local.prepare('INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)');
  tag.run(1, 'owner', 'ana');
  tag.run(2, 'owner', 'Bob');
  tag.run(3, 'team name', 'ML');
  tag.run(4, 'owner', 'ana');
  return local;
}

function experiments(local: Db, q: Partial<ExperimentSearchQuery>): number[] {
  const { sql, params } = compileExperimentSearch({ viewType: 'ACTIVE_ONLY', maxResults: 1000, offset: 0, ...q });
  assert.match(sql, /^SELECT experiments\.experiment_id FROM experiments\b/);
  return local.prepare(sql).pluck().all(...params) as number[];
}

test('experiments: default order creation_time DESC then experiment_id ASC; view types', () => {
  const local = experimentDb();
  assert.deepEqual(experiments(local, {}), [2, 3, 1, 5]);
  assert.deepEqual(experiments(local, { viewType: 'ALL' }), [2, 3, 4, 1, 5]);
  assert.deepEqual(experiments(local, { viewType: 'DELETED_ONLY' }), [4]);
  local.close();
});

test('experiments: an order_by without experiment_id gets experiment_id DESC as tie-breaker', () => {
  const local = experimentDb();
  assert.deepEqual(experiments(local, { orderBy: ['creation_time DESC'] }), [3, 2, 1, 5]);
  assert.deepEqual(experiments(local, { orderBy: ['creation_time', 'experiment_id'] }), [5, 1, 2, 3]);
  assert.deepEqual(experiments(local, { orderBy: ['name'] }), [2, 5, 1, 3]);
  assert.deepEqual(experiments(local, { orderBy: ['last_update_time DESC'] }), [1, 3, 2, 5]);
  assert.deepEqual(experiments(local, { orderBy: ['experiment_id DESC'] }), [5, 3, 2, 1]);
  local.close();
});

test('experiments: filters', () => {
  const local = experimentDb();
  assert.deepEqual(experiments(local, { filter: "name = 'alpha'" }), [1]);
  assert.deepEqual(experiments(local, { filter: "name LIKE 'b%'" }), [3]);
  assert.deepEqual(experiments(local, { filter: "name ILIKE 'b%'" }), [2, 3]);
  assert.deepEqual(experiments(local, { filter: "name LIKE 'a_b%'" }), [5]);
  assert.deepEqual(experiments(local, { filter: "name != 'alpha'" }), [2, 3, 5]);
  assert.deepEqual(experiments(local, { filter: 'creation_time >= 300' }), [2, 3]);
  assert.deepEqual(experiments(local, { filter: 'attribute.last_update_time < 400' }), [2, 5]);
  assert.deepEqual(experiments(local, { filter: "tags.owner = 'ana'" }), [1]);
  assert.deepEqual(experiments(local, { filter: "tags.owner = 'ana'", viewType: 'ALL' }), [4, 1]);
  assert.deepEqual(experiments(local, { filter: "tags.owner != 'ana'" }), [2]);
  assert.deepEqual(experiments(local, { filter: "tag.owner ILIKE 'b%'" }), [2]);
  assert.deepEqual(experiments(local, { filter: "tags.`team name` = 'ML' and name LIKE 'beta%'" }), [3]);
  assert.throws(() => experiments(local, { filter: "attributes.name = 'x'" }), SearchFilterError);
  local.close();
});

test('experiments: paging', () => {
  const local = experimentDb();
  const all = experiments(local, { viewType: 'ALL', orderBy: ['name'] });
  const paged = [0, 2, 4].flatMap((offset) => experiments(local, { viewType: 'ALL', orderBy: ['name'], maxResults: 2, offset }));
  assert.deepEqual(paged, all);
  local.close();
});

// ---------------------------------------------------------------------------
// Page tokens

test('page tokens are byte-compatible with MLflow', () => {
  // base64.b64encode(json.dumps({"offset": 100}).encode()) in Python
  assert.equal(encodePageToken(100), 'eyJvZmZzZXQiOiAxMDB9');
  assert.equal(decodePageToken('eyJvZmZzZXQiOiAxMDB9'), 100);
  for (const n of [0, 1, 7, 999, 1_000_000, Number.MAX_SAFE_INTEGER]) assert.equal(decodePageToken(encodePageToken(n)), n);
  assert.equal(decodePageToken(undefined), 0);
  assert.equal(decodePageToken(''), 0);
  assert.equal(decodePageToken(null), 0);
  assert.equal(decodePageToken(Buffer.from('{"offset": "25"}').toString('base64')), 25);
  assert.equal(decodePageToken('eyJvZmZzZXQiOiAxMDB9'.replace(/=+$/, '')), 100);
  assert.throws(() => encodePageToken(-1), RangeError);
});

test('bad page tokens', () => {
  const bad = (token: string, message: RegExp): void => {
    assert.throws(() => decodePageToken(token), (e: unknown) => e instanceof PageTokenError && message.test(e.message) && e.errorCode === 'INVALID_PARAMETER_VALUE');
  };
  bad('not a token!', /^Invalid page token, could not base64-decode$/);
  bad('abcde', /could not base64-decode/);
  bad(Buffer.from('hello').toString('base64'), /^Invalid page token, decoded value=hello$/);
  bad(Buffer.from('{"page": 3}').toString('base64'), /^Invalid page token, parsed value=\{"page": 3\}$/);
  bad(Buffer.from('[1]').toString('base64'), /parsed value/);
  bad(Buffer.from('{"offset": -5}').toString('base64'), /offset must be a non-negative integer/);
  bad(Buffer.from('{"offset": 1.5}').toString('base64'), /offset must be a non-negative integer/);
  bad(Buffer.from('{"offset": "x"}').toString('base64'), /offset must be a non-negative integer/);
});
