// Browser-side checks of the run detail panel (the suite left run "detail-run" open,
// its image artifact previewed).
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';
export async function checks(page, check, { screenshot }) {
  await check('[ui] the run detail panel shows the image preview and the CSV as a table', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'Run detail-run' }).first().click();
    // Room for the panel: hide the bottom panel (terminal) if it is open. This is the last check.
    await page.locator('.part.panel [aria-label^="Hide Panel"], .part.panel [aria-label^="Close Panel"]').first().click({ timeout: 2000 }).catch(() => {});
    const frame = await findFrame(page, '.rd-image', 20_000);
    if (!frame) throw new Error('no webview frame with an image preview');
    // The image must have been decoded from the bytes the host sent (blob: URL allowed by the CSP).
    await frame.waitForFunction(() => document.querySelector('.rd-image')?.complete, null, { timeout: 10_000 });
    const image = await frame.evaluate(() => {
      const img = document.querySelector('.rd-image');
      return { naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, src: img.src.slice(0, 5), shown: img.getBoundingClientRect().width };
    });
    if (image.naturalWidth <= 0) throw new Error(`the image preview did not render: ${JSON.stringify(image)}`);
    if (image.src !== 'blob:') throw new Error(`the image is not a blob URL: ${image.src}`);
    if (image.shown <= 0) throw new Error('the image preview has no size on screen');
    const sections = await frame.evaluate(() => [...document.querySelectorAll('.rd-card')].map((c) => c.getAttribute('data-section')));
    for (const s of ['info', 'metrics', 'params', 'tags', 'artifacts', 'output', 'diff', 'linked']) if (!sections.includes(s)) throw new Error(`section ${s} missing: ${sections}`);
    const sparklines = await frame.evaluate(() => document.querySelectorAll('#rd-metrics .rd-spark path').length);
    if (sparklines < 2) throw new Error(`expected a sparkline per metric, found ${sparklines}`);
    await screenshot('run-detail');
    await frame.evaluate(() => document.querySelector('#rd-artifacts')?.scrollIntoView({ block: 'start' }));
    await screenshot('run-detail-image');

    // The CSV: click it in the artifact tree, as a user would.
    await frame.click('.rd-tree-row[data-path="predictions.csv"]');
    await frame.waitForSelector('.rd-csv table tbody tr', { timeout: 10_000 });
    const table = await frame.evaluate(() => ({
      header: [...document.querySelectorAll('.rd-csv thead th')].map((th) => th.textContent),
      rows: document.querySelectorAll('.rd-csv tbody tr').length,
    }));
    if (table.header.join(',') !== 'id,label,score') throw new Error(`unexpected CSV header: ${table.header}`);
    if (table.rows !== 25) throw new Error(`the CSV table has ${table.rows} rows, expected 25`);
    await frame.evaluate(() => document.querySelector('#rd-artifacts')?.scrollIntoView({ block: 'start' }));
    await screenshot('run-detail-csv');
    await frame.evaluate(() => document.querySelector('#rd-output')?.scrollIntoView({ block: 'start' }));
    await screenshot('run-detail-output');
  });
}
