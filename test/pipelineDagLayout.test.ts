// The DAG panel's layout (webview/pipelineDag/layout.ts), without a DOM: what a
// user would notice in the drawing: steps after what they need, no box over
// another, the same picture on every refresh, and big pipelines laid out at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestInOrder, DEFAULT_SIZES, layoutDag, type DagLayout, type LayoutStep } from '../webview/pipelineDag/layout';

const step = (name: string, ...needs: string[]): LayoutStep => ({ name, needs });

function node(layout: DagLayout, name: string) {
  const n = layout.nodes.find((x) => x.name === name);
  assert.ok(n, `node ${name}`);
  return n;
}

function assertNoOverlap(layout: DagLayout): void {
  const boxes = layout.nodes;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.name} and ${b.name} overlap: ${JSON.stringify([a, b])}`);
    }
  }
}

/** A 100-step pipeline: 10 stages of 10 steps, each needing two or three steps of earlier stages. */
function bigPipeline(stages = 10, width = 10): LayoutStep[] {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const steps: LayoutStep[] = [];
  for (let s = 0; s < stages; s++) {
    for (let w = 0; w < width; w++) {
      const needs = s === 0 ? [] : Array.from({ length: 2 + (w % 2) }, () => `s${Math.floor(random() * s)}_${Math.floor(random() * width)}`);
      steps.push(step(`s${s}_${w}`, ...needs));
    }
  }
  return steps;
}

test('a step is one layer right of the furthest step it needs (the longest path from a root)', () => {
  const layout = layoutDag([step('prepare'), step('features', 'prepare'), step('train', 'features'), step('baseline', 'prepare'), step('evaluate', 'train', 'baseline'), step('lint')]);
  const layer = (n: string) => node(layout, n).layer;
  assert.equal(layer('prepare'), 0);
  assert.equal(layer('lint'), 0, 'a step that needs nothing starts at the left');
  assert.equal(layer('features'), 1);
  assert.equal(layer('baseline'), 1);
  assert.equal(layer('train'), 2);
  assert.equal(layer('evaluate'), 3, 'after train, not right after baseline');
  for (const e of layout.edges) assert.ok(node(layout, e.from).x + DEFAULT_SIZES.nodeWidth <= node(layout, e.to).x, `${e.from} → ${e.to} points right`);
  assert.equal(layout.edges.length, 5);
  assert.deepEqual(layout.layers[0], ['prepare', 'lint'].sort((a, b) => node(layout, a).y - node(layout, b).y));
});

test('a diamond is drawn symmetric: the join level with the split, the branches above and below', () => {
  const layout = layoutDag([step('prepare'), step('train_a', 'prepare'), step('train_b', 'prepare'), step('evaluate', 'train_a', 'train_b'), step('register', 'evaluate')]);
  const centre = (n: string) => node(layout, n).y + node(layout, n).height / 2;
  assert.ok(Math.abs(centre('prepare') - centre('evaluate')) < 1, 'split and join on one line');
  assert.ok(Math.abs(centre('evaluate') - centre('register')) < 1, 'a chain is straight');
  assert.ok(centre('train_a') < centre('prepare') && centre('train_b') > centre('prepare'), 'branches either side, in file order');
  assertNoOverlap(layout);
  // Edges start at their source's right side and end at their target's left side, with an arrow's room.
  for (const e of layout.edges) {
    const from = node(layout, e.from);
    const to = node(layout, e.to);
    const first = e.points[0];
    const last = e.points[e.points.length - 1];
    assert.equal(first.x, from.x + from.width);
    assert.ok(first.y > from.y && first.y < from.y + from.height);
    assert.equal(last.x, to.x);
    assert.ok(last.y > to.y && last.y < to.y + to.height);
    assert.match(e.path, /^M[\d.]+,[\d.]+( [LC][\d., ]+)+$/);
  }
});

test('an edge that skips layers passes through them beside the boxes, not over them', () => {
  const layout = layoutDag([step('a'), step('b', 'a'), step('c', 'b'), step('d', 'c', 'a')]);
  const skip = layout.edges.find((e) => e.from === 'a' && e.to === 'd')!;
  assert.equal(skip.points.length, 2 + 2 * 2, 'two points in each of the two layers it crosses');
  for (const p of skip.points.slice(1, -1)) {
    for (const n of layout.nodes) {
      const inside = p.x >= n.x && p.x <= n.x + n.width && p.y >= n.y && p.y <= n.y + n.height;
      assert.ok(!inside, `the a → d edge passes over ${n.name} at ${JSON.stringify(p)}`);
    }
  }
});

test('crossings are reduced: two chains that swap partners are untangled', () => {
  // File order invites a crossing: x1 needs b, x2 needs a.
  const layout = layoutDag([step('a'), step('b'), step('x1', 'b'), step('x2', 'a'), step('y1', 'x1'), step('y2', 'x2')]);
  const y = (n: string) => node(layout, n).y;
  assert.equal(Math.sign(y('a') - y('b')), Math.sign(y('x2') - y('x1')), 'a and its dependent x2 on the same side');
  assert.equal(Math.sign(y('x1') - y('x2')), Math.sign(y('y1') - y('y2')));
});

test('the same steps give the same layout, whatever else changed (deterministic)', () => {
  const steps = bigPipeline();
  const a = layoutDag(steps);
  const b = layoutDag(steps.map((s) => ({ ...s, needs: [...s.needs] })));
  assert.deepEqual(a, b);
});

test('a 100-step pipeline is laid out quickly (under 200 ms), with no overlapping boxes', () => {
  const steps = bigPipeline();
  layoutDag(steps); // warm up the JIT
  const t0 = performance.now();
  const layout = layoutDag(steps);
  const ms = performance.now() - t0;
  assert.equal(layout.nodes.length, 100);
  assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
  assertNoOverlap(layout);
  assert.equal(layout.layers.flat().length, 100);
  const t1 = performance.now();
  const huge = layoutDag(bigPipeline(25, 20));
  assert.equal(huge.nodes.length, 500);
  assert.ok(performance.now() - t1 < 2000, '500 steps stay usable');
});

test('broken input still draws: unknown needs and duplicate needs are ignored, a cycle is cut, no steps is empty', () => {
  const layout = layoutDag([step('a', 'ghost', 'c'), step('b', 'a', 'a'), step('c', 'b')]);
  assert.equal(layout.nodes.length, 3);
  assert.equal(layout.edges.length, 3, 'c → a, a → b, b → c; ghost left out, the duplicate once');
  assertNoOverlap(layout);
  const empty = layoutDag([]);
  assert.deepEqual(empty, { nodes: [], edges: [], layers: [], width: 0, height: 0 });
});

test('closestInOrder keeps the order and gaps, and moves items as little as it can', () => {
  assert.deepEqual(closestInOrder([0, 100, 200], [0, 10, 10]), [0, 100, 200], 'already fine: untouched');
  assert.deepEqual(closestInOrder([50, 50], [0, 20]), [40, 60], 'two wanting one spot share it');
  assert.deepEqual(closestInOrder([10, 0, 100], [0, 10, 10]), [0, 10, 100]);
});
