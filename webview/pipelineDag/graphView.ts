// The graph itself: laid-out boxes and curved edges in one SVG, a tooltip on
// hover, selection by click or keyboard (a listbox of steps: arrows follow the
// edges, Enter opens), and pan/zoom. It knows nothing of the host: the panel
// hears selections and activations through the handlers.
import type { PipelineStepStatus } from '../../src/protocol/pipelineApi';
import type { PipelineDagReport } from '../../src/protocol/pipelineDagMessages';
import { h } from '../shared/uiKit';
import { layoutDag, type DagLayout, type PlacedNode } from './layout';
import { drawNode, fitNode, type DrawnNode } from './nodeShape';
import { PanZoom } from './panZoom';
import { durationText, tooltipLines } from './stepStatus';
import { s } from './svg';

export interface GraphHandlers {
  onSelect(step: string | null): void;
  /** Double-click or Enter on a step. */
  onActivate(step: string): void;
}

type ReportedNode = PipelineDagReport['nodes'][number];

export class DagGraph {
  readonly element: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly edgeLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;
  private readonly tooltip: HTMLElement;
  private readonly panZoom: PanZoom;
  private layout?: DagLayout;
  private layoutKey = '';
  private steps = new Map<string, PipelineStepStatus>();
  private placed = new Map<string, PlacedNode>();
  private drawn = new Map<string, DrawnNode>();
  private edgeEls: { from: string; to: string; el: SVGPathElement }[] = [];
  private selectedStep: string | null = null;
  private fitted = false;
  private hoverTimer?: number;

  constructor(private readonly handlers: GraphHandlers) {
    const world = s('g', { class: 'dag-world' });
    this.edgeLayer = s('g', { class: 'dag-edges' });
    this.nodeLayer = s('g', { class: 'dag-nodes' });
    world.append(this.edgeLayer, this.nodeLayer);
    this.svg = s('svg', { class: 'dag-svg', 'aria-hidden': 'false' }, arrowDefs(), world);
    this.tooltip = h('div', { class: 'dag-tooltip', role: 'tooltip', id: 'dag-tooltip' });
    this.tooltip.hidden = true;
    this.element = h('div', { class: 'dag-viewport', tabindex: '0', role: 'listbox', 'aria-label': 'Steps of the pipeline: arrow keys move along the edges, Enter opens the step\'s run' });
    this.element.append(this.svg, this.tooltip);
    this.panZoom = new PanZoom(this.element, world, () => this.select(null));
    this.nodeLayer.addEventListener('click', (e) => {
      const step = stepOf(e.target);
      if (!step) return;
      this.element.focus({ preventScroll: true });
      this.select(step);
    });
    this.nodeLayer.addEventListener('dblclick', (e) => {
      const step = stepOf(e.target);
      if (step) this.handlers.onActivate(step);
    });
    this.nodeLayer.addEventListener('pointerover', (e) => this.hover(stepOf(e.target), e));
    this.nodeLayer.addEventListener('pointermove', (e) => this.placeTooltip(e));
    this.nodeLayer.addEventListener('pointerout', (e) => {
      if (!stepOf(e.relatedTarget)) this.hover(null, e);
    });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
  }

  get selected(): string | null {
    return this.selectedStep;
  }

  /** Draws the steps; the layout is kept while the steps and their needs are the same, so a status refresh only recolours. */
  draw(steps: readonly PipelineStepStatus[]): { nodes: ReportedNode[]; edges: number } {
    const key = JSON.stringify(steps.map((st) => [st.name, st.kind, st.needs]));
    if (key !== this.layoutKey || !this.layout) {
      this.layout = layoutDag(steps);
      this.layoutKey = key;
      this.placed = new Map(this.layout.nodes.map((n) => [n.name, n]));
    }
    const layout = this.layout;
    this.steps = new Map(steps.map((st) => [st.name, st]));
    this.edgeLayer.textContent = '';
    this.edgeEls = layout.edges.map((e) => {
      const el = s('path', { d: e.path, class: 'dag-edge', 'marker-end': 'url(#dag-arrow)' });
      if (this.steps.get(e.to)?.last?.status === 'RUNNING') el.classList.add('dag-edge-active');
      this.edgeLayer.append(el);
      return { from: e.from, to: e.to, el };
    });
    this.nodeLayer.textContent = '';
    this.drawn = new Map();
    layout.nodes.forEach((p, i) => {
      const drawn = drawNode(steps[p.index], p, `dag-node-${i}`);
      this.drawn.set(p.name, drawn);
      this.nodeLayer.append(drawn.g);
    });
    for (const d of this.drawn.values()) fitNode(d.g, layout.nodes[0].width);
    if (this.selectedStep && !this.steps.has(this.selectedStep)) this.selectedStep = null;
    this.markSelection();
    if (!this.fitted) this.fit(true);
    return {
      nodes: layout.nodes.map((p) => ({ name: p.name, status: this.drawn.get(p.name)!.status, badges: this.drawn.get(p.name)!.badges, kind: steps[p.index].kind })),
      edges: layout.edges.length,
    };
  }

  /** Advances the time shown on running steps (no new status needed for that); false when none runs. */
  tick(now = Date.now()): boolean {
    let running = false;
    for (const [name, d] of this.drawn) {
      if (d.status !== 'running') continue;
      running = true;
      const el = d.g.querySelector('.dag-duration');
      const text = durationText(this.steps.get(name)!, now);
      if (el && text) el.textContent = text;
    }
    return running;
  }

  /** The whole graph in view; `readable` (the first view): a big one shows its start at a size that can be read. */
  fit(readable = false): void {
    if (!this.layout || this.element.clientWidth === 0) return;
    this.fitted = true;
    // The badges stick out above the top row of boxes.
    this.panZoom.fit({ x: 0, y: -8, width: this.layout.width, height: this.layout.height + 8 }, readable);
  }

  zoomBy(factor: number): void {
    this.panZoom.zoomBy(factor);
  }

  /**
   * The panel got its size, or a new one (a terminal opened below it): a graph not yet
   * fitted, or still as fitted (the person has not zoomed or panned since), is fitted again.
   */
  resized(): void {
    if (!this.fitted || !this.panZoom.userMoved) this.fit(true);
  }

  select(step: string | null, reveal = false): void {
    const next = step && this.steps.has(step) ? step : null;
    const changed = next !== this.selectedStep;
    this.selectedStep = next;
    this.markSelection();
    const at = next ? this.placed.get(next) : undefined;
    if (at && reveal) this.panZoom.reveal(at);
    if (changed) this.handlers.onSelect(next);
  }

  private markSelection(): void {
    const related = new Set<string>();
    for (const [name, d] of this.drawn) {
      const on = name === this.selectedStep;
      d.g.classList.toggle('dag-selected', on);
      d.g.setAttribute('aria-selected', String(on));
      if (on) this.element.setAttribute('aria-activedescendant', d.g.id);
    }
    if (!this.selectedStep) this.element.removeAttribute('aria-activedescendant');
    for (const e of this.edgeEls) {
      const on = e.from === this.selectedStep || e.to === this.selectedStep;
      e.el.classList.toggle('dag-edge-hl', on);
      e.el.setAttribute('marker-end', on ? 'url(#dag-arrow-hl)' : 'url(#dag-arrow)');
      if (on) related.add(e.from === this.selectedStep ? e.to : e.from);
    }
    // Drawn last, so highlighted edges are not hidden under the others.
    for (const e of this.edgeEls) if (e.el.classList.contains('dag-edge-hl')) this.edgeLayer.append(e.el);
    for (const [name, d] of this.drawn) d.g.classList.toggle('dag-related', related.has(name));
  }

  // ---- tooltip ---------------------------------------------------------------
  private hover(step: string | null, e: PointerEvent): void {
    window.clearTimeout(this.hoverTimer);
    if (!step) {
      this.tooltip.hidden = true;
      return;
    }
    const st = this.steps.get(step);
    if (!st) return;
    // A short delay: sweeping the pointer across the graph does not flash tooltips.
    this.hoverTimer = window.setTimeout(() => {
      this.tooltip.textContent = '';
      const kind = `${st.kind} step`;
      this.tooltip.append(
        h('div', { class: 'dag-tip-head' }, h('strong', {}, st.name), h('span', { class: 'dag-tip-kind' }, ` · ${kind} · line ${st.line}`)),
        h('dl', {}, ...tooltipLines(st).flatMap((l) => [h('dt', {}, l.label), h('dd', {}, l.text)])),
        h('div', { class: 'dag-tip-hint' }, st.last ? 'Double-click to open its run' : 'Double-click to go to its definition'),
      );
      this.tooltip.hidden = false;
      this.placeTooltip(e);
    }, 250);
  }

  private placeTooltip(e: PointerEvent): void {
    if (this.tooltip.hidden) return;
    const box = this.element.getBoundingClientRect();
    const tw = this.tooltip.offsetWidth;
    const th = this.tooltip.offsetHeight;
    let left = e.clientX - box.left + 14;
    let top = e.clientY - box.top + 16;
    if (left + tw > box.width - 4) left = Math.max(4, e.clientX - box.left - tw - 14);
    if (top + th > box.height - 4) top = Math.max(4, e.clientY - box.top - th - 12);
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${top}px`;
  }

  // ---- keyboard --------------------------------------------------------------
  private onKey(e: KeyboardEvent): void {
    if (!this.layout || this.layout.nodes.length === 0) return;
    const current = this.selectedStep ? this.placed.get(this.selectedStep) : undefined;
    let next: string | undefined;
    switch (e.key) {
      case 'ArrowUp':
      case 'ArrowDown': {
        if (!current) next = this.layout.layers[0][0];
        else {
          const layer = this.layout.layers[current.layer];
          next = layer[current.order + (e.key === 'ArrowUp' ? -1 : 1)];
        }
        break;
      }
      case 'ArrowLeft':
      case 'ArrowRight':
        next = current ? this.neighbour(current, e.key === 'ArrowRight' ? 1 : -1) : this.layout.layers[0][0];
        break;
      case 'Home':
        next = this.layout.layers[0][0];
        break;
      case 'Enter':
        if (this.selectedStep) this.handlers.onActivate(this.selectedStep);
        break;
      case 'Escape':
        this.select(null);
        break;
      case '+':
      case '=':
        this.zoomBy(1.2);
        break;
      case '-':
        this.zoomBy(1 / 1.2);
        break;
      case '0':
        this.fit();
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next) this.select(next, true);
  }

  /** Along the edges first (the nearest step it needs or that needs it), else the nearest box of the next layer. */
  private neighbour(from: PlacedNode, direction: 1 | -1): string | undefined {
    const linked = this.edgeEls.flatMap((e) => (direction === 1 ? (e.from === from.name ? [e.to] : []) : e.to === from.name ? [e.from] : []));
    const layerNames = this.layout!.layers[from.layer + direction] ?? [];
    const candidates = linked.length ? linked : layerNames;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const name of candidates) {
      const p = this.placed.get(name)!;
      const d = Math.abs(p.y - from.y) + Math.abs(p.layer - from.layer) * 1000;
      if (d < bestDistance) (best = name), (bestDistance = d);
    }
    return best;
  }
}

function stepOf(target: EventTarget | null): string | null {
  return target instanceof Element ? (target.closest('.dag-node')?.getAttribute('data-step') ?? null) : null;
}

function arrowDefs(): SVGDefsElement {
  const marker = (id: string, cls: string) =>
    s('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0.5 L10,5 L0,9.5 z', class: cls }));
  return s('defs', {}, marker('dag-arrow', 'dag-arrow'), marker('dag-arrow-hl', 'dag-arrow dag-arrow-hl'));
}
