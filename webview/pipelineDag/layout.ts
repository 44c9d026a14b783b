// Where the DAG panel puts each step: a layered drawing, left to right (a
// pipeline reads as a flow, and panels are wider than tall). Pure and
// deterministic (same steps, same picture), so a refresh never reshuffles the
// graph under the user's eyes, and tests can check it without a DOM.
//
// - layer: the longest path from a root, so every edge points right;
// - order within a layer: barycenter sweeps that keep the ordering with the
//   fewest crossings; an edge that skips layers gets a virtual point in each
//   layer it crosses, so it takes part in the ordering and is routed around boxes;
// - vertical position: each box pulled toward its neighbours (least squares,
//   keeping the order and the gaps), so a chain is straight and a diamond symmetric.

export interface LayoutStep {
  name: string;
  needs: readonly string[];
}

export interface LayoutSizes {
  nodeWidth: number;
  nodeHeight: number;
  /** Horizontal room between two layers, where the edges curve. */
  layerGap: number;
  /** Vertical room between two boxes of a layer. */
  nodeGap: number;
  /** Vertical room next to an edge that passes through a layer. */
  edgeGap: number;
  margin: number;
}

export const DEFAULT_SIZES: LayoutSizes = { nodeWidth: 184, nodeHeight: 52, layerGap: 72, nodeGap: 22, edgeGap: 12, margin: 24 };

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  name: string;
  /** Position in the input (file order). */
  index: number;
  layer: number;
  /** Position within its layer, top first, counting boxes only. */
  order: number;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** From the source's right side, through the layers it crosses, to the target's left side. */
  points: Point[];
  /** An SVG path through the points, curved between layers. */
  path: string;
}

export interface DagLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /** Step names per layer, top to bottom (keyboard navigation follows it). */
  layers: string[][];
  width: number;
  height: number;
}

/** A box of a layer, or an edge passing through it. */
interface Item {
  node: number; // step index, or -1 for an edge passing through
  edge: number; // edge index for a passing edge, else -1
  layer: number;
  up: number[]; // items in the layer before that connect to this one
  down: number[];
  pos: number; // index within its layer
  y: number; // centre
}

const SWEEPS = 8;
const PLACEMENT_PASSES = 6;

export function layoutDag(steps: readonly LayoutStep[], sizes: LayoutSizes = DEFAULT_SIZES): DagLayout {
  const n = steps.length;
  const indexOf = new Map<string, number>();
  steps.forEach((s, i) => {
    if (!indexOf.has(s.name)) indexOf.set(s.name, i);
  });
  const edges = uniqueEdges(steps, indexOf);
  const layerOf = assignLayers(n, edges);
  const { items, layers } = buildItems(n, edges, layerOf);
  orderLayers(items, layers);
  placeVertically(items, layers, sizes);

  const top = Math.min(...items.map((it) => it.y - heightOf(it, sizes) / 2), 0);
  const shift = sizes.margin - top;
  for (const it of items) it.y += shift;
  const columnX = (layer: number) => sizes.margin + layer * (sizes.nodeWidth + sizes.layerGap);

  const nodeItem: Item[] = [];
  for (const it of items) if (it.node >= 0) nodeItem[it.node] = it;
  const nodes: PlacedNode[] = steps.map((s, i) => {
    const it = nodeItem[i];
    return { name: s.name, index: i, layer: it.layer, order: 0, x: columnX(it.layer), y: it.y - sizes.nodeHeight / 2, width: sizes.nodeWidth, height: sizes.nodeHeight };
  });
  const layerNames = layers.map((layer) =>
    layer.filter((id) => items[id].node >= 0).map((id, order) => {
      nodes[items[id].node].order = order;
      return steps[items[id].node].name;
    }),
  );

  const centre = (node: number) => nodes[node].y + sizes.nodeHeight / 2;
  // Each end's neighbour height: the next point on the edge, a passing point or the box at the other end.
  const ports = edgePorts(
    edges,
    centre,
    (e) => (e.through.length ? items[e.through[0]].y : centre(e.to)),
    (e) => (e.through.length ? items[e.through[e.through.length - 1]].y : centre(e.from)),
    sizes,
  );
  const placedEdges: PlacedEdge[] = edges.map((e, k) => {
    const points: Point[] = [{ x: nodes[e.from].x + sizes.nodeWidth, y: ports.out[k] }];
    for (const id of e.through) points.push({ x: columnX(items[id].layer), y: items[id].y }, { x: columnX(items[id].layer) + sizes.nodeWidth, y: items[id].y });
    points.push({ x: nodes[e.to].x, y: ports.in[k] });
    return { from: steps[e.from].name, to: steps[e.to].name, points, path: curvedPath(points) };
  });

  const width = n === 0 ? 0 : Math.max(...nodes.map((p) => p.x + p.width)) + sizes.margin;
  const height = n === 0 ? 0 : Math.max(...items.map((it) => it.y + heightOf(it, sizes) / 2)) + sizes.margin;
  return { nodes, edges: placedEdges, layers: layerNames, width, height };
}

interface Edge {
  from: number;
  to: number;
  /** Items of the layers it passes through. */
  through: number[];
}

/** One edge per (need, step); unknown names and self-loops are the file check's business, not the drawing's. */
function uniqueEdges(steps: readonly LayoutStep[], indexOf: Map<string, number>): Edge[] {
  const seen = new Set<string>();
  const edges: Edge[] = [];
  steps.forEach((s, to) => {
    for (const need of s.needs) {
      const from = indexOf.get(need);
      if (from === undefined || from === to || seen.has(`${from}>${to}`)) continue;
      seen.add(`${from}>${to}`);
      edges.push({ from, to, through: [] });
    }
  });
  return edges;
}

/** Longest path from a root (Kahn's order). A cycle (a broken file) is cut at its first step in file order. */
function assignLayers(n: number, edges: readonly Edge[]): number[] {
  const preds: number[][] = Array.from({ length: n }, () => []);
  const succs: number[][] = Array.from({ length: n }, () => []);
  for (const e of edges) {
    preds[e.to].push(e.from);
    succs[e.from].push(e.to);
  }
  const layer = new Array<number>(n).fill(0);
  const remaining = preds.map((p) => p.length);
  const done = new Array<boolean>(n).fill(false);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (remaining[i] === 0) queue.push(i);
  let processed = 0;
  let next = 0;
  while (processed < n) {
    if (queue.length === 0) {
      // Only a cycle is left: take its first step as if its needs were met.
      while (done[next]) next++;
      queue.push(next);
      remaining[next] = 0;
    }
    const i = queue.shift()!;
    if (done[i]) continue;
    done[i] = true;
    processed++;
    for (const p of preds[i]) if (done[p]) layer[i] = Math.max(layer[i], layer[p] + 1);
    for (const s of succs[i]) if (!done[s] && --remaining[s] === 0) queue.push(s);
  }
  return layer;
}

function buildItems(n: number, edges: Edge[], layerOf: readonly number[]): { items: Item[]; layers: number[][] } {
  const items: Item[] = [];
  const depth = n === 0 ? 0 : Math.max(...layerOf) + 1;
  const layers: number[][] = Array.from({ length: depth }, () => []);
  const add = (node: number, edge: number, layer: number) => {
    const id = items.length;
    items.push({ node, edge, layer, up: [], down: [], pos: layers[layer].length, y: 0 });
    layers[layer].push(id);
    return id;
  };
  // File order first: the starting order before the sweeps, and their tie-breaker.
  const nodeItem = Array.from({ length: n }, (_, i) => add(i, -1, layerOf[i]));
  const link = (a: number, b: number) => {
    items[a].down.push(b);
    items[b].up.push(a);
  };
  edges.forEach((e, k) => {
    const from = layerOf[e.from];
    const to = layerOf[e.to];
    if (to <= from) return; // a cut cycle's back edge: drawn, not laid out
    let prev = nodeItem[e.from];
    for (let l = from + 1; l < to; l++) {
      const id = add(-1, k, l);
      e.through.push(id);
      link(prev, id);
      prev = id;
    }
    link(prev, nodeItem[e.to]);
  });
  return { items, layers };
}

/** Barycenter sweeps down and up; the ordering with the fewest crossings seen wins. */
function orderLayers(items: Item[], layers: number[][]): void {
  const renumber = (layer: number[]) => layer.forEach((id, p) => (items[id].pos = p));
  // A first down sweep from file order, so passing edges start beside their source.
  for (let l = 1; l < layers.length; l++) sortByBarycenter(items, layers[l], 'up'), renumber(layers[l]);
  let best = layers.map((l) => [...l]);
  let bestCrossings = totalCrossings(items, layers);
  for (let sweep = 0; sweep < SWEEPS && bestCrossings > 0; sweep++) {
    if (sweep % 2 === 0) for (let l = layers.length - 2; l >= 0; l--) sortByBarycenter(items, layers[l], 'down'), renumber(layers[l]);
    else for (let l = 1; l < layers.length; l++) sortByBarycenter(items, layers[l], 'up'), renumber(layers[l]);
    const crossings = totalCrossings(items, layers);
    if (crossings < bestCrossings) {
      bestCrossings = crossings;
      best = layers.map((l) => [...l]);
    }
  }
  best.forEach((l, i) => {
    layers[i] = l;
    renumber(l);
  });
}

function sortByBarycenter(items: Item[], layer: number[], side: 'up' | 'down'): void {
  const key = new Map<number, number>();
  for (const id of layer) {
    const nb = items[id][side];
    key.set(id, nb.length === 0 ? items[id].pos : nb.reduce((s, o) => s + items[o].pos, 0) / nb.length);
  }
  // Ties keep the current order (stable): deterministic, and no needless swaps.
  layer.sort((a, b) => key.get(a)! - key.get(b)! || items[a].pos - items[b].pos);
}

function totalCrossings(items: Item[], layers: number[][]): number {
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const pairs: [number, number][] = [];
    for (const id of layers[l]) for (const d of items[id].down) pairs.push([items[id].pos, items[d].pos]);
    total += inversions(pairs, layers[l + 1].length);
  }
  return total;
}

/** Pairs (a, b) and (c, d) with a < c and b > d: crossing edges. A Fenwick tree over the lower positions. */
function inversions(pairs: [number, number][], size: number): number {
  pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const tree = new Array<number>(size + 1).fill(0);
  let count = 0;
  let seen = 0;
  for (const [, b] of pairs) {
    let atMost = 0;
    for (let i = b + 1; i > 0; i -= i & -i) atMost += tree[i];
    count += seen - atMost;
    for (let i = b + 1; i <= size; i += i & -i) tree[i]++;
    seen++;
  }
  return count;
}

function heightOf(it: Item, sizes: LayoutSizes): number {
  return it.node >= 0 ? sizes.nodeHeight : 0;
}

function gapBetween(a: Item, b: Item, sizes: LayoutSizes): number {
  const room = a.node >= 0 && b.node >= 0 ? sizes.nodeGap : sizes.edgeGap;
  return (heightOf(a, sizes) + heightOf(b, sizes)) / 2 + room;
}

/** Centres: stacked and centred first, then each layer pulled toward its neighbours a few times. */
function placeVertically(items: Item[], layers: number[][], sizes: LayoutSizes): void {
  const stacked = layers.map((layer) => {
    let y = 0;
    return layer.map((id, p) => (p === 0 ? 0 : (y += gapBetween(items[layer[p - 1]], items[id], sizes))));
  });
  const tallest = Math.max(0, ...stacked.map((ys) => ys[ys.length - 1] ?? 0));
  layers.forEach((layer, l) => {
    const offset = (tallest - (stacked[l][stacked[l].length - 1] ?? 0)) / 2;
    layer.forEach((id, p) => (items[id].y = stacked[l][p] + offset));
  });
  for (let pass = 0; pass < PLACEMENT_PASSES; pass++) {
    const sides: ('up' | 'down')[] = pass === PLACEMENT_PASSES - 1 ? ['up', 'down'] : [pass % 2 === 0 ? 'up' : 'down'];
    const order = pass % 2 === 0 ? layers : [...layers].reverse();
    for (const layer of order) {
      const wanted = layer.map((id) => {
        const nb = sides.flatMap((s) => items[id][s]);
        return nb.length === 0 ? items[id].y : nb.reduce((s, o) => s + items[o].y, 0) / nb.length;
      });
      const placed = closestInOrder(wanted, layer.map((id, p) => (p === 0 ? 0 : gapBetween(items[layer[p - 1]], items[id], sizes))));
      layer.forEach((id, p) => (items[id].y = placed[p]));
    }
  }
}

/**
 * The positions nearest (least squares) to `wanted` that keep the order and at
 * least `gaps[i]` between item i-1 and i: pool-adjacent-violators on the
 * positions less their cumulative gaps.
 */
export function closestInOrder(wanted: readonly number[], gaps: readonly number[]): number[] {
  const offsets: number[] = [];
  let acc = 0;
  wanted.forEach((_, i) => offsets.push((acc += i === 0 ? 0 : gaps[i])));
  const blocks: { sum: number; count: number }[] = [];
  for (let i = 0; i < wanted.length; i++) {
    blocks.push({ sum: wanted[i] - offsets[i], count: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.count <= b.sum / b.count) break;
      blocks.pop();
      a.sum += b.sum;
      a.count += b.count;
    }
  }
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.count; k++) out.push(b.sum / b.count + offsets[out.length]);
  return out;
}

/** Where each edge leaves and enters its boxes: spread along the side in the order of the other ends, so arrows do not pile up. */
function edgePorts(
  edges: readonly Edge[],
  centre: (node: number) => number,
  nextY: (e: Edge) => number,
  prevY: (e: Edge) => number,
  sizes: LayoutSizes,
): { out: number[]; in: number[] } {
  const spread = (end: 'from' | 'to', otherY: (e: Edge) => number) => {
    const into = new Array<number>(edges.length);
    const byNode = new Map<number, number[]>();
    edges.forEach((e, k) => {
      const list = byNode.get(e[end]);
      if (list) list.push(k);
      else byNode.set(e[end], [k]);
    });
    for (const [node, ks] of byNode) {
      ks.sort((a, b) => otherY(edges[a]) - otherY(edges[b]) || a - b);
      const step = ks.length > 1 ? Math.min(8, (sizes.nodeHeight - 20) / (ks.length - 1)) : 0;
      ks.forEach((k, i) => (into[k] = centre(node) + (i - (ks.length - 1) / 2) * step));
    }
    return into;
  };
  return { out: spread('from', nextY), in: spread('to', prevY) };
}

/** Straight through a layer an edge passes, an S-curve with horizontal tangents between layers. */
export function curvedPath(points: readonly Point[]): string {
  const r = (v: number) => Math.round(v * 10) / 10;
  let d = `M${r(points[0].x)},${r(points[0].y)}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (Math.abs(a.y - b.y) < 0.5 || b.x <= a.x) d += ` L${r(b.x)},${r(b.y)}`;
    else {
      const dx = (b.x - a.x) / 2;
      d += ` C${r(a.x + dx)},${r(a.y)} ${r(b.x - dx)},${r(b.y)} ${r(b.x)},${r(b.y)}`;
    }
  }
  return d;
}
