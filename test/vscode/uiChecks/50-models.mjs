// Browser-side checks of the registry (the suite registered model "churn" with
// three versions, left the Models view focused and the registry panel open).
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';
export async function checks(page, check, { screenshot }) {
  await check('[ui] the Models view lists the model and its versions with alias badges', async () => {
    const pane = page.locator('.pane', { has: page.locator('.pane-header[aria-label^="Models"]') });
    if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label^="MLOps"]').first().click();
    // Expanded if the run detail check collapsed it: the header toggles the pane.
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await pane.locator('.monaco-list-row', { hasText: 'churn' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    const champion = pane.locator('.monaco-list-row', { hasText: 'v3' }).first();
    await champion.waitFor({ state: 'visible', timeout: 20_000 });
    const text = await champion.innerText();
    if (!text.includes('@champion')) throw new Error(`v3's row shows no @champion badge: ${JSON.stringify(text)}`);
    await screenshot('models-view');
  });

  await check('[ui] the run panel says where a run\'s .onnx is registered and offers Register Again', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'Run train-b' }).first().click();
    const frame = await findFrame(page, '.rd-tree-row[data-path="model/model.onnx"]', 20_000);
    if (!frame) throw new Error('no run panel showing model/model.onnx');
    // train-b's model.onnx is version 3 of churn (the champion).
    await frame.waitForSelector('.rd-registered:not([hidden]) .rd-link', { timeout: 10_000 });
    const line = await frame.evaluate(() => document.querySelector('.rd-registered').textContent);
    if (!/^Registered as models:\/churn\/3 (@\w+ )*@champion/.test(line.trim())) throw new Error(`unexpected registration line: ${JSON.stringify(line)}`);
    const buttons = await frame.evaluate(() => [...document.querySelectorAll('.rd-preview-head vscode-button')].filter((b) => !b.hidden && b.getBoundingClientRect().width > 0).map((b) => b.textContent.trim()));
    if (buttons.join('|') !== 'Register Again…|Register as Another Model…|Open') throw new Error(`unexpected buttons: ${JSON.stringify(buttons)}`);
    await frame.evaluate(() => document.querySelector('#rd-artifacts')?.scrollIntoView({ block: 'start' }));
    await screenshot('run-detail-register');
    // Register Again… asks only for the alias of the new version of churn (Escape leaves it).
    await frame.locator('.rd-preview-head vscode-button', { hasText: 'Register Again…' }).click();
    const input = page.locator('.quick-input-widget', { hasText: 'Alias for the new version of churn' });
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot('run-detail-register-again');
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'hidden', timeout: 5000 });
  });

  await check('[ui] the registry panel draws the versions table and the metric chart', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'Model churn' }).first().click();
    const frame = await findFrame(page, '#md-chart canvas', 20_000);
    if (!frame) throw new Error('no webview frame with the registry panel chart');
    const rows = await frame.evaluate(() => document.querySelectorAll('.md-versions tbody tr').length);
    if (rows !== 3) throw new Error(`the versions table has ${rows} rows, expected 3`);
    // The chart drew something: count pixels that are not transparent.
    const painted = await frame.evaluate(() => {
      const canvas = document.querySelector('#md-chart canvas');
      const ctx = canvas.getContext('2d');
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return { n, width: canvas.width, height: canvas.height };
    });
    if (painted.width === 0 || painted.n < 200) throw new Error(`the chart canvas is (nearly) empty: ${JSON.stringify(painted)}`);
    await screenshot('model-panel');
    await frame.evaluate(() => document.querySelector('#md-lineage')?.scrollIntoView({ block: 'start' }));
    await screenshot('model-panel-lineage');
  });
}
