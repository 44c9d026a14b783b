// Browser-side checks of "Run Current File with Tracking" as a user meets it:
// from the command palette on a Python file of a folder whose runs are in an
// experiment (the suite left churnwork/evaluate.py and a run of that folder in
// churn-host), the first question suggests that experiment, then the params box
// names it; on a file that is not Python, the palette does not offer the command.

/** Opens a workspace file with Quick Open, as a user would. */
async function openFile(page, relativePath) {
  const input = page.locator('.quick-input-widget input:visible').first();
  for (let attempt = 0; attempt < 3 && (attempt === 0 || !(await input.count())); attempt++) {
    await page.locator('.part.sidebar .title-label').first().click();
    await page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
  }
  await input.fill(relativePath);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: relativePath.split('/').pop() }).first().click({ timeout: 10_000 });
  await page.locator('.tabs-container .tab.active', { hasText: relativePath.split('/').pop() }).waitFor({ timeout: 10_000 });
}

/** The command palette, filtered: the rows whose label is exactly `label`. */
async function paletteRows(page, label) {
  const input = page.locator('.quick-input-widget input:visible').first();
  // A palette left open would take F1 as a key to filter by: close it first.
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 5000 });
  await input.fill(`>${label}`);
  await page.waitForTimeout(300);
  return page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
}

export async function checks(page, check, { screenshot }) {
  await check('[ui] Run Current File with Tracking asks once for the experiment, suggesting the one the folder uses', async () => {
    await openFile(page, 'churnwork/evaluate.py');
    const rows = await paletteRows(page, 'MLOps: Run Current File with Tracking');
    await rows.first().click({ timeout: 5000 });
    // The palette's row gives way to the question (it reads the folder's runs first).
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'with tracking' }).waitFor({ timeout: 20_000 });
    const first = page.locator('.quick-input-widget .monaco-list-row').first();
    await first.waitFor({ state: 'visible', timeout: 5000 });
    const text = await first.innerText();
    if (!/churn-host/.test(text) || !/suggested: where the latest run of a file in churnwork went/.test(text)) throw new Error(`first choice: ${text}`);
    const title = await page.locator('.quick-input-widget .quick-input-title').innerText();
    if (!/Run evaluate\.py with tracking/.test(title)) throw new Error(`title: ${title}`);
    await screenshot('run-file-experiment-question');
    await page.keyboard.press('Enter');
    // Then the params box, which names the experiment and offers to change it.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'in experiment churn-host' }).waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget .quick-input-title .action-label.codicon-beaker, .quick-input-widget .codicon-beaker').first().waitFor({ timeout: 5000 });
    await screenshot('run-file-params');
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 });
  });

  await check('[ui] the command palette does not offer Run Current File with Tracking on a file that is not Python', async () => {
    await openFile(page, 'README.md');
    let count, otherCount;
    try {
      count = await (await paletteRows(page, 'MLOps: Run Current File with Tracking')).count();
      // The way to track another program is still there.
      otherCount = await (await paletteRows(page, 'MLOps: Run Command with Tracking…')).count();
    } finally {
      // The next checks click in the workbench: leave no palette over it.
      await page.keyboard.press('Escape');
    }
    if (count !== 0) throw new Error('the palette offers Run Current File with Tracking on README.md');
    if (otherCount !== 1) throw new Error('the palette does not offer Run Command with Tracking…');
  });
}
