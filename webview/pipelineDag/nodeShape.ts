// One step's box: a rounded box for a command step, a hexagon for a register
// step (it hands a model over, rather than running code); the status as an icon
// and the box's colour; the name, the status with its duration, and badges on
// the top edge. Colours come from the stylesheet (theme variables) by class.
import type { DagNodeStatus } from '../../src/protocol/pipelineDagMessages';
import type { PipelineStepStatus } from '../../src/protocol/pipelineApi';
import type { PlacedNode } from './layout';
import { badges, durationText, nodeStatus, STATUS_LABEL, type Badge } from './stepStatus';
import { s } from './svg';

const ICON_X = 18;
const TEXT_X = 34;
const RIGHT_PAD = 10;
const BADGE_HEIGHT = 15;

export function boxOutline(kind: 'run' | 'register' | 'deploy', w: number, h: number, grow = 0): SVGElement {
  // Steps that act on the registry or a deployment, not run a command, are hexagons.
  if (kind !== 'run') {
    const c = 12 + grow * 0.5; // the hexagon's slanted ends
    const pts = [
      [c - grow, -grow],
      [w - c + grow, -grow],
      [w + grow, h / 2],
      [w - c + grow, h + grow],
      [c - grow, h + grow],
      [-grow, h / 2],
    ];
    return s('polygon', { points: pts.map((p) => p.join(',')).join(' ') });
  }
  return s('rect', { x: -grow, y: -grow, width: w + 2 * grow, height: h + 2 * grow, rx: 6 + grow, ry: 6 + grow });
}

function statusIcon(status: DagNodeStatus): SVGGElement {
  const g = s('g', { class: 'dag-icon', transform: `translate(${ICON_X},18)` });
  switch (status) {
    case 'finished':
    case 'cached':
      g.append(s('circle', { r: 7, class: 'dag-icon-fill' }), s('path', { d: 'M-3.3,0.1 L-1,2.5 L3.4,-2.3', class: 'dag-icon-mark' }));
      break;
    case 'failed':
      g.append(s('circle', { r: 7, class: 'dag-icon-fill' }), s('path', { d: 'M-2.4,-2.4 L2.4,2.4 M2.4,-2.4 L-2.4,2.4', class: 'dag-icon-mark' }));
      break;
    case 'killed':
      g.append(s('circle', { r: 7, class: 'dag-icon-fill' }), s('rect', { x: -2.5, y: -2.5, width: 5, height: 5, class: 'dag-icon-cut' }));
      break;
    case 'running':
      g.append(s('circle', { r: 6, class: 'dag-icon-track' }), s('circle', { r: 6, class: 'dag-icon-spin' }));
      break;
    case 'not-run':
      g.append(s('circle', { r: 6, class: 'dag-icon-ring' }), s('path', { d: 'M-3,0 L3,0', class: 'dag-icon-ring' }));
      break;
    case 'pending':
    case 'never':
      g.append(s('circle', { r: 6, class: 'dag-icon-ring dag-dashed' }));
      break;
  }
  return g;
}

export interface DrawnNode {
  g: SVGGElement;
  status: DagNodeStatus;
  badges: Badge[];
}

export function drawNode(step: PipelineStepStatus, at: PlacedNode, id: string): DrawnNode {
  const status = nodeStatus(step);
  const marks = badges(step);
  const { width: w, height: h } = at;
  const g = s('g', {
    class: `dag-node dag-s-${status} dag-k-${step.kind}`,
    transform: `translate(${at.x},${at.y})`,
    'data-step': step.name,
    'data-status': status,
    id,
    role: 'option',
    'aria-selected': 'false',
    'aria-label': `${step.name}, ${step.kind !== 'run' ? `${step.kind} step, ` : ''}${STATUS_LABEL[status]}${marks.length ? `, ${marks.join(', ')}` : ''}`,
  });
  const ring = boxOutline(step.kind, w, h, 3.5);
  ring.setAttribute('class', 'dag-ring');
  const box = boxOutline(step.kind, w, h);
  box.setAttribute('class', 'dag-box');
  g.append(ring, box);
  if (status === 'running') {
    const pulse = boxOutline(step.kind, w, h);
    pulse.setAttribute('class', 'dag-pulse');
    g.append(pulse);
  }
  const textX = step.kind !== 'run' ? TEXT_X + 4 : TEXT_X;
  const icon = statusIcon(status);
  if (step.kind !== 'run') icon.setAttribute('transform', `translate(${ICON_X + 4},18)`);
  const name = s('text', { x: textX, y: 22.5, class: 'dag-name' }, step.name);
  const duration = durationText(step);
  const meta = s('text', { x: textX, y: 40, class: 'dag-meta' }, STATUS_LABEL[status]);
  if (duration) meta.append(s('tspan', { class: 'dag-sep' }, '  ·  '), s('tspan', { class: 'dag-duration' }, duration));
  if (step.kind !== 'run') meta.append(s('tspan', { class: 'dag-sep dag-kind' }, '  ·  '), s('tspan', { class: 'dag-kind' }, step.kind));
  g.append(icon, name, meta);
  const badgeRow = s('g', { class: 'dag-badges', transform: `translate(${w - RIGHT_PAD - (step.kind !== 'run' ? 6 : 0)},${-BADGE_HEIGHT / 2})` });
  for (const b of marks) badgeRow.append(s('g', { class: `dag-badge dag-badge-${b}`, 'data-badge': b }, s('rect', { height: BADGE_HEIGHT, rx: BADGE_HEIGHT / 2 }), s('text', { y: 11, 'text-anchor': 'middle' }, b)));
  g.append(badgeRow);
  return { g, status, badges: marks };
}

/** Text sizes are known once the box is in the document: shorten long names, size the badges right to left. */
export function fitNode(node: SVGGElement, width: number): void {
  const name = node.querySelector<SVGTextElement>('.dag-name');
  const room = (el: SVGTextElement) => width - Number(el.getAttribute('x')) - RIGHT_PAD - (node.classList.contains('dag-k-register') ? 8 : 0);
  if (name) fitText(name, room(name));
  // The status line gives up the step's kind first (its outline shows it): the status and time stay whole.
  const meta = node.querySelector<SVGTextElement>('.dag-meta');
  if (meta && meta.getComputedTextLength() > room(meta)) for (const kind of meta.querySelectorAll('.dag-kind')) kind.remove();
  let right = 0;
  for (const badge of [...node.querySelectorAll<SVGGElement>('.dag-badge')].reverse()) {
    const text = badge.querySelector('text')!;
    const w = Math.ceil(text.getComputedTextLength()) + 12;
    badge.querySelector('rect')!.setAttribute('width', String(w));
    badge.querySelector('rect')!.setAttribute('x', String(right - w));
    text.setAttribute('x', String(right - w / 2));
    right -= w + 4;
  }
}

function fitText(el: SVGTextElement, max: number): void {
  const full = el.textContent ?? '';
  if (el.getComputedTextLength() <= max) return;
  let lo = 0;
  let hi = full.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    el.textContent = `${full.slice(0, mid)}…`;
    if (el.getComputedTextLength() <= max) lo = mid;
    else hi = mid - 1;
  }
  el.textContent = `${full.slice(0, lo)}…`;
}
