// The runs table's "Compare (N)" button, clicked as a user does: it shows the
// selected runs in the comparison panel that is already open (no second panel).
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';
export async function checks(page, check, { screenshot }) {
  await check('[ui] the runs table\'s Compare (3) button shows the selected runs in the one comparison panel', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'MLOps Runs' }).first().click();
    const table = await findFrame(page, (f) => f.locator('.rt-row:not([hidden])').count().then((n) => n > 0), 20_000);
    if (!table) throw new Error('no runs table frame with rows');
    const rows = table.locator('.rt-row:not([hidden])');
    const names = [];
    await rows.nth(1).click();
    await rows.nth(3).click({ modifiers: ['Shift'] });
    for (const i of [1, 2, 3]) names.push(await rows.nth(i).getAttribute('data-run-id'));
    const button = table.locator('button', { hasText: 'Compare (3)' });
    await button.click();
    await page.locator('.tabs-container .tab', { hasText: 'Compare 3 runs' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    const tabs = await page.locator('.tabs-container .tab').allTextContents();
    const comparisons = tabs.filter((t) => /Compare \d+ runs?/.test(t));
    if (comparisons.length !== 1) throw new Error(`comparison tabs: ${comparisons.join(' | ')} (expected one)`);
    const panel = await findFrame(page, (f) => f.locator('.cmp-legend-item').count().then((n) => n === 3), 20_000);
    if (!panel) throw new Error('the comparison panel does not show 3 runs');
    const shown = await panel.locator('.cmp-table tbody td[title]').evaluateAll((cells) => cells.map((c) => c.getAttribute('title')));
    if (names.some((id) => !shown.includes(id))) throw new Error(`the panel shows ${shown.join(', ')}, selected ${names.join(', ')}`);
    await panel.locator('.mc-chart canvas').first().waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot('comparison-from-table');
  });
}
