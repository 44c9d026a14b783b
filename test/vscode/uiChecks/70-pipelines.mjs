// Browser-side checks of pipelines (the suite ran pipes/demo.pipeline.yaml as
// tasks several times): the Pipelines view's rows, and the task's terminal.
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
    if (!/finished/.test(text)) throw new Error(`the pipeline row shows no last run: ${JSON.stringify(text)}`);
    await screenshot('pipelines-view');
  });

  await check('[ui] the pipeline task\'s terminal shows the run\'s step table', async () => {
    const terminal = page.locator('.xterm').first();
    if (!(await terminal.isVisible())) await runCommand(page, 'Terminal: Focus Terminal');
    await terminal.waitFor({ state: 'visible', timeout: 10_000 });
    // The dedicated task terminal keeps the run's end: the step table printed as the live one goes away.
    const tabs = page.locator('.tabs-list .monaco-list-row');
    const names = await tabs.allInnerTexts();
    if (!names.some((t) => /demo/.test(t))) throw new Error(`no pipeline task terminal among ${JSON.stringify(names)}`);
    await tabs.filter({ hasText: 'demo' }).first().click();
    await screenshot('pipeline-task-terminal');
    // Leave the keyboard with the editor, not the terminal (which takes keys like F1 for its shell).
    await page.locator('.tabs-container .tab.active').first().click();
  });
}

/** A command by its palette title, as a user would run it. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 5000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ state: 'visible', timeout: 5000 });
  await input.press('Enter');
}
