// Setting the side bar's width as a user does: dragging the sash on its edge.

/** Drags the side bar's edge so that it is `width` px wide; returns the width it had. */
export async function setSidebarWidth(page, width) {
  const sidebar = page.locator('.part.sidebar').first();
  const box = await sidebar.boundingBox();
  if (!box) throw new Error('no side bar on screen');
  const edge = box.x + box.width;
  // The vertical sash nearest the side bar's right edge.
  const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((els) =>
    els.map((el, i) => {
      const r = el.getBoundingClientRect();
      return { i, x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height };
    }),
  );
  const sash = sashes.filter((s) => s.h > 100).sort((a, b) => Math.abs(a.x - edge) - Math.abs(b.x - edge))[0];
  if (!sash || Math.abs(sash.x - edge) > 6) throw new Error(`no sash at the side bar's edge (x ${edge}): ${JSON.stringify(sashes)}`);
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(sash.x + (box.x + width - edge) / 2, sash.y, { steps: 4 });
  await page.mouse.move(box.x + width, sash.y, { steps: 4 });
  await page.mouse.up();
  const after = await sidebar.boundingBox();
  if (!after || Math.abs(after.width - width) > 2) throw new Error(`the side bar is ${after?.width} px wide, not ${width}`);
  return box.width;
}
