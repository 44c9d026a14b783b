// Browser-side checks of the runs table panel (the suite left it open on its
// 13-run experiment; virtualisation with 5,000 runs is asserted in the suite).
async function tableFrame(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (!frame.url().includes('/contrib/webview/browser/pre/')) continue;
      try {
        if ((await frame.locator('.rt-row:not([hidden])').count()) > 0) return frame;
      } catch {
        // the frame went away while we looked
      }
    }
    await page.waitForTimeout(200);
  }
  const urls = page.frames().map((f) => f.url().replace(/\?.*/, '')).join(', ');
  throw new Error(`no webview frame with the runs table among ${urls}`);
}

export async function checks(page, check, { screenshot }) {
  await check('[ui] the runs table shows virtualised rows under grouped column headers', async () => {
    // Another panel may be in front: bring the runs table's tab forward.
    const tab = page.getByRole('tab', { name: /MLOps Runs/ }).first();
    if (await tab.count()) await tab.click();
    let frame = await tableFrame(page, 5_000).catch(() => undefined);
    if (!frame) {
      // Through the command palette, as a user would: the open panel is revealed.
      await page.keyboard.press('F1');
      await page.keyboard.type('MLOps: Open Runs Table');
      await page.waitForTimeout(300);
      await page.keyboard.press('Enter');
      frame = await tableFrame(page, 20_000).catch(async (err) => {
        await screenshot('runs-table-missing');
        throw err;
      });
    }
    await frame.locator('.rt-row:not([hidden])').first().waitFor({ state: 'visible', timeout: 20_000 });
    const rows = await frame.locator('.rt-row:not([hidden])').count();
    if (rows !== 13) throw new Error(`${rows} rows in the DOM (expected 13)`);
    const headers = await frame.locator('.rt-hcell').allTextContents();
    for (const h of ['Status', 'Name', 'Started', 'model', 'acc', 'team']) {
      if (!headers.some((t) => t.startsWith(h))) throw new Error(`no header ${h} in ${headers.join(', ')}`);
    }
    const groups = await frame.locator('.rt-gcell').allTextContents();
    for (const g of ['Parameters', 'Metrics', 'Tags']) if (!groups.some((t) => t.toLowerCase() === g.toLowerCase())) throw new Error(`no group ${g} in ${groups.join(', ')}`);
    // Select a range the way a user does, so the screenshot shows selection and the Compare count.
    await frame.locator('.rt-row:not([hidden])').nth(1).click();
    await frame.locator('.rt-row:not([hidden])').nth(3).click({ modifiers: ['Shift'] });
    const compare = await frame.locator('button', { hasText: 'Compare' }).first().textContent();
    if (!compare.includes('(3)')) throw new Error(`compare button says ${compare}`);
    await screenshot('runs-table');
  });
}
