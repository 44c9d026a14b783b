// Browser-side checks of the pipeline DAG panel (the suite left "churn (DAG)"
// open on a mid-run status: a cached prepare, a stale
// featurize, then the diamond train_a (running) / train_b (failed) → evaluate
// (not run), and a register step never run).
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';
import { useDarkTheme } from './shared/colorTheme.mjs';
const TAB = 'churn (DAG)';

export async function checks(page, check, { screenshot }) {
  await check('[ui] the pipeline DAG panel draws six steps and six arrows in theme colours by status', async () => {
    await page.locator('.tabs-container .tab', { hasText: TAB }).first().click();
    // This is the last check: the panel is screenshot in a dark theme (the host starts light).
    await useDarkTheme(page);
    // Room for the graph: hide the bottom panel (terminal) if it is open.
    await page.locator('.part.panel [aria-label^="Hide Panel"], .part.panel [aria-label^="Close Panel"]').first().click({ timeout: 2000 }).catch(() => {});
    const frame = await findFrame(page, '.dag-node[data-step="register"]', 20_000);
    if (!frame) throw new Error(`no webview frame with the DAG of ${TAB}`);
    const drawn = await frame.evaluate(() => {
      const nodes = [...document.querySelectorAll('.dag-node')].map((g) => {
        const box = g.querySelector('.dag-box');
        const r = g.getBoundingClientRect();
        return { step: g.getAttribute('data-step'), status: g.getAttribute('data-status'), shape: box.tagName, stroke: getComputedStyle(box).stroke, badges: [...g.querySelectorAll('.dag-badge')].map((b) => b.getAttribute('data-badge')), w: r.width, h: r.height };
      });
      const edges = [...document.querySelectorAll('.dag-edge')].map((p) => ({ d: p.getAttribute('d'), marker: p.getAttribute('marker-end'), length: p.getTotalLength() }));
      return { nodes, edges };
    });
    if (drawn.nodes.length !== 6) throw new Error(`${drawn.nodes.length} boxes drawn, expected 6`);
    if (drawn.edges.length !== 6 || drawn.edges.some((e) => !e.marker || e.length < 20)) throw new Error(`edges: ${JSON.stringify(drawn.edges)}`);
    const by = Object.fromEntries(drawn.nodes.map((n) => [n.step, n]));
    const expected = { prepare: 'cached', featurize: 'finished', train_a: 'running', train_b: 'failed', evaluate: 'not-run', register: 'never' };
    for (const [step, status] of Object.entries(expected)) if (by[step]?.status !== status) throw new Error(`${step} is ${by[step]?.status}, expected ${status}`);
    if (by.register.shape !== 'polygon' || by.train_a.shape !== 'rect') throw new Error('register steps are hexagons, run steps rounded boxes');
    if (!by.featurize.badges.includes('stale') || !by.prepare.badges.includes('cached')) throw new Error(`badges: ${JSON.stringify(drawn.nodes.map((n) => [n.step, n.badges]))}`);
    // The theme gave each status its own colour (none left unresolved).
    const strokes = new Set(['finished', 'failed', 'running', 'never'].map((s) => drawn.nodes.find((n) => n.status === s).stroke));
    if (strokes.size !== 4 || [...strokes].some((c) => !/^rgb/.test(c))) throw new Error(`status colours: ${[...strokes].join(', ')}`);
    if (drawn.nodes.some((n) => n.w < 60 || n.h < 20)) throw new Error(`boxes too small to read: ${JSON.stringify(drawn.nodes)}`);
    // No text sticks out of its box (a long status line gives up the step's kind).
    const overflowing = await frame.evaluate(() =>
      [...document.querySelectorAll('.dag-node')].flatMap((g) => {
        const box = g.querySelector('.dag-box').getBoundingClientRect();
        return [...g.querySelectorAll('.dag-name, .dag-meta')].filter((t) => t.getBoundingClientRect().right > box.right - 2).map((t) => `${g.getAttribute('data-step')}: ${t.textContent}`);
      }),
    );
    if (overflowing.length) throw new Error(`text past its box: ${overflowing.join(' | ')}`);
    // A panel made smaller (a terminal opening below it) fits the graph again, as nobody has moved it.
    const viewport = page.viewportSize();
    const inView = () =>
      frame.evaluate(() => {
        const view = document.querySelector('.dag-viewport').getBoundingClientRect();
        const nodes = [...document.querySelectorAll('.dag-node')].map((g) => g.getBoundingClientRect());
        return nodes.every((r) => r.top >= view.top - 1 && r.bottom <= view.bottom + 1 && r.left >= view.left - 1 && r.right <= view.right + 1);
      });
    try {
      await page.setViewportSize({ width: viewport.width, height: viewport.height - 320 });
      await frame.waitForFunction(() => true, null, { timeout: 1000 }).catch(() => {});
      const deadline = Date.now() + 5000;
      while (!(await inView()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (!(await inView())) throw new Error('after the panel shrank, steps are out of view: the graph was not fitted again');
    } finally {
      await page.setViewportSize(viewport);
    }
    await screenshot('pipeline-dag');
  });

  await check('[ui] the pipeline DAG panel selects a step by click and by arrow keys, offers its actions, and explains it on hover', async () => {
    const frame = await findFrame(page, '.dag-node[data-step="train_b"]', 10_000);
    if (!frame) throw new Error('no DAG frame');
    await frame.click('.dag-node[data-step="train_b"] .dag-name');
    await frame.waitForSelector('.dag-node[data-step="train_b"].dag-selected', { timeout: 5000 });
    const actions = await frame.evaluate(() => [...document.querySelectorAll('.dag-selbar vscode-button')].map((b) => b.textContent.trim()));
    for (const a of ['Run Step', 'Run From Step', 'Open Run', 'Go to Definition']) if (!actions.includes(a)) throw new Error(`no ${a} for the selected step: ${actions.join(', ')}`);
    // Along the edges: right from train_b is evaluate, left again is a step it needs.
    await frame.press('.dag-viewport', 'ArrowRight');
    await frame.waitForSelector('.dag-node[data-step="evaluate"][aria-selected="true"]', { timeout: 5000 });
    await frame.press('.dag-viewport', 'ArrowLeft');
    const back = await frame.evaluate(() => document.querySelector('.dag-node[aria-selected="true"]')?.getAttribute('data-step'));
    if (back !== 'train_a' && back !== 'train_b') throw new Error(`ArrowLeft from evaluate selected ${back}`);
    await frame.click('.dag-node[data-step="train_b"] .dag-name');
    await frame.hover('.dag-node[data-step="featurize"] .dag-name');
    await frame.waitForFunction(() => /^featurize/.test(document.querySelector('.dag-tooltip:not([hidden])')?.textContent ?? ''), null, { timeout: 5000 }).catch(() => {});
    const tip = await frame.evaluate(() => document.querySelector('.dag-tooltip').textContent);
    if (!/stale/.test(tip) || !/features\.py/.test(tip)) throw new Error(`the tooltip does not say why featurize is stale: ${tip}`);
    await screenshot('pipeline-dag-selected');
  });

  await check('[ui] Quick Open of the pipeline file\'s name offers the YAML file first, not its open DAG panel', async () => {
    await page.locator('.tabs-container .tab', { hasText: TAB }).first().click();
    // F1, then the query without its ">": Quick Open's file and recent-editor picks, as Ctrl+P gives them.
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('churn.pipeline');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 10_000 });
    // File results join the recent editors a moment later.
    await page.waitForFunction(() => [...document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row')].some((r) => /churn\.pipeline\.yaml/.test(r.getAttribute('aria-label') ?? '')), null, { timeout: 10_000 }).catch(() => {});
    const labels = await rows.evaluateAll((all) => all.map((r) => r.getAttribute('aria-label') ?? ''));
    await screenshot('pipeline-quick-open');
    await page.keyboard.press('Escape');
    if (!/churn\.pipeline\.yaml/.test(labels[0] ?? '') || /DAG/.test(labels[0] ?? '')) throw new Error(`the first pick is not the pipeline file: ${labels.join(' | ')}`);
  });
}
