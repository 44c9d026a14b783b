// What the two browser smoke runners (the installed VSIX, npm start) share: named
// checks printed as "ok" / "FAIL" in the runner summary's format, and polling.

/**
 * A list of named checks run in order. A failure is recorded and printed, then
 * `onFailure` runs (a screenshot of the moment: the next checks change the
 * screen); a `required` check that fails stops the run, as later ones depend on it.
 */
export function checkList(onFailure = async () => {}) {
  const checks = [];
  async function check(name, fn, { required = false } = {}) {
    const t = Date.now();
    try {
      await fn();
      checks.push({ name, ok: true, ms: Date.now() - t });
      console.log(`  ok    ${name} (${Date.now() - t} ms)`);
    } catch (err) {
      checks.push({ name, ok: false, ms: Date.now() - t, error: err.message });
      console.log(`  FAIL  ${name} (${Date.now() - t} ms)\n        ${String(err.message).split('\n').join('\n        ')}`);
      await onFailure(checks.length);
      if (required) throw new Error(`stopped: "${name}" failed`);
    }
  }
  return { checks, check };
}

/** Polls `fn` until it returns something truthy; fails naming `what` (and the last error) after `timeoutMs`. */
export async function until(what, fn, timeoutMs, pollMs = 300) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${last.message})` : ''}`);
}
