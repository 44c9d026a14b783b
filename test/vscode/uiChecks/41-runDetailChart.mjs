// Browser-side checks of the run detail panel's metric chart (the suite left run
// "long-history" open: 5,500 steps of loss and accuracy, the loss chart open;
// and run "detail-run" in another tab).
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';

/** Pixels of the run's line colour (#4e79a7, the first run colour) on a chart's canvas. */
function linePixels(frame, key) {
  return frame.evaluate((k) => {
    const canvas = document.querySelector(`.mc-chart[data-key="${k}"] canvas`);
    if (!canvas || canvas.width === 0) return -1;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 0x4e) < 24 && Math.abs(data[i + 1] - 0x79) < 24 && Math.abs(data[i + 2] - 0xa7) < 24 && data[i + 3] > 128) n++;
    return n;
  }, key);
}

async function waitForLine(frame, key) {
  await frame.waitForSelector(`.mc-chart[data-key="${key}"] canvas`, { timeout: 10_000 });
  const deadline = Date.now() + 10_000;
  let pixels = -1;
  while (Date.now() < deadline && (pixels = await linePixels(frame, key)) < 200) await frame.waitForTimeout(200);
  if (pixels < 200) throw new Error(`the ${key} chart drew no line (${pixels} pixels of the run's colour)`);
  return pixels;
}

export async function checks(page, check, { screenshot }) {
  await check('[ui] a click on a metric in the run panel opens its chart; Enter and Ctrl+click work too', async () => {
    // The suite left the loss chart open. Showing another tab first discards this panel's
    // webview (it is not retained while hidden): the chart must come back with it.
    await page.locator('.tabs-container .tab', { hasText: 'Run detail-run' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'Run long-history' }).first().click();
    const frame = await findFrame(page, '.rd-metric-row[data-metric="accuracy"]', 20_000);
    if (!frame) throw new Error('no run panel with the metrics of long-history');
    await waitForLine(frame, 'loss');
    // Close it, and start as a user who just opened the run.
    await frame.locator('#rd-chart .rd-chart-button', { hasText: 'Close' }).click();
    await frame.waitForSelector('#rd-chart', { state: 'hidden', timeout: 5000 });

    // A click on the sparkline of a row opens that metric's chart.
    await frame.locator('.rd-metric-row[data-metric="accuracy"] .rd-spark').click();
    await frame.waitForSelector('#rd-chart', { state: 'visible', timeout: 5000 });
    await waitForLine(frame, 'accuracy');
    const axis = await frame.evaluate(() => document.querySelector('.rd-chart-toolbar select[aria-label="X axis"]').value);
    if (axis !== 'step') throw new Error(`the chart opened on ${axis}, expected steps`);
    const pressed = await frame.getAttribute('.rd-metric-row[data-metric="accuracy"] .rd-metric-open', 'aria-pressed');
    if (pressed !== 'true') throw new Error('the charted metric is not marked in the table');

    // The keyboard: the loss row's button, focused, Enter switches the chart to loss.
    await frame.press('.rd-metric-row[data-metric="loss"] .rd-metric-open', 'Enter');
    await waitForLine(frame, 'loss');
    const shown = await frame.evaluate(() => [...document.querySelectorAll('.mc-chart')].map((c) => c.getAttribute('data-key')));
    if (shown.join() !== 'loss') throw new Error(`Enter should show only loss: ${shown}`);
    const focused = await frame.evaluate(() => document.activeElement?.getAttribute('data-metric'));
    if (focused !== 'loss') throw new Error(`the keyboard focus left the metric it opened (now on ${focused})`);
    await frame.evaluate(() => document.querySelector('#rd-metrics')?.scrollIntoView({ block: 'start' }));
    await screenshot('run-detail-chart');

    // Ctrl+click adds a metric beside the open one.
    await frame.locator('.rd-metric-row[data-metric="accuracy"] .rd-metric-open').click({ modifiers: ['Control'] });
    await waitForLine(frame, 'accuracy');
    const both = await frame.evaluate(() => [...document.querySelectorAll('.mc-chart')].map((c) => c.getAttribute('data-key')));
    if (both.join() !== 'loss,accuracy') throw new Error(`Ctrl+click should add accuracy: ${both}`);
    await frame.evaluate(() => document.querySelector('#rd-chart')?.scrollIntoView({ block: 'start' }));
    await screenshot('run-detail-chart-two');

    // Drag across the loss chart: it zooms in, and the zoomed range is drawn again (another picture).
    const canvas = frame.locator('.mc-chart[data-key="loss"] canvas');
    const before = await canvas.evaluate((c) => c.toDataURL());
    const box = await canvas.boundingBox(); // in the page's coordinates, frames included
    if (!box) throw new Error('no box for the loss chart');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
    await page.mouse.up();
    await frame.waitForFunction((old) => document.querySelector('.mc-chart[data-key="loss"] canvas').toDataURL() !== old, before, { timeout: 5000 });
    await waitForLine(frame, 'loss');
    await screenshot('run-detail-chart-zoomed');
  });
}
