// The legend of a drift scores chart: one button per feature with its line's
// colour and dash, in the chart's (alphabetical) order. Pressing one hides or
// shows the feature's line, as a chart.js legend does, but these are buttons:
// Tab reaches them, Enter and Space press them, a screen reader says which are
// shown (aria-pressed). Pointing at one (or focusing it) brings its line
// forward, which is how one line among twenty is found. Buttons are made once
// and updated in place, so a live update keeps the focus where it was.
import { h } from '../shared/uiKit';
import type { LineStyle } from './featureColours';
import { PREDICTION } from './monitoringModel';

export interface LegendEntry {
  feature: string;
  style: LineStyle;
  hidden: boolean;
  /** Drifted in the latest window. */
  drifted: boolean;
  selected: boolean;
}

export interface ScoresLegendEvents {
  onToggle(feature: string): void;
  /** The feature pointed at or focused; null when none is. */
  onPeek(feature: string | null): void;
}

export class ScoresLegend {
  readonly element: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private shown: LegendEntry[] = [];

  constructor(label: string, private readonly events: ScoresLegendEvents) {
    this.element = h('div', { class: 'mon-legend', role: 'group', 'aria-label': label });
  }

  /** What the legend shows, for the panel's report. */
  entries(): readonly LegendEntry[] {
    return this.shown;
  }

  draw(entries: readonly LegendEntry[]): void {
    const present = new Set(entries.map((e) => e.feature));
    for (const [feature, button] of this.buttons) {
      if (!present.has(feature)) {
        button.remove();
        this.buttons.delete(feature);
      }
    }
    const buttons = entries.map((e) => this.button(e));
    // Moved only when the order changed: moving the focused button would drop its focus.
    const order = [...this.element.children];
    if (order.length !== buttons.length || buttons.some((b, i) => order[i] !== b)) this.element.replaceChildren(...buttons);
    this.shown = [...entries];
  }

  private button(e: LegendEntry): HTMLButtonElement {
    let button = this.buttons.get(e.feature);
    if (!button) {
      const swatch = h('span', { class: 'mon-swatch', 'aria-hidden': 'true' });
      const name = e.feature === PREDICTION ? 'prediction (model output)' : e.feature;
      button = h('button', { type: 'button', class: 'mon-legend-item', 'data-feature': e.feature }, swatch, h('span', { class: 'mon-legend-name' }, name)) as HTMLButtonElement;
      const feature = e.feature;
      button.addEventListener('click', () => this.events.onToggle(feature));
      button.addEventListener('mouseenter', () => this.events.onPeek(feature));
      button.addEventListener('mouseleave', () => this.events.onPeek(null));
      button.addEventListener('focus', () => this.events.onPeek(feature));
      button.addEventListener('blur', () => this.events.onPeek(null));
      this.buttons.set(e.feature, button);
    }
    const swatch = button.firstElementChild as HTMLElement;
    swatch.style.borderTopColor = e.style.color;
    swatch.style.borderTopStyle = e.style.dash.length === 0 ? 'solid' : e.style.dash[0] <= 2 ? 'dotted' : 'dashed';
    button.setAttribute('aria-pressed', String(!e.hidden));
    button.classList.toggle('mon-legend-hidden', e.hidden);
    button.classList.toggle('mon-legend-drifted', e.drifted);
    button.classList.toggle('mon-legend-selected', e.selected);
    const state = `${e.drifted ? 'drifted' : 'no drift'} in the latest window${e.selected ? ', selected' : ''}`;
    button.title = `${e.feature} (${state}): ${e.hidden ? 'show its line' : 'hide its line'}`;
    return button;
  }
}
