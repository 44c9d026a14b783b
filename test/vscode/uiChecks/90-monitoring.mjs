// Browser-side checks of a deployment's Monitoring panel (the suite left
// "Monitoring: churn" open on the drifting fixture: 7 of 20 features drifted,
// a challenger with labels, 60 drift windows, 5 minutes of traffic), in the
// dark theme: every chart drew in theme colours, nothing overlaps, the table
// selects a feature by click and sorts by a column; screenshots of each part.
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';
import { useDarkTheme } from './shared/colorTheme.mjs';

const TAB = 'Monitoring: churn';
const QUIET_TAB = 'Monitoring: churn-quiet';
const ROW = (feature) => `.mon-features tr[data-feature="${feature}"]`;
const LEGEND = (feature) => `.mon-legend-item[data-feature="${feature}"]`;
/** An editor tab by its exact title ("Monitoring: churn" is also the start of "Monitoring: churn-quiet"). */
const tab = (page, title) => page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
/** The webview frame of the panel whose title (h1) is `deployment`. */
const panelFrame = (page, deployment, timeoutMs = 15_000) =>
  findFrame(page, async (f) => (await f.evaluate(() => document.querySelector('.mon-title h1')?.textContent ?? '')) === deployment && !!(await f.$('.mon-legend-item')), timeoutMs);

export async function checks(page, check, { screenshot }) {
  await check('[ui] the Monitoring panel draws its charts, banner and table without overlaps, in the dark theme', async () => {
    await tab(page, TAB).click();
    // The palette's list may redraw under the click on a loaded machine: once more from the start.
    await useDarkTheme(page).catch(async () => {
      await page.keyboard.press('Escape');
      await useDarkTheme(page);
    });
    // Room for the dashboard: hide the bottom panel (terminal) if it is open.
    await page.locator('.part.panel [aria-label^="Hide Panel"], .part.panel [aria-label^="Close Panel"]').first().click({ timeout: 2000 }).catch(() => {});
    const frame = await findFrame(page, ROW('monthly_charges'), 20_000);
    if (!frame) throw new Error(`no webview frame with the features of ${TAB}`);
    // The theme switch redraws the charts: wait for a poll to have drawn too.
    await page.waitForTimeout(2500);
    await frame.evaluate(() => window.scrollTo(0, 0));
    const drawn = await frame.evaluate(() => {
      const visible = (el) => !el.closest('[hidden]') && el.getBoundingClientRect().height > 0;
      // A canvas drew when enough of its pixels are not transparent; and in how many colours.
      const canvases = [...document.querySelectorAll('canvas')].filter(visible).map((c) => {
        const ctx = c.getContext('2d');
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        let painted = 0;
        const colours = new Set();
        for (let i = 0; i < data.length; i += 16) {
          if (data[i + 3] > 0) {
            painted++;
            colours.add(`${data[i] >> 4},${data[i + 1] >> 4},${data[i + 2] >> 4}`);
          }
        }
        const card = c.closest('[data-card]')?.getAttribute('data-card');
        return { card, label: c.getAttribute('aria-label'), w: c.clientWidth, h: c.clientHeight, painted, colours: colours.size };
      });
      const cards = [...document.querySelectorAll('.mon-card[data-card]')].filter(visible).map((el) => {
        const r = el.getBoundingClientRect();
        return { card: el.getAttribute('data-card'), x: r.x, y: r.y, w: r.width, h: r.height };
      });
      // Text cut off inside the header, the banner or a card head.
      const clipped = [...document.querySelectorAll('.mon-head *, .mon-banner *, .mon-card-head *')]
        .filter((el) => visible(el) && el.children.length === 0 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible')
        .map((el) => el.textContent);
      // Content wider than its card (a cut column, a table spilling out of its border).
      const overflowing = [...document.querySelectorAll('.mon-card-body, .mon-table-wrap')]
        .filter((el) => visible(el) && el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.closest('[data-card]')?.getAttribute('data-card')}: ${el.scrollWidth} > ${el.clientWidth}`);
      const banner = document.querySelector('.mon-banner');
      return {
        canvases,
        cards,
        clipped,
        overflowing,
        banner: visible(banner) ? banner.querySelector('.mon-banner-text').textContent : null,
        retrain: !!banner.querySelector('vscode-button') && visible(banner.querySelector('vscode-button')),
        rows: [...document.querySelectorAll('.mon-features tr[data-feature]')].map((tr) => tr.getAttribute('data-feature')),
        drifted: document.querySelectorAll('.mon-features tr.mon-drifted').length,
        selected: document.querySelector('.mon-features tr.mon-selected')?.getAttribute('data-feature'),
        pill: document.querySelector('.mon-pill')?.textContent,
        pillColour: getComputedStyle(document.querySelector('.mon-pill')).color,
        dark: document.body.classList.contains('vscode-dark'),
      };
    });
    if (!drawn.dark) throw new Error('the webview is not in the dark theme');
    if (drawn.pill !== 'drift' || !/^rgb/.test(drawn.pillColour)) throw new Error(`status pill: ${drawn.pill} in ${drawn.pillColour}`);
    if (!/7 of 20 features drifted/.test(drawn.banner ?? '') || !drawn.retrain) throw new Error(`banner: ${drawn.banner}, Retrain shown: ${drawn.retrain}`);
    if (drawn.canvases.length !== 6) throw new Error(`${drawn.canvases.length} charts on screen, expected 6: ${JSON.stringify(drawn.canvases)}`);
    for (const c of drawn.canvases) {
      if (c.w < 250 || c.h < 150) throw new Error(`chart too small to read: ${JSON.stringify(c)}`);
      // Axes and labels alone paint a few hundred sampled pixels in two or three colours; series add more of both.
      if (c.painted < 400 || c.colours < 3) throw new Error(`chart looks empty: ${JSON.stringify(c)}`);
    }
    for (let i = 0; i < drawn.cards.length; i++) {
      for (let j = i + 1; j < drawn.cards.length; j++) {
        const a = drawn.cards[i];
        const b = drawn.cards[j];
        const overlap = a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
        if (overlap) throw new Error(`cards overlap: ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
      }
    }
    if (drawn.clipped.length) throw new Error(`text cut off: ${drawn.clipped.join(' | ')}`);
    if (drawn.overflowing.length) throw new Error(`wider than its card: ${drawn.overflowing.join(' | ')}`);
    if (drawn.rows.length !== 21 || drawn.rows[0] !== 'prediction' || drawn.drifted !== 8) throw new Error(`table: ${drawn.rows.join(', ')} (${drawn.drifted} drifted)`);
    if (drawn.selected !== 'monthly_charges') throw new Error(`selected ${drawn.selected}`);
    await screenshot('monitoring-top');
    await frame.evaluate(() => document.querySelector('[data-card="features"]').scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    await screenshot('monitoring-features');
    await frame.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForTimeout(300);
    await screenshot('monitoring-traffic');
  });

  await check('[ui] the Monitoring panel shows a clicked feature\'s histogram and sorts the table by a column', async () => {
    const frame = await findFrame(page, ROW('plan'), 10_000);
    if (!frame) throw new Error('no Monitoring frame');
    await frame.evaluate(() => document.querySelector('[data-card="features"]').scrollIntoView({ block: 'start' }));
    await frame.click(`${ROW('plan')} td`);
    await frame.waitForSelector(`${ROW('plan')}.mon-selected`, { timeout: 5000 });
    const facts = await frame.evaluate(() => ({ text: document.querySelector('.mon-hist-facts').textContent, select: document.querySelector('.mon-select').value }));
    if (!/^plan · categorical · chisquare p-value/.test(facts.text) || facts.select !== 'plan') throw new Error(`histogram of plan: ${JSON.stringify(facts)}`);
    await page.waitForTimeout(300);
    await screenshot('monitoring-plan-selected');
    // Keyboard: down from plan selects the next row.
    await frame.press(`${ROW('plan')}`, 'ArrowDown');
    const next = await frame.evaluate(() => document.querySelector('.mon-features tr.mon-selected')?.getAttribute('data-feature'));
    if (!next || next === 'plan') throw new Error(`ArrowDown selected ${next}`);
    // By name, A to Z; then back to drifted first.
    await frame.click('.mon-features th button:text-is("Feature")');
    const byName = await frame.evaluate(() => [...document.querySelectorAll('.mon-features tbody:not(.mon-pred) tr')].map((tr) => tr.getAttribute('data-feature')));
    const sorted = [...byName].sort((a, b) => a.localeCompare(b));
    if (byName.join() !== sorted.join()) throw new Error(`not sorted by name: ${byName.join(', ')}`);
    await frame.click('.mon-features th button:text-is("Verdict")');
    const first = await frame.evaluate(() => document.querySelector('.mon-features tbody:not(.mon-pred) tr')?.getAttribute('data-feature'));
    if (first !== 'monthly_charges') throw new Error(`drifted first again: ${first}`);
  });

  await check('[ui] the Monitoring panel explains what is missing: monitoring off (how to turn it on) and too few rows (how many more)', async () => {
    for (const [name, heading, shot] of [
      ['Monitoring: fraud', 'Drift monitoring is off for this deployment', 'monitoring-off'],
      ['Monitoring: scoring', 'Waiting for 63 more requests', 'monitoring-waiting'],
    ]) {
      await tab(page, name).click();
      const frame = await findFrame(page, async (f) => (await f.evaluate(() => document.querySelector('[data-card="explain"] h3')?.textContent ?? '')) === heading, 15_000);
      if (!frame) throw new Error(`no frame explaining "${heading}"`);
      const seen = await frame.evaluate(() => {
        const box = document.querySelector('[data-card="explain"]');
        const wide = [...document.querySelectorAll('.mon-card-body')].filter((el) => !el.closest('[hidden]') && el.scrollWidth > el.clientWidth + 1).length;
        return { text: box.textContent, wide, charts: [...document.querySelectorAll('canvas')].filter((c) => !c.closest('[hidden]')).length, traffic: document.querySelector('[data-card="requests"] .mon-canvas-empty:not([hidden])')?.textContent ?? null };
      });
      if (seen.wide) throw new Error(`${name}: content wider than its card`);
      if (name.endsWith('fraud')) {
        if (!seen.text.includes('--reference training') || !seen.text.includes('How monitoring works')) throw new Error(`how to turn monitoring on is not said: ${seen.text}`);
        if (seen.charts !== 0 || !/No requests yet/.test(seen.traffic ?? '')) throw new Error(`off, no traffic: ${seen.charts} charts, ${seen.traffic}`);
      } else if (!/holds 37/.test(seen.text)) throw new Error(`how many rows the window holds is not said: ${seen.text}`);
      await page.waitForTimeout(300);
      await screenshot(shot);
    }
    await tab(page, TAB).click();
  });

  await check('[ui] the Monitoring panel breaks its lines at a pause and a reference change; the scores legend hides and shows lines (mouse and keyboard); the choices outlive the webview', async () => {
    await tab(page, QUIET_TAB).click();
    let frame = await panelFrame(page, 'churn-quiet');
    if (!frame) throw new Error(`no webview frame of ${QUIET_TAB}`);
    await frame.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await screenshot('monitoring-breaks-drift');
    await frame.evaluate(() => document.querySelector('[data-card="requests"]').scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    await screenshot('monitoring-breaks-traffic');

    const legend = () =>
      frame.evaluate(() => ({
        items: [...document.querySelectorAll('.mon-legend-item')].map((b) => ({ feature: b.getAttribute('data-feature'), pressed: b.getAttribute('aria-pressed'), tag: b.tagName, colour: getComputedStyle(b.querySelector('.mon-swatch')).borderTopColor })),
        figure: document.querySelector('[data-card="scores"] .mon-card-figure').textContent,
        selected: document.querySelector('.mon-features tr.mon-selected')?.getAttribute('data-feature'),
        focused: document.activeElement?.getAttribute('data-feature') ?? null,
      }));
    const first = await legend();
    if (first.items.length !== 21 || first.items.some((i) => i.tag !== 'BUTTON' || i.pressed !== 'true')) throw new Error(`a legend button per feature, all shown: ${JSON.stringify(first.items)}`);
    if (new Set(first.items.slice(0, 9).map((i) => i.colour)).size !== 9) throw new Error(`the legend's swatches do not tell the lines apart: ${JSON.stringify(first.items)}`);
    // Mouse: hide age. Keyboard: Tab onto the next button, Enter hides it, Space shows it again.
    await frame.evaluate(() => document.querySelector('[data-card="scores"]').scrollIntoView({ block: 'start' }));
    await frame.click(LEGEND('age'));
    await page.keyboard.press('Tab');
    const next = (await legend()).focused;
    if (!next || next === 'age') throw new Error(`Tab did not move to the next legend button: ${next}`);
    await page.keyboard.press('Enter');
    let seen = await legend();
    const pressed = (f) => seen.items.find((i) => i.feature === f)?.pressed;
    if (pressed('age') !== 'false' || pressed(next) !== 'false' || !/2 lines hidden/.test(seen.figure)) throw new Error(`hidden by click and Enter: ${JSON.stringify(seen)}`);
    await page.keyboard.press(' ');
    seen = await legend();
    if (pressed(next) !== 'true' || !/1 line hidden/.test(seen.figure)) throw new Error(`Space shows it again: ${JSON.stringify(seen)}`);
    await page.waitForTimeout(300);
    await screenshot('monitoring-legend-age-hidden');

    // Choose a feature in the table; the webview is discarded behind another tab and made again when shown.
    await frame.click(`${ROW('income')} td`);
    await frame.waitForSelector(`${ROW('income')}.mon-selected`, { timeout: 5000 });
    await tab(page, TAB).click();
    await page.waitForTimeout(500);
    await tab(page, QUIET_TAB).click();
    frame = await panelFrame(page, 'churn-quiet');
    if (!frame) throw new Error(`no webview frame of ${QUIET_TAB} after showing it again`);
    await frame.waitForSelector(`${ROW('income')}.mon-selected`, { timeout: 10_000 });
    seen = await legend();
    if (pressed('age') !== 'false' || seen.selected !== 'income') throw new Error(`after the webview was made again: ${JSON.stringify(seen)}`);
    await tab(page, TAB).click();
  });
}
