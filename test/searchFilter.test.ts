import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SearchFilterError,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseOrderBy,
  parseOrderByList,
  parseSearchFilter,
} from '../src/core/tracking/searchFilter';

function fails(fn: () => unknown, message: RegExp): SearchFilterError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SearchFilterError, `expected SearchFilterError, got ${String(e)}`);
    assert.match(e.message, message);
    assert.equal(e.errorCode, 'INVALID_PARAMETER_VALUE');
    return e;
  }
  assert.fail(`expected an error matching ${message}`);
}

const filterFails = (filter: string, message: RegExp): SearchFilterError => fails(() => parseSearchFilter(filter), message);

// ---------------------------------------------------------------------------
// Valid run filters

test('the example from the brief parses into four comparisons', () => {
  const f = `metrics.acc > 0.9 and params.model = 'cnn' and tags."my tag" LIKE '%x%' and attributes.run_id IN ('a','b')`;
  assert.deepEqual(parseSearchFilter(f), [
    { type: 'metric', key: 'acc', comparator: '>', value: 0.9 },
    { type: 'param', key: 'model', comparator: '=', value: 'cnn' },
    { type: 'tag', key: 'my tag', comparator: 'LIKE', value: '%x%' },
    { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
  ]);
});

test('empty, blank and missing filters match everything', () => {
  assert.deepEqual(parseSearchFilter(''), []);
  assert.deepEqual(parseSearchFilter('   \n\t'), []);
  assert.deepEqual(parseSearchFilter(undefined), []);
  assert.deepEqual(parseSearchFilter(null), []);
});

test('every entity alias MLflow accepts', () => {
  const cases: Array<[string, string]> = [
    ['metric.a > 1', 'metric'],
    ['metrics.a > 1', 'metric'],
    ["param.a = 'x'", 'param'],
    ["params.a = 'x'", 'param'],
    ["parameter.a = 'x'", 'param'],
    ["parameters.a = 'x'", 'param'],
    ["tag.a = 'x'", 'tag'],
    ["tags.a = 'x'", 'tag'],
    ["attribute.status = 'x'", 'attribute'],
    ["attributes.status = 'x'", 'attribute'],
    ["attr.status = 'x'", 'attribute'],
    ["run.status = 'x'", 'attribute'],
    ["dataset.name = 'x'", 'dataset'],
    ["datasets.name = 'x'", 'dataset'],
    ['`metrics`.a > 1', 'metric'],
  ];
  for (const [filter, type] of cases) {
    assert.equal(parseSearchFilter(filter)[0].type, type, filter);
  }
});

test('bare attribute names and their aliases resolve to canonical keys', () => {
  const cases: Array<[string, string]> = [
    ["run_id = 'x'", 'run_id'],
    ["run_name = 'x'", 'run_name'],
    ["status = 'x'", 'status'],
    ["user_id = 'x'", 'user_id'],
    ["artifact_uri = 'x'", 'artifact_uri'],
    ['start_time > 1', 'start_time'],
    ['end_time > 1', 'end_time'],
    ['created > 1', 'start_time'],
    ['Created > 1', 'start_time'],
    ['attributes.created > 1', 'start_time'],
    [`"run name" = 'x'`, 'run_name'],
    ["`Run name` = 'x'", 'run_name'],
    ["attributes.`Run Name` = 'x'", 'run_name'],
  ];
  for (const [filter, key] of cases) {
    const [c] = parseSearchFilter(filter);
    assert.equal(c.type, 'attribute', filter);
    assert.equal(c.key, key, filter);
  }
});

test('keys: dotted, double-quoted, backticked, unicode, leading digits', () => {
  const keyOf = (f: string): string => parseSearchFilter(f)[0].key;
  assert.equal(keyOf("tags.mlflow.runName = 'x'"), 'mlflow.runName');
  assert.equal(keyOf(`tags."mlflow.note.content" = 'x'`), 'mlflow.note.content');
  assert.equal(keyOf('metrics.`f1 score` >= 0.5'), 'f1 score');
  assert.equal(keyOf('metrics."f1 score" >= 0.5'), 'f1 score');
  assert.equal(keyOf("params.größe = 'x'"), 'größe');
  assert.equal(keyOf('metrics.1st > 0'), '1st');
  assert.equal(keyOf('metrics.`a``b` > 0'), 'a`b');
  assert.equal(keyOf(`tags."say ""hi""" = 'x'`), 'say "hi"');
  assert.equal(keyOf("params.learning_rate = '0.1'"), 'learning_rate');
});

test('string values: single and double quotes, escapes, empty', () => {
  const valueOf = (f: string): unknown => parseSearchFilter(f)[0].value;
  assert.equal(valueOf(`params.a = "cnn"`), 'cnn');
  assert.equal(valueOf(`params.a = 'it''s'`), "it's");
  assert.equal(valueOf(`params.a = 'it\\'s'`), "it's");
  assert.equal(valueOf(`params.a = 'C:\\\\data'`), 'C:\\data');
  assert.equal(valueOf(`params.a = 'a\\nb'`), 'a\\nb');
  assert.equal(valueOf(`params.a = "say \\"hi\\""`), 'say "hi"');
  assert.equal(valueOf(`params.a = ''`), '');
  assert.equal(valueOf(`params.a = 'and or = ( ) ,'`), 'and or = ( ) ,');
  assert.equal(valueOf(`params.a = '日本'`), '日本');
});

test('numbers: ints, floats, exponents, signs', () => {
  const cases: Array<[string, number]> = [
    ['1', 1],
    ['-1', -1],
    ['+3', 3],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['-.5', -0.5],
    ['1.', 1],
    ['1e3', 1000],
    ['1.5E-3', 0.0015],
    ['-2e+2', -200],
    ['123456789012', 123456789012],
  ];
  for (const [text, value] of cases) {
    assert.equal(parseSearchFilter(`metrics.m > ${text}`)[0].value, value, text);
    assert.equal(parseSearchFilter(`metrics.m>${text}`)[0].value, value, `${text} without spaces`);
  }
});

test('comparators and AND are case-insensitive; whitespace is free', () => {
  const f = "params.a like 'x' AnD params.b Ilike 'y' and run_id in ('r') aNd run_id not   in ('s')";
  assert.deepEqual(
    parseSearchFilter(f).map((c) => c.comparator),
    ['LIKE', 'ILIKE', 'IN', 'NOT IN'],
  );
  const tight = parseSearchFilter("metrics.a>=1 and params.b!='x'and\ttags.c='y'");
  assert.deepEqual(
    tight.map((c) => [c.key, c.comparator, c.value]),
    [
      ['a', '>=', 1],
      ['b', '!=', 'x'],
      ['c', '=', 'y'],
    ],
  );
});

test('all metric and numeric-attribute comparators', () => {
  for (const op of ['=', '!=', '>', '>=', '<', '<=']) {
    assert.equal(parseSearchFilter(`metrics.m ${op} 1`)[0].comparator, op);
    assert.equal(parseSearchFilter(`end_time ${op} 1`)[0].comparator, op);
  }
});

test('all string comparators for params, tags, string attributes and datasets', () => {
  for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
    for (const lhs of ['params.p', 'tags.t', 'status', 'run_name', 'user_id', 'artifact_uri', 'run_id', 'datasets.name', 'datasets.digest', 'datasets.context']) {
      assert.equal(parseSearchFilter(`${lhs} ${op} 'v'`)[0].comparator, op, `${lhs} ${op}`);
    }
  }
});

test('dataset IN / NOT IN lists (name, digest, context)', () => {
  assert.deepEqual(parseSearchFilter("datasets.name IN ('a', \"b\")"), [
    { type: 'dataset', key: 'name', comparator: 'IN', value: ['a', 'b'] },
  ]);
  assert.equal(parseSearchFilter("dataset.digest NOT IN ('x')")[0].comparator, 'NOT IN');
  assert.deepEqual(parseSearchFilter("datasets.context IN ('training')")[0].value, ['training']);
});

test('run_id lists keep case and order (MLflow drops ids with capitals; we do not need to)', () => {
  assert.deepEqual(parseSearchFilter("run_id IN ('B', 'a', 'a')")[0].value, ['B', 'a', 'a']);
});

// ---------------------------------------------------------------------------
// Invalid run filters

test('OR is rejected with an explanation and its position', () => {
  const e = filterFails("metrics.acc > 1 OR params.x = 'y'", /Invalid clause\(s\) in filter string: 'OR'.*no OR.*at character 17/);
  assert.equal(e.position, 16);
  assert.equal(e.token, 'OR');
  filterFails("metrics.acc > 1 and or params.x = 'y'", /no OR/);
  filterFails("metrics.acc > 1 or params.x = 'y'", /'or'.*no OR/);
});

test('structure errors: missing AND, trailing AND, parentheses, keywords', () => {
  filterFails('metrics.a > 1 metrics.b > 2', /Invalid clause\(s\) in filter string: 'metrics.b'; expected AND.*at character 15/);
  filterFails('metrics.a > 1 and', /ends with 'AND'/);
  filterFails('metrics.a > 1 and   ', /ends with 'AND'/);
  filterFails('(metrics.a > 1)', /parentheses/);
  filterFails('AND metrics.a > 1', /expected a key.*found 'AND'/);
  filterFails("params.a = 'x' and and params.b = 'y'", /expected a key.*found 'and'/);
  filterFails('metrics.a > 1;', /unexpected character ';' \(at character 14\)$/);
  filterFails("metrics.a > 1; params.b = 'x'", /unexpected character ';'/);
  filterFails('> 1', /expected a key.*found '>'/);
});

test('comparator errors', () => {
  filterFails('metrics.a 1', /expected a comparator \(=, !=.*\) after 'metrics.a', found '1'/);
  filterFails('metrics.a', /expected a comparator.*found 'end of filter'/);
  filterFails("params.model > 'x'", /Invalid comparator '>' for param 'model': not one of '=', '!=', 'LIKE', 'ILIKE' \(at character 14\)$/);
  filterFails("tags.t < 'x'", /Invalid comparator '<' for tag 't'/);
  filterFails('metrics.acc LIKE 1', /Invalid comparator 'LIKE' for metric 'acc': not one of '=', '!=', '>', '>=', '<', '<='/);
  filterFails('metrics.acc IN (1)', /Invalid comparator 'IN' for metric 'acc'/);
  filterFails("tags.t IN ('a')", /Invalid comparator 'IN' for tag 't'/);
  filterFails("params.p NOT IN ('a')", /Invalid comparator 'NOT IN' for param 'p'/);
  filterFails("status > 'x'", /Invalid comparator '>' for attribute 'status'/);
  filterFails("start_time LIKE '1%'", /Invalid comparator 'LIKE' for attribute 'start_time'/);
  filterFails("created IN ('1')", /Invalid comparator 'IN' for attribute 'start_time'/);
  filterFails("datasets.name > 'a'", /Invalid comparator '>' for dataset 'name'/);
  filterFails('metrics.a == 1', /Invalid comparator '=='/);
  filterFails('metrics.a <> 1', /Invalid comparator '<>'/);
  filterFails("params.a NOT LIKE 'x'", /'NOT LIKE'.*no negated LIKE/);
  filterFails("params.a NOT = 'x'", /only NOT IN/);
  filterFails('params.a IS NULL', /no IS NULL \/ IS NOT NULL/);
  filterFails('tags.a IS NOT NULL', /no IS NULL/);
});

test('entity and key errors', () => {
  filterFails("foo.bar = 'x'", /Invalid entity type 'foo' in 'foo.bar'. Valid values are \['metric', 'parameter', 'tag', 'attribute', 'dataset'\]/);
  filterFails('Metrics.acc > 1', /Invalid entity type 'Metrics'/);
  filterFails("attributes.foo = 'x'", /Invalid attribute key 'foo' specified. Valid keys are .*'artifact_uri'.*'run_id'/);
  filterFails("lifecycle_stage = 'active'", /Invalid attribute key 'lifecycle_stage'/);
  filterFails("run_uuid = 'x'", /Invalid attribute key 'run_uuid'/);
  filterFails("RUN_NAME = 'x'", /Invalid attribute key 'RUN_NAME'/);
  filterFails("datasets.source = 'x'", /Invalid dataset key 'source' specified. Valid keys are 'name', 'digest', 'context'/);
  filterFails('metrics. > 1', /Invalid identifier 'metrics.'.*expected a key after '.'/);
  filterFails("params.learning-rate = '0.1'", /unexpected character '-'; a key containing '-' must be quoted.*\(at character 16\)/);
  assert.equal(parseSearchFilter("params.`learning-rate` = '0.1'")[0].key, 'learning-rate');
});

test('value errors', () => {
  filterFails("metrics.acc > 'x'", /Expected numeric value type for metric. Found 'x'/);
  filterFails('metrics.acc > "x"', /Expected numeric value type for metric. Found "x"/);
  filterFails("start_time > 'x'", /Expected numeric value type for numeric attribute: start_time. Found 'x'/);
  filterFails("params.model = cnn", /not quoted or unidentified quote types used for string value cnn. Use either single or double quotes/);
  filterFails('params.model = `cnn`', /not quoted/);
  filterFails('params.lr = 0.1', /Expected a quoted string value for parameter \(e.g. 'my-value'\). Got value 0.1/);
  filterFails('tags.t = 1', /Expected a quoted string value for tag/);
  filterFails('status = 1', /Expected a quoted string value for attributes/);
  filterFails('datasets.name = 1', /Expected a quoted string value for dataset attributes/);
  filterFails('metrics.acc >', /expected a value after '>', found 'end of filter'/);
  filterFails('metrics.acc > AND', /expected a value after '>'/);
  filterFails('metrics.acc > 1abc', /Invalid number '1abc'/);
  filterFails('metrics.acc > 1.2.3', /Invalid number '1.2.3'/);
  filterFails("params.a = 'abc", /unterminated quoted string 'abc \(at character 12\)/);
  filterFails('tags."abc = 1', /unterminated/);
});

test('list errors', () => {
  filterFails("status IN ('a')", /Only the 'run_id' attribute supports comparison with a list/);
  filterFails("run_name NOT IN ('a')", /Only the 'run_id' attribute/);
  filterFails('run_id IN ()', /expected a non-empty list of string values, but got empty list/);
  filterFails('run_id IN (1, 2)', /expected string value, punctuation, or whitespace, but got different type in list: \(1, 2\)/);
  filterFails("run_id IN 'a'", /Expected a parenthesised list of quoted strings after IN/);
  filterFails("run_id = ('a')", /takes a single value, not a list/);
  filterFails("run_id IN ('a',)", /ill-formed list/);
  filterFails("run_id IN ('a' 'b')", /ill-formed list/);
  filterFails("run_id IN ('a'", /ill-formed list: \('a'/);
  filterFails("run_id IN (run_id IN ('a'))", /ill-formed list/);
});

// ---------------------------------------------------------------------------
// order_by

test('order_by entries', () => {
  assert.deepEqual(parseOrderBy('metrics.acc DESC'), { type: 'metric', key: 'acc', ascending: false });
  assert.deepEqual(parseOrderBy('params.lr'), { type: 'param', key: 'lr', ascending: true });
  assert.deepEqual(parseOrderBy('attributes.start_time ASC'), { type: 'attribute', key: 'start_time', ascending: true });
  assert.deepEqual(parseOrderBy('tags.x'), { type: 'tag', key: 'x', ascending: true });
  assert.deepEqual(parseOrderBy('metrics.`f1 score` desc'), { type: 'metric', key: 'f1 score', ascending: false });
  assert.deepEqual(parseOrderBy('metrics."f1 score" DeSc'), { type: 'metric', key: 'f1 score', ascending: false });
  assert.deepEqual(parseOrderBy('created'), { type: 'attribute', key: 'start_time', ascending: true });
  assert.deepEqual(parseOrderBy('Created desc'), { type: 'attribute', key: 'start_time', ascending: false });
  assert.deepEqual(parseOrderBy('  run_name  '), { type: 'attribute', key: 'run_name', ascending: true });
  assert.deepEqual(parseOrderBy('attr.status asc'), { type: 'attribute', key: 'status', ascending: true });
  assert.deepEqual(parseOrderBy('tags.mlflow.runName'), { type: 'tag', key: 'mlflow.runName', ascending: true });
});

test('order_by errors', () => {
  fails(() => parseOrderBy(''), /Invalid order_by clause ''. Could not be parsed./);
  fails(() => parseOrderBy('metrics.acc UP'), /Invalid ordering key in order_by clause 'metrics.acc UP'/);
  fails(() => parseOrderBy('metrics.acc DESC extra'), /Could not be parsed.*at character 18/);
  fails(() => parseOrderBy('metrics.acc,'), /Could not be parsed/);
  fails(() => parseOrderBy("'metrics.acc'"), /Could not be parsed/);
  fails(() => parseOrderBy('foo.bar'), /Invalid entity type 'foo'/);
  fails(() => parseOrderBy('attributes.foo'), /Invalid attribute key 'foo'/);
  fails(() => parseOrderBy('`run name`'), /Invalid attribute key 'run name'/);
  fails(() => parseOrderBy('datasets.name'), /Invalid order_by entity 'datasets.name'/);
  fails(() => parseOrderBy('metrics.'), /expected a key after '.'/);
});

test('order_by lists reject the same field twice, aliases included', () => {
  assert.equal(parseOrderByList(['metrics.a', 'params.a', 'tags.a']).length, 3);
  assert.deepEqual(parseOrderByList(undefined), []);
  fails(() => parseOrderByList(['metrics.a', 'metric.a DESC']), /`order_by` contains duplicate fields: \['metrics.a', 'metric.a DESC'\]/);
  fails(() => parseOrderByList(['created', 'start_time desc']), /duplicate fields/);
});

// ---------------------------------------------------------------------------
// Experiments

test('experiment filters', () => {
  assert.deepEqual(
    parseExperimentFilter("name = 'x' and attribute.name LIKE 'a%' and creation_time > 5 and last_update_time <= 10 and tags.owner = 'me' and tag.`team name` ILIKE '%ML%'"),
    [
      { type: 'attribute', key: 'name', comparator: '=', value: 'x' },
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'a%' },
      { type: 'attribute', key: 'creation_time', comparator: '>', value: 5 },
      { type: 'attribute', key: 'last_update_time', comparator: '<=', value: 10 },
      { type: 'tag', key: 'owner', comparator: '=', value: 'me' },
      { type: 'tag', key: 'team name', comparator: 'ILIKE', value: '%ML%' },
    ],
  );
  assert.deepEqual(parseExperimentFilter(''), []);
});

test('experiment filter errors', () => {
  const f = (filter: string, re: RegExp): SearchFilterError => fails(() => parseExperimentFilter(filter), re);
  f("attributes.name = 'x'", /Invalid entity type 'attributes' in 'attributes.name'. Valid entity types are \('attribute', 'tag', 'tags'\)/);
  f('metrics.a > 1', /Invalid entity type 'metrics'/);
  f("status = 'x'", /Invalid attribute key 'status' specified. Valid keys are 'creation_time', 'last_update_time', 'name'/);
  f("experiment_id = '1'", /Invalid attribute key 'experiment_id'/);
  f("name IN ('a')", /Invalid comparator 'IN' for attribute 'name'/);
  f("name > 'a'", /Invalid comparator '>' for attribute 'name'/);
  f("creation_time = 'x'", /Expected numeric value type for numeric attribute: creation_time/);
  f("creation_time LIKE '1%'", /Invalid comparator 'LIKE' for attribute 'creation_time'/);
  f("tags.x > 'a'", /Invalid comparator '>' for tag 'x'/);
  f("name = 'a' OR name = 'b'", /no OR/);
});

test('experiment order_by', () => {
  assert.deepEqual(parseExperimentOrderBy('name'), { type: 'attribute', key: 'name', ascending: true });
  assert.deepEqual(parseExperimentOrderBy('experiment_id DESC'), { type: 'attribute', key: 'experiment_id', ascending: false });
  assert.deepEqual(parseExperimentOrderBy('attribute.creation_time asc'), { type: 'attribute', key: 'creation_time', ascending: true });
  fails(() => parseExperimentOrderBy('tags.x'), /Invalid order_by entity: tag/);
  fails(() => parseExperimentOrderBy('foo'), /Invalid attribute key 'foo'/);
  fails(() => parseExperimentOrderBy('name sideways'), /Invalid ordering key/);
});
