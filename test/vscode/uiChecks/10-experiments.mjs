// Browser-side checks of the Experiments view (after the suite ran a tracked file).
export async function checks(page, check, { screenshot }) {
  await check('[ui] the Experiments view lists the tracked run with its loss', async () => {
    // The suite focused the view; click the activity bar entry in case another check
    // moved it (only when hidden: clicking the active container's icon hides the side bar).
    const pane = page.locator('.pane', { has: page.locator('.pane-header[aria-label^="Experiments"]') });
    if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label^="MLOps"]').first().click();
    await pane.locator('.monaco-list-row', { hasText: 'Default' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await pane.locator('.monaco-list-row', { hasText: 'loss 0.02' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot('sidebar');
  });
}
