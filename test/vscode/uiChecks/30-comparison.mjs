// Browser-side checks of the comparison panel (the suite left a 40-run sweep
// open: 38 runs with val_accuracy, 2 without; params lr, batch_size, optimizer,
// dropout vary, epochs does not).
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';
const SWEEP_RUNS = 40;

export async function checks(page, check, { screenshot }) {
  await check('[ui] the comparison panel draws its charts on canvases', async () => {
    // Another panel may be in front: bring the comparison's tab forward.
    await page.locator('.tabs-container .tab', { hasText: `Compare ${SWEEP_RUNS} runs` }).first().click();
    const frame = await findFrame(page, '.mc-chart canvas', 20_000);
    if (!frame) throw new Error('no webview frame with comparison charts');
    const result = await frame.evaluate(() => {
      const canvas = document.querySelector('.mc-chart canvas');
      const ctx = canvas.getContext('2d');
      const { width, height } = canvas;
      const pixels = ctx.getImageData(0, 0, width, height).data;
      // Chart.js leaves the canvas transparent where nothing is drawn.
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn++;
      return { width, height, drawn, charts: document.querySelectorAll('.mc-chart').length, rows: document.querySelectorAll('.cmp-table tbody tr').length };
    });
    if (result.width === 0 || result.height === 0) throw new Error(`the chart canvas has no size (${result.width}x${result.height})`);
    if (result.drawn < 500) throw new Error(`the chart canvas is almost empty (${result.drawn} drawn pixels)`);
    if (result.rows !== SWEEP_RUNS) throw new Error(`the table has ${result.rows} rows, expected ${SWEEP_RUNS}`);
    await screenshot('comparison');
    // The table and the scatter, below the charts.
    await frame.evaluate(() => document.querySelector('.cmp-scatter')?.scrollIntoView({ block: 'end' }));
    const scatterDrawn = await frame.evaluate(() => {
      const canvas = document.querySelector('.cmp-scatter canvas');
      if (!canvas || canvas.width === 0) return 0;
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn++;
      return drawn;
    });
    if (scatterDrawn < 100) throw new Error(`the scatter canvas is almost empty (${scatterDrawn} drawn pixels)`);
    await screenshot('comparison-table');
  });

  await check('[ui] the parallel coordinates draw a line per run, coloured by the metric, and brushing an axis filters runs', async () => {
    const frame = await findFrame(page, '.cmp-pc-wrap canvas', 10_000);
    if (!frame) throw new Error('no parallel coordinates in the comparison panel');
    await frame.evaluate(() => document.querySelector('.cmp-parallel')?.scrollIntoView({ block: 'end' }));
    // As a user would: plot val_accuracy, which two runs never logged.
    await frame.selectOption('select[aria-label="Parallel coordinates metric"]', 'val_accuracy');
    // It draws when the panel is idle.
    await page.waitForTimeout(500);
    const note = await frame.locator('.cmp-pc-note').textContent();
    if (!/2 runs without val_accuracy are left out/.test(note)) throw new Error(`the note says "${note}"`);
    if (!/epochs/.test(note)) throw new Error(`the note does not name the constant param: "${note}"`);
    const read = () =>
      frame.evaluate(() => {
        const canvas = document.querySelector('.cmp-pc-wrap canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let drawn = 0;
        const colours = new Set();
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i + 3] < 200) continue;
          drawn++;
          // Saturated pixels are the lines and the colour bar (the axes and labels are grey).
          const max = Math.max(pixels[i], pixels[i + 1], pixels[i + 2]);
          const min = Math.min(pixels[i], pixels[i + 1], pixels[i + 2]);
          if (max - min > 60) colours.add(`${pixels[i] >> 4},${pixels[i + 1] >> 4},${pixels[i + 2] >> 4}`);
        }
        return { width: canvas.width, height: canvas.height, drawn, colours: colours.size };
      });
    const before = await read();
    if (before.width === 0 || before.height === 0) throw new Error('the parallel coordinates canvas has no size');
    if (before.drawn < 5000) throw new Error(`the parallel coordinates canvas is almost empty (${before.drawn} drawn pixels)`);
    if (before.colours < 20) throw new Error(`the lines are not coloured by the metric (${before.colours} colours)`);
    // Brush the metric axis (the last, left of the colour bar) over its upper half with the mouse.
    const box = await frame.locator('.cmp-pc-wrap canvas').boundingBox();
    const x = box.x + box.width - 106;
    await page.mouse.move(x, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(x, box.y + 120, { steps: 5 });
    await page.mouse.move(x, box.y + 170, { steps: 5 });
    await page.mouse.up();
    const brushed = await frame.locator('.cmp-pc-note').textContent();
    const m = /(\d+) of 38 runs in the brushed ranges/.exec(brushed);
    if (!m || Number(m[1]) === 0 || Number(m[1]) >= 38) throw new Error(`after brushing the note says "${brushed}"`);
    const after = await read();
    if (after.colours >= before.colours) throw new Error(`brushing did not fade runs (${before.colours} -> ${after.colours} colours)`);
    // Hover a line still in the brushed range (a saturated pixel between the last two axes): the tooltip names its run.
    const hoverAt = await frame.evaluate((cssX) => {
      const canvas = document.querySelector('.cmp-pc-wrap canvas');
      const scale = canvas.width / canvas.clientWidth;
      const ctx = canvas.getContext('2d');
      const column = Math.round(cssX * scale);
      const pixels = ctx.getImageData(column, 0, 1, canvas.height).data;
      for (let y = Math.round(60 * scale); y < canvas.height - 40 * scale; y++) {
        const [r, g, b, a] = pixels.slice(y * 4, y * 4 + 4);
        if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 60) return y / scale;
      }
      return -1;
    }, box.width - 106 - 40);
    if (hoverAt < 0) throw new Error('no coloured line left of the metric axis to hover');
    await page.mouse.move(box.x + box.width - 146, box.y + hoverAt);
    const tip = frame.locator('.cmp-pc-tip');
    await tip.waitFor({ state: 'visible', timeout: 5_000 });
    const tipText = await tip.textContent();
    if (!/^sweep-\d+/.test(tipText) || !tipText.includes('val_accuracy:')) throw new Error(`the tooltip says "${tipText}"`);
    await screenshot('comparison-parallel');
  });
}
