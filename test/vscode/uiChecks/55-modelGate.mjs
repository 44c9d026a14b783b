// Browser-side check of the registry panel of "gated" (the pipelines suite
// registered it through a pipeline with a gate on evaluate's test AUC, two
// versions 0.00005 apart, and left the panel open): the gate's metric is shown
// beside the training metrics, and the version chart does not make a cliff of
// the difference.
import { findWebviewFrame as findFrame } from './shared/webviewFrame.mjs';

export async function checks(page, check, { screenshot }) {
  await check('[ui] the registry panel shows the promotion gate\'s metric beside the training metrics, and a version chart with an honest y-axis', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'Model gated' }).first().click();
    const frame = await findFrame(page, '#md-versions th[data-gate="true"]', 20_000);
    if (!frame) throw new Error('no registry panel of gated with a gate column');
    const seen = await frame.evaluate(() => ({
      headers: [...document.querySelectorAll('.md-versions thead th')].map((th) => th.textContent.trim()),
      gateCell: document.querySelector('.md-versions tbody td.md-gate-col')?.textContent.trim(),
      lineageGate: document.querySelector('#md-lineage dd[data-gate="true"]')?.textContent.trim(),
      axisNote: document.querySelector('.md-axis-note')?.textContent.trim(),
      canvas: (() => {
        const c = document.querySelector('#md-chart canvas');
        return c ? { w: c.width, h: c.height } : null;
      })(),
    }));
    const metricHeaders = seen.headers.slice(6);
    if (!/^evaluate\/auc\s*gate$/i.test(metricHeaders[0] ?? '') || !metricHeaders.includes('train_loss')) throw new Error(`metric columns: ${JSON.stringify(metricHeaders)}`);
    if (!/^0\.91/.test(seen.gateCell ?? '')) throw new Error(`the gate column's first value: ${seen.gateCell}`);
    if (!/evaluate\/auc 0\.91/.test(seen.lineageGate ?? '') || !/needs ≥ 0\.8: yes/.test(seen.lineageGate ?? '')) throw new Error(`the lineage's gate: ${seen.lineageGate}`);
    if (!/differ by 0\.00005 at most: the y-axis spans 0\.0\d+ \(0\.\d+ to 0\.\d+\)/.test(seen.axisNote ?? '') || !/not as a cliff/.test(seen.axisNote ?? '')) throw new Error(`the chart's axis note: ${seen.axisNote}`);
    if (!seen.canvas || seen.canvas.w === 0) throw new Error('no chart canvas');
    await screenshot('model-panel-gate');
    await frame.evaluate(() => document.querySelector('#md-chart')?.scrollIntoView({ block: 'start' }));
    await screenshot('model-panel-gate-chart');
  });
}
