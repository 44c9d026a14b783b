// The Experiments, Models and Pipelines views in a narrow (290 px) side bar:
// what a person looks for on a row (the outcome, the key metric, the alias, how
// long ago) shows without widening it. The suite ran pipes/demo and
// pipes/gated (pipelines.tests.ts): gated's runs carry the gate's metric
// evaluate/auc 0.91 (0.91005 for v2 of its model), and v1 holds @challenger
// moved back from v2.
import { setSidebarWidth } from './shared/sidebarWidth.mjs';
import { visibleRowTexts } from './shared/visibleRowText.mjs';

const WIDTH = 290;
const VIEWS = ['Experiments', 'Models', 'Pipelines', 'Deployments'];
const AGO = '(just now|\\d+[mhd] ago)';
// A name and the first part of its description that short fit any row of these views at 290 px
// (about 30 characters show at the deepest level): longer ones depend on names the suite does not choose.
const FITS = 26;

/** Unfolds the view `name` and folds the others of the container: it has the room. */
async function showOnly(page, name) {
  const pane = page.locator('.pane', { has: page.locator(`.pane-header[aria-label^="${name}"]`) });
  if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label^="MLOps"]').first().click();
  for (const other of VIEWS.filter((v) => v !== name)) {
    const header = page.locator(`.pane-header[aria-label^="${other}"]`).first();
    if ((await header.count()) && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }
  const header = page.locator(`.pane-header[aria-label^="${name}"]`).first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return pane;
}

/** The rendered rows once `found` picks what it needs from them, scrolling the list down while it does not. */
async function rowsWith(page, pane, found, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let rows = [];
  for (;;) {
    rows = await visibleRowTexts(pane);
    const result = found(rows);
    if (result) return { rows, result };
    if (Date.now() > deadline) throw new Error(`no ${what} in ${JSON.stringify(rows.map((r) => r.text))}`);
    // Rows below the fold are not rendered: scroll, and from the top again at the end (the view may still fill in).
    const list = pane.locator('.monaco-list').first();
    const box = await list.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const atEnd = await list.evaluate((el) => {
        const s = el.querySelector('.monaco-scrollable-element');
        return !s || s.scrollTop + s.clientHeight >= s.scrollHeight - 1;
      });
      await page.mouse.wheel(0, atEnd ? -100_000 : box.height / 2);
    }
    await page.waitForTimeout(300);
  }
}

/** Rows whose name and the first part of their description would fit but do not show whole. */
function firstPartsCut(rows) {
  return rows
    .map((r) => ({ ...r, start: `${r.label} ${r.description.split(' · ')[0]}` }))
    .filter((r) => r.description && r.start.length <= FITS && !r.seen.startsWith(r.start))
    .map((r) => `"${r.seen}" of "${r.text}"`);
}

function mustShow(row, pattern, what) {
  if (!new RegExp(pattern).test(row.seen)) throw new Error(`${what} is cut off or missing: "${row.seen}" of "${row.text}"`);
}

export async function checks(page, check, { screenshot }) {
  let before;
  const narrow = async () => {
    before ??= await setSidebarWidth(page, WIDTH);
  };
  try {
    await check(`[ui] in a ${WIDTH} px side bar the Pipelines view shows how long ago each pipeline ran and its gate's metric`, async () => {
      const pane = await showOnly(page, 'Pipelines');
      await narrow();
      const { rows, result: gated } = await rowsWith(page, pane, (rs) => rs.find((r) => r.label === 'gated' && /auc/.test(r.description)), 'gated pipeline row with its metric');
      await screenshot('sidebar-290-pipelines');
      mustShow(gated, `^gated ${AGO} · auc 0\\.91`, 'gated\'s time and gate metric');
      const demo = rows.find((r) => r.label === 'demo');
      if (demo) mustShow(demo, `^demo ${AGO}`, 'demo\'s time');
      const cut = firstPartsCut(rows);
      if (cut.length) throw new Error(`rows whose first part is cut off: ${cut.join('; ')}`);
    });

    await check(`[ui] in a ${WIDTH} px side bar the Models view shows a version's alias, the metric that let it in and how long ago`, async () => {
      const pane = await showOnly(page, 'Models');
      await narrow();
      // gated's versions: the rows after its own, up to the next model's.
      const versionsOfGated = (rs) => {
        const at = rs.findIndex((r) => r.label === 'gated');
        if (at < 0) return undefined;
        const after = rs.slice(at + 1);
        const end = after.findIndex((r) => !/^v\d+$/.test(r.label));
        const versions = end < 0 ? after : after.slice(0, end);
        return versions.some((r) => r.label === 'v1' && r.description.startsWith('@challenger (from v2)')) && versions.some((r) => r.label === 'v2') ? versions : undefined;
      };
      const { rows, result: versions } = await rowsWith(page, pane, versionsOfGated, 'v1 (with @challenger) and v2 of gated');
      await screenshot('sidebar-290-models');
      // The alias and where it came from before the metric: a move back is what the row must not hide.
      mustShow(versions.find((r) => r.label === 'v1'), '^v1 @challenger \\(from v2\\)', 'v1\'s alias and where it came from');
      mustShow(versions.find((r) => r.label === 'v2'), `^v2 auc 0\\.91\\d* · ${AGO}`, 'v2\'s gate metric and time');
      const cut = firstPartsCut(rows);
      if (cut.length) throw new Error(`rows whose first part is cut off: ${cut.join('; ')}`);
    });

    await check(`[ui] in a ${WIDTH} px side bar the Experiments view shows a pipeline run's gate metric and how long ago it ran`, async () => {
      const pane = await showOnly(page, 'Experiments');
      await narrow();
      const { rows, result: gatedRuns } = await rowsWith(page, pane, (rs) => {
        const found = rs.filter((r) => r.label === 'gated' && /auc/.test(r.description));
        return found.length ? found : undefined;
      }, 'gated pipeline run');
      await screenshot('sidebar-290-experiments');
      for (const run of gatedRuns) mustShow(run, `^gated auc 0\\.91\\d* · ${AGO}`, 'the pipeline run\'s gate metric and time');
      const cut = firstPartsCut(rows);
      if (cut.length) throw new Error(`rows whose first part is cut off: ${cut.join('; ')}`);
    });
  } finally {
    if (before !== undefined) await setSidebarWidth(page, before).catch(() => {});
  }
}
