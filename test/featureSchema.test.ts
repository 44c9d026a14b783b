import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FeatureSchemaError,
  featureSchemaFromCli,
  featureSchemaFromColumns,
  featureSchemaFromCsv,
  parseCsvRows,
  type FeatureSchema,
} from '../src/core/registry/featureSchema';
import type { OnnxSignature } from '../src/core/registry/onnxSignature';
import { featureSchema, onnxSignature, type FeatureSchema as WireFeatureSchema, type OnnxSignature as WireOnnxSignature } from '../src/protocol/modelSchema';

// The protocol's zod types and core's types must stay the same shape (core does not
// import the protocol, so this test is where the two meet). Fails to compile otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const featuresMatch: Same<FeatureSchema, WireFeatureSchema> = true;
const signaturesMatch: Same<OnnxSignature, WireOnnxSignature> = true;
void featuresMatch;
void signaturesMatch;

const width4 = { name: 'float_input', elementType: 'float32', shape: ['N', 4] };
const anyWidth = { name: 'float_input', elementType: 'float32', shape: ['N', 'features'] };

function fails(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof FeatureSchemaError && message.test(e.message));
}

const names = (s: FeatureSchema) => s.features.map((f) => `${f.index}:${f.name}${f.categorical ? ':cat' : ''}`);

test('from a CLI string: names in order, :categorical marks categories', () => {
  const s = featureSchemaFromCli('age, income ,city:categorical,visits', width4);
  assert.equal(s.input, 'float_input');
  assert.deepEqual(names(s), ['0:age', '1:income', '2:city:cat', '3:visits']);
  assert.deepEqual(names(featureSchemaFromCli('a:cat,b:numeric,c:num,d', width4)), ['0:a:cat', '1:b', '2:c', '3:d']);
});

test('from a CLI string: a count that does not match the tensor width says both numbers', () => {
  fails(() => featureSchemaFromCli('a,b,c', width4), /names 3 features but float_input has 4 columns \(shape \[N, 4\]\)/);
  fails(() => featureSchemaFromCli('a,b,c,d,e', width4), /names 5 features but float_input has 4 columns/);
});

test('from a CLI string: empty, repeated and mistyped entries are refused', () => {
  fails(() => featureSchemaFromCli('a,,c,d', width4), /empty feature name/);
  fails(() => featureSchemaFromCli('a,b,a,d', width4), /"a" twice/);
  fails(() => featureSchemaFromCli('a,b,c:categorial,d', width4), /unknown kind "categorial"/);
  fails(() => featureSchemaFromCli('a,b,c:cat:x,d', width4), /use name or name:categorical/);
});

test('a symbolic width cannot be checked, so any count is accepted; a non-matrix input is refused', () => {
  assert.equal(featureSchemaFromCli('a,b', anyWidth).features.length, 2);
  fails(() => featureSchemaFromCli('a', { name: 'image', elementType: 'float32', shape: ['N', 3, 224, 224] }), /two-dimensional input .* image has shape \[N, 3, 224, 224\]/);
});

test('from an MLmodel column signature: string and boolean columns are categorical', () => {
  const columns = [
    { name: 'age', mlflowType: 'double' },
    { name: 'city', mlflowType: 'string' },
    { name: 'member', mlflowType: 'boolean' },
    { name: 'visits', mlflowType: 'long' },
  ];
  assert.deepEqual(names(featureSchemaFromColumns(columns, width4)), ['0:age', '1:city:cat', '2:member:cat', '3:visits']);
  fails(() => featureSchemaFromColumns(columns.slice(1), width4), /MLmodel signature names 3 features but float_input has 4 columns/);
  fails(() => featureSchemaFromColumns([{ mlflowType: 'double' }, ...columns.slice(1)], width4), /column 1 has no name/);
});

test('from a CSV header: numeric vs categorical guessed from the first rows', () => {
  const csv = 'age,income,city,member\n41,52000.5,Lyon,true\n,1e4,"Paris, FR",false\nNA,-3,Nice,true\n';
  assert.deepEqual(names(featureSchemaFromCsv(csv, width4)), ['0:age', '1:income', '2:city:cat', '3:member:cat']);
});

test('from a CSV header: the target is excluded by name; forgetting it gives a hint', () => {
  const csv = 'age,income,city,member,churned\n41,52000,Lyon,1,0\n';
  assert.deepEqual(names(featureSchemaFromCsv(csv, width4, { exclude: ['churned'] })), ['0:age', '1:income', '2:city:cat', '3:member']);
  fails(() => featureSchemaFromCsv(csv, width4), /names 5 features but float_input has 4 columns.*if one of them is the target \(e\.g\. "churned"\), exclude it/);
  fails(() => featureSchemaFromCsv(csv, width4, { exclude: ['label'] }), /no column "label" to exclude/);
});

test('from a CSV header: only the sampled rows decide, and an empty file is refused', () => {
  const csv = 'a,b,c,d\n' + '1,2,3,4\n'.repeat(5) + 'x,2,3,4\n';
  assert.deepEqual(names(featureSchemaFromCsv(csv, width4, { sampleRows: 5 })), ['0:a', '1:b', '2:c', '3:d']);
  assert.deepEqual(names(featureSchemaFromCsv(csv, width4)), ['0:a:cat', '1:b', '2:c', '3:d']);
  fails(() => featureSchemaFromCsv('', width4), /CSV file is empty/);
  fails(() => featureSchemaFromCsv('\n1,2\n', width4), /CSV file is empty/);
});

test('CSV rows: quotes, doubled quotes, newlines inside quotes, CRLF and a BOM', () => {
  assert.deepEqual(parseCsvRows('\ufeffa,"b ""q""","c\nd"\r\n1,2,3', 10), [
    ['a', 'b "q"', 'c\nd'],
    ['1', '2', '3'],
  ]);
  assert.deepEqual(parseCsvRows('a,b\n1,2\n3,4\n', 2), [['a', 'b'], ['1', '2']]);
});

test('the protocol schema accepts what core builds and refuses shifted or repeated columns', () => {
  const s = featureSchemaFromCli('age,city:categorical,x,y', width4);
  assert.deepEqual(featureSchema.parse(s), s);
  const shifted = { ...s, features: s.features.map((f, i) => (i === 2 ? { ...f, index: 5 } : f)) };
  assert.match(featureSchema.safeParse(shifted).error?.issues[0].message ?? '', /"x" has index 5, expected 2/);
  const repeated = { ...s, features: s.features.map((f, i) => (i === 3 ? { ...f, name: 'age' } : f)) };
  assert.match(featureSchema.safeParse(repeated).error?.issues[0].message ?? '', /"age" is named twice/);
  assert.equal(featureSchema.safeParse({ input: 'x', features: [] }).success, false);
  assert.equal(onnxSignature.safeParse({ inputs: [width4], outputs: [{ name: 'p', elementType: 'float32', shape: ['N', null, 1] }], opset: 13 }).success, true);
});
