// Browser-side check of runs that share a name in the comparison panel (the
// suite left "Compare 4 runs" open: the "train" steps of four runs of pipeline
// churn, val_auc logged at different steps, final values 0.8241..0.8247). The
// panel is closed at the end: the next checks expect one comparison panel.
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';

const TAB = 'Compare 4 runs';

/** Hovers the val_auc chart at a fraction of its plot's width; the tooltip's title and rows. */
async function hoverChart(page, frame, fraction) {
  const canvas = frame.locator('.mc-chart[data-key="val_auc"] canvas');
  const box = await canvas.boundingBox();
  // The plot area starts right of the y axis' labels: a fraction of the canvas past them.
  const x = box.x + 60 + (box.width - 70) * fraction;
  await page.mouse.move(x, box.y + box.height * 0.4, { steps: 4 });
  const tip = frame.locator('.mc-chart[data-key="val_auc"] .mc-tip');
  await tip.waitFor({ state: 'visible', timeout: 5_000 });
  const read = await tip.evaluate((el) => {
    const canvas = el.parentElement.querySelector('canvas').getBoundingClientRect();
    const rect = el.getBoundingClientRect();
    return {
      title: el.querySelector('.mc-tip-title')?.textContent ?? '',
      rows: [...el.querySelectorAll('.mc-tip-row')].map((r) => ({ name: r.querySelector('.mc-tip-name')?.textContent ?? '', value: r.querySelector('.mc-tip-value')?.textContent ?? '' })),
      // Relative to the canvas, which the page's coordinates locate too.
      left: rect.left - canvas.left,
      right: rect.right - canvas.left,
    };
  });
  const pointer = x - box.x;
  if (pointer >= read.left && pointer <= read.right) throw new Error(`the tooltip (${read.left}..${read.right} px) covers the hovered step (${pointer} px)`);
  return read;
}

export async function checks(page, check, { screenshot }) {
  await check('[ui] same-named runs of different pipeline runs read differently in the legend, the table and a chart tooltip that lists every run at the step', async () => {
    const tab = page.locator('.tabs-container .tab', { hasText: TAB }).first();
    try {
      await tab.click();
      const frame = await findFrame(page, (f) => f.locator('.cmp-legend-item').count().then((n) => n === 4), 20_000);
      if (!frame) throw new Error('no comparison panel with 4 runs');
      const legend = await frame.locator('.cmp-legend-item').allTextContents();
      if (new Set(legend).size !== 4 || !legend.every((l) => l.startsWith('train · churn'))) throw new Error(`legend: ${legend.join(' | ')}`);
      const table = await frame.locator('.cmp-table tbody td[title]').allTextContents();
      if (table.join('|') !== legend.join('|')) throw new Error(`the table calls the runs ${table.join(' | ')}, the legend ${legend.join(' | ')}`);
      await frame.locator('.mc-chart[data-key="val_auc"] canvas').waitFor({ state: 'visible', timeout: 10_000 });

      // Step ~30 of 60: every run has logged there (one only every third step).
      const middle = await hoverChart(page, frame, 0.5);
      const names = middle.rows.map((r) => r.name);
      if (middle.rows.length !== 4 || new Set(names).size !== 4 || names.some((n) => !legend.includes(n))) throw new Error(`the tooltip at ${middle.title} lists ${JSON.stringify(middle.rows)}`);
      if (!/^step \d+$/.test(middle.title)) throw new Error(`the tooltip's title is "${middle.title}"`);
      await screenshot('comparison-tooltip');
      // Step ~54: the run that stopped at step 40 is not there.
      const late = await hoverChart(page, frame, 0.9);
      if (late.rows.length !== 3 || late.rows.some((r) => r.name === legend[2])) throw new Error(`the tooltip at ${late.title} lists ${JSON.stringify(late.rows)}`);
      await page.mouse.move(0, 0);

      await frame.evaluate(() => document.querySelector('.cmp-scatter')?.scrollIntoView({ block: 'end' }));
      await screenshot('comparison-labels-scatter');
      await frame.evaluate(() => document.querySelector('.cmp-parallel')?.scrollIntoView({ block: 'end' }));
      // The parallel coordinates draw when the panel is idle.
      await page.waitForTimeout(500);
      await screenshot('comparison-labels-parallel');
    } finally {
      // A middle click closes a tab.
      await tab.click({ button: 'middle' }).catch(() => {});
      await page.locator('.tabs-container .tab', { hasText: TAB }).first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {});
    }
  });
}
