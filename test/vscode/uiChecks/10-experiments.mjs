// Browser-side checks of the Experiments view (after the suite ran a tracked file).
export async function checks(page, check, { screenshot }) {
  await check('[ui] the Experiments view lists the tracked run with its loss', async () => {
    // The suite focused the view; click the activity bar entry in case another check
    // moved it (only when hidden: clicking the active container's icon hides the side bar).
    const pane = page.locator('.pane', { has: page.locator('.pane-header[aria-label^="Experiments"]') });
    if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label^="MLOps"]').first().click();
    // The Models view shares the side bar, so the suite leaves the experiments
    // collapsed (Default, the oldest, is listed last): open Default, as a user would.
    // The Models, Pipelines and Deployments views share the side bar too: fold them, so the Experiments view has the room.
    for (const name of ['Models', 'Pipelines', 'Deployments']) {
      const header = page.locator(`.pane-header[aria-label^="${name}"]`).first();
      if ((await header.count()) && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    await pane.locator('.monaco-list-row').first().waitFor({ state: 'visible', timeout: 20_000 });
    const defaultRow = pane.locator('.monaco-list-row', { hasText: 'Default' }).first();
    await defaultRow.waitFor({ state: 'visible', timeout: 20_000 });
    if ((await defaultRow.getAttribute('aria-expanded')) === 'false') await defaultRow.click();
    await pane.locator('.monaco-list-row', { hasText: 'loss 0.02' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot('sidebar');
  });
}
