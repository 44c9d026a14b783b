// The Deployments view in a narrow (290 px) side bar: each row's important part
// shows without the user widening it. The suite left "churn-live" running and
// drifting (monitoringLive.tests.ts), one champion variant.
import { setSidebarWidth } from './shared/sidebarWidth.mjs';
import { visibleRowTexts } from './shared/visibleRowText.mjs';

const WIDTH = 290;

export async function checks(page, check, { screenshot }) {
  await check(`[ui] the Deployments view reads in a ${WIDTH} px side bar: the deployment's drift and its variant's version are not cut off`, async () => {
    const pane = page.locator('.pane', { has: page.locator('.pane-header[aria-label^="Deployments"]') });
    if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label^="MLOps"]').first().click();
    // The other views of the container folded: the Deployments view has the room.
    for (const name of ['Experiments', 'Models', 'Pipelines']) {
      const header = page.locator(`.pane-header[aria-label^="${name}"]`).first();
      if ((await header.count()) && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    const header = page.locator('.pane-header[aria-label^="Deployments"]').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const before = await setSidebarWidth(page, WIDTH);
    try {
      const row = pane.locator('.monaco-list-row', { hasText: 'churn-live' }).first();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await pane.locator('.monaco-list-row', { hasText: 'drift in 4 features' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      const rows = await visibleRowTexts(pane);
      await screenshot('deployments-sidebar-290');
      const deployment = rows.find((r) => r.text.startsWith('churn-live'));
      if (!deployment) throw new Error(`no churn-live row: ${JSON.stringify(rows)}`);
      if (!/drift in 4 features/.test(deployment.seen)) throw new Error(`the drift is cut off: "${deployment.seen}" of "${deployment.text}"`);
      const variant = rows.find((r) => /champion/.test(r.text));
      if (!variant) throw new Error(`no variant row: ${JSON.stringify(rows)}`);
      if (!/\bv1\b/.test(variant.seen)) throw new Error(`the variant's version is cut off: "${variant.seen}" of "${variant.text}"`);
    } finally {
      await setSidebarWidth(page, before).catch(() => {});
    }
  });
}
