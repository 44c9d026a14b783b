// Browser-side checks of the comparison panel (the suite left a two-run comparison open).
export async function checks(page, check, { screenshot }) {
  await check('[ui] the comparison panel draws its charts on canvases', async () => {
    // Another panel may be in front: bring the comparison's tab forward.
    await page.locator('.tabs-container .tab', { hasText: 'Compare 2 runs' }).first().click();
    const frame = await findFrame(page, '.cmp-chart canvas', 20_000);
    if (!frame) throw new Error('no webview frame with comparison charts');
    const result = await frame.evaluate(() => {
      const canvas = document.querySelector('.cmp-chart canvas');
      const ctx = canvas.getContext('2d');
      const { width, height } = canvas;
      const pixels = ctx.getImageData(0, 0, width, height).data;
      // Chart.js leaves the canvas transparent where nothing is drawn.
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn++;
      return { width, height, drawn, charts: document.querySelectorAll('.cmp-chart').length, rows: document.querySelectorAll('.cmp-table tbody tr').length };
    });
    if (result.width === 0 || result.height === 0) throw new Error(`the chart canvas has no size (${result.width}x${result.height})`);
    if (result.drawn < 500) throw new Error(`the chart canvas is almost empty (${result.drawn} drawn pixels)`);
    if (result.rows !== 2) throw new Error(`the table has ${result.rows} rows, expected 2`);
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
}

async function findFrame(page, selector, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (!frame.url().includes('/contrib/webview/browser/pre/')) continue;
      try {
        if (await frame.$(selector)) return frame;
      } catch {
        // a frame that went away while looking
      }
    }
    await page.waitForTimeout(250);
  }
  return undefined;
}
