import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliasMoveMessage, aliasMovesBetween, aliasSnapshot } from '../src/extension/models/aliasMoves';
import type { ModelSummary } from '../src/protocol/native';

// Which alias moves the editor announces: those a pipeline recorded on the
// version, for this very move (not an older record on the same version).

const model = (aliases: Record<string, string>, moves: Record<string, Record<string, { from: string; at: number; by: string }>> = {}): ModelSummary =>
  ({
    name: 'churn',
    aliases,
    versions: ['1', '2', '3'].map((version) => ({ version, aliasMoves: moves[version] ?? {} })),
  }) as unknown as ModelSummary;

test('an alias a pipeline moved back is a move with who moved it; one moved by hand, or a new alias, is not announced as a pipeline\'s', () => {
  const before = aliasSnapshot([model({ challenger: '2', champion: '1' })]);
  const by = 'pipeline churn (run abc)';
  const back = aliasMovesBetween(before, [model({ challenger: '1', champion: '1', staging: '3' }, { 1: { challenger: { from: '2', at: 5000, by } } })], 4000);
  assert.deepEqual(back, [{ model: 'churn', alias: 'challenger', from: '2', to: '1', by }]);
  assert.equal(aliasMoveMessage(back[0]), 'churn @challenger moved from v2 to v1, by pipeline churn (run abc)');
  // By hand: no record on the version.
  assert.deepEqual(aliasMovesBetween(before, [model({ challenger: '3', champion: '1' })], 4000), [{ model: 'churn', alias: 'challenger', from: '2', to: '3', by: null }]);
  // A record of an earlier move to the same version (older than the last look, or from elsewhere) is not this move's.
  assert.equal(aliasMovesBetween(before, [model({ challenger: '1', champion: '1' }, { 1: { challenger: { from: '2', at: 1000, by } } })], 4000)[0].by, null);
  assert.equal(aliasMovesBetween(before, [model({ challenger: '1', champion: '1' }, { 1: { challenger: { from: '3', at: 5000, by } } })], 4000)[0].by, null);
  // A model not seen before has nothing that moved.
  assert.deepEqual(aliasMovesBetween(new Map(), [model({ challenger: '1' })], 0), []);
});
