// Moving around a big graph: the wheel (or a trackpad) scrolls it, Ctrl/Cmd +
// wheel (or a pinch) zooms around the pointer, dragging the background pans.
// A transform on one group, so a pan redraws nothing.

const MIN_ZOOM = 0.15;
const MAX_ZOOM = 2.5;
const DRAG_THRESHOLD = 4;
const READABLE_ZOOM = 0.5;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class PanZoom {
  private tx = 0;
  private ty = 0;
  private k = 1;
  private drag?: { id: number; x: number; y: number; moved: boolean };
  /** The person zoomed or panned since the last fit: a resize then keeps their view. */
  userMoved = false;

  /** `onBackgroundClick`: a click (not a drag) on the empty area. */
  constructor(
    private readonly viewport: HTMLElement,
    private readonly world: SVGGElement,
    private readonly onBackgroundClick: () => void,
  ) {
    viewport.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    viewport.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    viewport.addEventListener('pointermove', (e) => this.onPointerMove(e));
    viewport.addEventListener('pointerup', (e) => this.onPointerUp(e));
    viewport.addEventListener('pointercancel', () => (this.drag = undefined));
  }

  get zoom(): number {
    return this.k;
  }

  /**
   * The whole graph in view, centred; never enlarged past 100 % (small graphs
   * stay crisp and modest). With `readable`, never shrunk below half size: a
   * big graph then shows its start (the left, where it begins) at a size that
   * can be read, rather than an unreadable whole.
   */
  fit(content: Box, readable = false): void {
    const vw = this.viewport.clientWidth;
    const vh = this.viewport.clientHeight;
    if (vw === 0 || vh === 0 || content.width === 0) return;
    const whole = Math.min(1, vw / content.width, vh / content.height);
    this.k = clamp(readable ? Math.max(whole, READABLE_ZOOM) : whole);
    const w = content.width * this.k;
    const h = content.height * this.k;
    this.tx = (w <= vw ? (vw - w) / 2 : 0) - content.x * this.k;
    this.ty = (h <= vh ? (vh - h) / 2 : 0) - content.y * this.k;
    this.userMoved = false;
    this.apply();
  }

  /** Zoom by `factor` around a point of the viewport (its centre by default). */
  zoomBy(factor: number, cx = this.viewport.clientWidth / 2, cy = this.viewport.clientHeight / 2): void {
    const k = clamp(this.k * factor);
    this.userMoved = true;
    this.tx = cx - ((cx - this.tx) * k) / this.k;
    this.ty = cy - ((cy - this.ty) * k) / this.k;
    this.k = k;
    this.apply();
  }

  /** Pans the least needed to bring a box (in graph units) into view, with a margin (a selection the person made: their view from then on). */
  reveal(box: Box, margin = 24): void {
    this.userMoved = true;
    const vw = this.viewport.clientWidth;
    const vh = this.viewport.clientHeight;
    const left = box.x * this.k + this.tx;
    const top = box.y * this.k + this.ty;
    const right = left + box.width * this.k;
    const bottom = top + box.height * this.k;
    if (left < margin) this.tx += margin - left;
    else if (right > vw - margin) this.tx -= Math.min(right - (vw - margin), left - margin);
    if (top < margin) this.ty += margin - top;
    else if (bottom > vh - margin) this.ty -= Math.min(bottom - (vh - margin), top - margin);
    this.apply();
  }

  private apply(): void {
    this.world.setAttribute('transform', `translate(${this.tx.toFixed(1)},${this.ty.toFixed(1)}) scale(${this.k.toFixed(4)})`);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.viewport.clientHeight : 1;
    if (e.ctrlKey || e.metaKey) {
      const rect = this.viewport.getBoundingClientRect();
      this.zoomBy(Math.exp(-e.deltaY * unit * 0.0025), e.clientX - rect.left, e.clientY - rect.top);
    } else {
      // Shift + wheel scrolls sideways on a mouse without a horizontal wheel.
      const dx = e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX;
      const dy = e.shiftKey && e.deltaX === 0 ? 0 : e.deltaY;
      this.tx -= dx * unit;
      this.ty -= dy * unit;
      this.userMoved = true;
      this.apply();
    }
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || (e.target as Element).closest('.dag-node')) return;
    this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
    this.viewport.setPointerCapture(e.pointerId);
  }

  private onPointerMove(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    d.moved = true;
    this.userMoved = true;
    this.viewport.classList.add('dag-dragging');
    this.tx += dx;
    this.ty += dy;
    d.x = e.clientX;
    d.y = e.clientY;
    this.apply();
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    this.drag = undefined;
    this.viewport.classList.remove('dag-dragging');
    if (!d.moved) this.onBackgroundClick();
  }
}

function clamp(k: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
}
