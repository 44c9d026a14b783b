// Finding a panel's webview in the workbench page: each webview is an iframe
// (VS Code's pre/ host page) whose content frame holds the panel's DOM.

/**
 * The first webview frame that has `selector` (a CSS selector), or for which
 * `selector(frame)` resolves true; undefined after `timeoutMs`.
 */
export async function findWebviewFrame(page, selector, timeoutMs) {
  const matches = typeof selector === 'function' ? selector : async (frame) => !!(await frame.$(selector));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (!frame.url().includes('/contrib/webview/browser/pre/')) continue;
      try {
        if (await matches(frame)) return frame;
      } catch {
        // a frame that went away while looking
      }
    }
    await page.waitForTimeout(250);
  }
  return undefined;
}
