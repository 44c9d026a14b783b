// Browser-side checks of the runs table's groups, as a user meets them: the
// suite made an experiment "groups-…" with three runs of a pipeline (steps
// prepare/train/evaluate), a sweep of 8 trials and 6 baseline runs, and left the
// table on another experiment. Picked in the panel's experiment list here; the
// table goes back to that experiment at the end (the later checks expect it).
import { findWebviewFrame } from './shared/webviewFrame.mjs';

export async function checks(page, check, { screenshot }) {
  await check('[ui] the runs table groups a pipeline\'s steps and a sweep\'s trials under their parent, collapsible by mouse and keyboard, mostly empty columns behind a "show" control', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'MLOps Runs' }).first().click();
    const frame = await findWebviewFrame(page, (f) => f.locator('.rt-row:not([hidden])').count().then((n) => n > 0), 20_000);
    if (!frame) throw new Error('no runs table frame with rows');
    const picker = frame.locator('.rt-toolbar select').first();
    const before = await picker.inputValue();
    const options = await picker.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent })));
    const groups = options.find((o) => o.label.startsWith('groups-'));
    if (!groups) throw new Error(`no groups-… experiment among ${options.map((o) => o.label).join(', ')}`);
    try {
      await picker.selectOption(groups.value);
      await frame.waitForFunction(() => document.querySelectorAll('.rt-row:not([hidden])[aria-expanded]').length === 4, undefined, { timeout: 20_000 });

      const names = await frame.locator('.rt-row:not([hidden]) .rt-name').allTextContents();
      for (const n of ['churn (lr=0.3)', 'churn (lr=0.1) #1', 'churn (lr=0.1) #2', 'trial (lr=0.01)', 'prepare', 'sweep']) {
        if (!names.includes(n)) throw new Error(`no row named "${n}" among ${names.join(' | ')}`);
      }
      // Metrics before params.
      const headers = await frame.locator('.rt-hcell').allTextContents();
      if (!(headers.indexOf('auc') >= 0 && headers.indexOf('auc') < headers.indexOf('lr'))) throw new Error(`headers: ${headers.join(', ')}`);
      // Nothing cut off: every header and name fits its column.
      const cut = await frame.locator('.rt-hcell, .rt-row:not([hidden]) .rt-cell').evaluateAll((cells) =>
        cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent),
      );
      if (cut.length) throw new Error(`cut-off cells: ${cut.slice(0, 10).join(' | ')}`);
      const control = frame.locator('button.rt-link');
      const text = await control.textContent();
      if (text !== '3 columns hidden (mostly empty or repeated) — show') throw new Error(`the hidden-columns control says "${text}"`);
      await screenshot('runs-table-groups');

      // The disclosure triangle folds a pipeline run's steps away, and back.
      const churn = frame.locator('.rt-row:not([hidden])', { has: frame.locator('.rt-name', { hasText: /^churn \(lr=0\.3\)$/ }) });
      const rows = () => frame.locator('.rt-row:not([hidden])').count();
      const all = await rows();
      await churn.locator('.rt-twisty').click();
      await frame.waitForFunction((n) => document.querySelectorAll('.rt-row:not([hidden])').length === n, all - 3, { timeout: 5_000 });
      if ((await churn.getAttribute('aria-expanded')) !== 'false') throw new Error('the pipeline run did not collapse');
      // From the keyboard: the row is the active one; Right expands, Left collapses.
      await frame.locator('.rt-scroll').focus();
      await page.keyboard.press('ArrowRight');
      await frame.waitForFunction((n) => document.querySelectorAll('.rt-row:not([hidden])').length === n, all, { timeout: 5_000 });
      await page.keyboard.press('ArrowLeft');
      await frame.waitForFunction((n) => document.querySelectorAll('.rt-row:not([hidden])').length === n, all - 3, { timeout: 5_000 });
      await screenshot('runs-table-group-collapsed');
      await page.keyboard.press('Enter');
      await frame.waitForFunction((n) => document.querySelectorAll('.rt-row:not([hidden])').length === n, all, { timeout: 5_000 });

      // "show" brings the mostly empty columns, and the control offers to hide them again.
      await control.click();
      await frame.locator('.rt-hcell', { hasText: /^note$/ }).waitFor({ state: 'visible', timeout: 5_000 });
      if ((await control.textContent()) !== 'Hide 3 mostly empty or repeated columns') throw new Error(`after show: "${await control.textContent()}"`);
      await control.click();
      await frame.locator('.rt-hcell', { hasText: /^note$/ }).waitFor({ state: 'detached', timeout: 5_000 });
    } finally {
      await picker.selectOption(before).catch(() => undefined);
      await frame.waitForFunction(() => document.querySelectorAll('.rt-row:not([hidden])[aria-expanded]').length === 0 && document.querySelectorAll('.rt-row:not([hidden])').length === 13, undefined, { timeout: 20_000 }).catch(() => undefined);
    }
  });
}
