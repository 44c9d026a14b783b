// "MLOps: Compare Runs" from the palette with fewer than two runs selected in the
// Experiments view: it asks which runs (a multi-select list, told apart as the runs
// table does), then compares the ones picked in the comparison panel.
export async function checks(page, check, { screenshot }) {
  await check('[ui] Compare Runs from the palette with fewer than two runs selected asks which runs, then compares those picked', async () => {
    // The explorer takes the focus, so the Experiments view's selection is what it is.
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('>MLOps: Compare Runs');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'MLOps: Compare Runs' }).first().click({ timeout: 15_000 });
    // The picker, by its title (the palette's own row also reads "Compare Runs").
    const widget = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: /^Compare Runs$/ }) });
    await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 20_000 });
    const rows = widget.locator('.quick-input-list .monaco-list-row');
    if ((await rows.count()) < 2) throw new Error(`the picker offers ${await rows.count()} runs`);
    // Two runs picked: whatever the selection preselected, click rows (a click toggles one) until the count says two.
    const selectedCount = async () => Number(/(\d+)/.exec((await widget.locator('.quick-input-count').first().textContent()) ?? '')?.[1] ?? 0);
    for (let i = 0; (await selectedCount()) < 2 && i < (await rows.count()); i++) {
      if ((await rows.nth(i).getAttribute('aria-checked')) !== 'true') await rows.nth(i).click();
    }
    await screenshot('compare-picker');
    const picked = await selectedCount();
    if (picked !== 2) throw new Error(`${picked} runs picked, expected 2`);
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: `Compare ${picked} runs` }).first().waitFor({ state: 'visible', timeout: 20_000 });
  });
}
