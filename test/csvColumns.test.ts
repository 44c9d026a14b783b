import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsvColumns } from '../src/core/monitoring/csvColumns';
import type { CodedColumn } from '../src/core/monitoring/driftTypes';

// The reference/window CSV reader: numbers exactly as JavaScript parses them,
// categories as codes, pandas' missing markers, quotes and line endings.

const parse = (text: string, types?: Record<string, 'numerical' | 'categorical'>) => parseCsvColumns(Buffer.from(text), { types });
const categories = (c: unknown) => {
  const col = c as CodedColumn;
  return Array.from(col.codes, (k) => (k < 0 ? null : col.categories[k]));
};

test('numbers parse exactly as Number() does, on the fast path and off it', () => {
  const values = ['0', '-0.5', '3.14159', '1e-7', '2.5E+3', '123456789012345', '1234567890123456789', '0.1000000000000000055511151231257827', '-1.7976931348623157e308', '5e-324', '007.250', '+4'];
  const { columns, types } = parseCsvColumns(Buffer.from(`x\n${values.join('\n')}\n`));
  assert.equal(types.x, 'numerical');
  assert.deepEqual(Array.from(columns.x as Float64Array), values.map(Number));
});

test('categories become codes; pandas missing markers, empty fields and short rows are missing', () => {
  const { columns, types, rows } = parse('plan,age,city\r\npro,31,"New York, NY"\r\nbasic,NA,"say ""hi"""\r\n,nan\r\npro,,Paris\r\n\r\n');
  assert.equal(rows, 4);
  assert.deepEqual(types, { plan: 'categorical', age: 'numerical', city: 'categorical' });
  assert.deepEqual(categories(columns.plan), ['pro', 'basic', null, 'pro']);
  assert.deepEqual(Array.from(columns.age as Float64Array), [31, NaN, NaN, NaN]);
  assert.deepEqual(categories(columns.city), ['New York, NY', 'say "hi"', null, 'Paris']);
});

test('a column guessed numerical that later holds text is read as categories; one declared numerical names the row', () => {
  const lines = ['code', ...Array.from({ length: 1500 }, (_, i) => String(i % 7)), 'A7'];
  const { columns, types } = parse(lines.join('\n'));
  assert.equal(types.code, 'categorical');
  assert.equal(categories(columns.code)[1500], 'A7');
  assert.throws(() => parse(lines.join('\n'), { code: 'numerical' }), /row 1501, column 'code': 'A7' is not a number/);
  assert.equal(parse('z\n1\n2', { z: 'categorical' }).types.z, 'categorical');
});
