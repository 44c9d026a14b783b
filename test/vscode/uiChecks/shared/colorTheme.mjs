// The workbench's colour theme, switched as a user would (the host starts light;
// panels are screenshot dark).

/** Preferences: Color Theme → Dark 2026 (VS Code's default dark theme), through the command palette as a user would. */
export async function useDarkTheme(page) {
  if (await page.locator('.monaco-workbench.vs-dark').count()) return;
  // Keys pressed while a webview has the focus stay in its frame: give the workbench the focus first.
  const input = page.locator('.quick-input-widget input').first();
  for (let attempt = 0; attempt < 3 && !(await input.isVisible()); attempt++) {
    await page.locator('.part.sidebar .title-label').first().click();
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
  }
  await input.waitFor({ state: 'visible', timeout: 2000 });
  await input.fill('>Preferences: Color Theme');
  // Exactly that command: "Browse Color Themes in Marketplace" matches the words too.
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^Preferences: Color Theme$/ }) });
  await row.first().click({ timeout: 5000 });
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Dark 2026' }).first().click({ timeout: 5000 });
  await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 10_000 });
}
