import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

// Tests that need Debian's numpy/onnx skip on a developer's machine without them,
// but CI installs them (.ci/run) and sets MLOPS_REQUIRE_PYTHON_DEPS=1: there a
// missing module is a failing test, so the example cannot quietly stop being tested.

/** Debian's interpreter: python3-numpy and python3-onnx are for it (a python3 first on PATH may lack them). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/**
 * The `skip` option for tests that need `modules` in DEBIAN_PYTHON: false when it
 * imports them, else the reason. When MLOPS_REQUIRE_PYTHON_DEPS=1 and they are
 * missing, it also registers a test that fails with that reason.
 */
export function skipWithoutPython(modules: readonly string[], packages: readonly string[] = modules.map((m) => `python3-${m}`)): false | string {
  const ok = existsSync(DEBIAN_PYTHON) && spawnSync(DEBIAN_PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0;
  if (ok) return false;
  const why = `${DEBIAN_PYTHON} cannot import ${modules.join(' and ')} (apt-get install ${packages.join(' ')})`;
  if (process.env.MLOPS_REQUIRE_PYTHON_DEPS === '1') {
    test(`${modules.join(' and ')} ${modules.length > 1 ? 'are' : 'is'} importable (required: MLOPS_REQUIRE_PYTHON_DEPS=1)`, () => {
      assert.fail(`${why}; MLOPS_REQUIRE_PYTHON_DEPS=1 (set by .ci/run) makes this a failure instead of a skip`);
    });
  }
  return why;
}
