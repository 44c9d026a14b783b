// Browser-side checks of pipelines (the suite ran pipes/demo.pipeline.yaml as
// tasks several times): the Pipelines view's rows. (The task terminal's live step
// table is checked in test/pipelineProgress.test.ts, drawn into a terminal model.)
export async function checks(page, check, { screenshot }) {
  await check('[ui] the Pipelines view lists the demo pipeline and its steps with their outcomes', async () => {
    const pane = page.locator('.pane', { has: page.locator('.pane-header[aria-label^="Pipelines"]') });
    if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label^="MLOps"]').first().click();
    const header = pane.locator('.pane-header').first();
    await header.waitFor({ state: 'visible', timeout: 20_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const row = pane.locator('.monaco-list-row', { hasText: 'demo' }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    for (const step of ['prepare', 'train', 'report']) {
      await pane.locator('.monaco-list-row', { hasText: step }).first().waitFor({ state: 'visible', timeout: 10_000 });
    }
    const text = await pane.locator('.monaco-list-rows').first().innerText();
    if (!/just now|\d+[mhd] ago/.test(text)) throw new Error(`the pipeline row shows no last run: ${JSON.stringify(text)}`);
    await screenshot('pipelines-view');
  });
}
