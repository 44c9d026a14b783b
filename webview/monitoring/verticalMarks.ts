// A chart.js plugin of ours: vertical marks across a time chart at given
// times, each with a short label at its top ("reference changed"). A dataset
// would put the mark in the legend and the tooltip, and chart.js has no
// annotations without another library. A chart opts in with
// `options.plugins.verticalMarks`; charts without it draw nothing extra.
import type { Chart, ChartType, Plugin } from 'chart.js';

export interface VerticalMark {
  /** x in the chart's units (epoch ms). */
  at: number;
  label: string;
}

export interface VerticalMarksOptions {
  marks: VerticalMark[];
  color: string;
  /** The label's background: the chart's own, so the label reads over grid lines. */
  background: string;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    verticalMarks?: VerticalMarksOptions | false;
  }
}

export const verticalMarksPlugin: Plugin<'line'> = {
  id: 'verticalMarks',
  afterDatasetsDraw(chart: Chart<'line'>) {
    // chart.js types resolved plugin options as partial; the panel always gives them whole.
    const options = chart.options.plugins?.verticalMarks as VerticalMarksOptions | false | undefined;
    // A chart that did not opt in resolves to the plugin's empty defaults.
    if (!options || !options.marks?.length) return;
    const { ctx, chartArea } = chart;
    const x = chart.scales.x;
    if (!x) return;
    ctx.save();
    ctx.font = `${Math.max(10, Number(chart.options.font?.size ?? 11) - 1)}px ${chart.options.font?.family ?? 'sans-serif'}`;
    ctx.textBaseline = 'top';
    let labelsEnd = -Infinity;
    for (const mark of options.marks) {
      const px = Math.round(x.getPixelForValue(mark.at)) + 0.5;
      if (px < chartArea.left || px > chartArea.right) continue;
      ctx.strokeStyle = options.color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      // The label right of the mark, or left of it near the right edge; one that would cover the previous label is left out.
      const width = ctx.measureText(mark.label).width + 6;
      const left = px + 4 + width <= chartArea.right ? px + 4 : px - 4 - width;
      if (left < labelsEnd + 4) continue;
      ctx.setLineDash([]);
      ctx.fillStyle = options.background;
      ctx.fillRect(left, chartArea.top + 2, width, 14);
      ctx.fillStyle = options.color;
      ctx.fillText(mark.label, left + 3, chartArea.top + 3);
      labelsEnd = left + width;
    }
    ctx.restore();
  },
};
