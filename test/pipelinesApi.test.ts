import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, runCli, startServer } from './helpers/testServer';

// /api/v1/pipelines: what the editor's diagnostics, Pipelines view and DAG panel
// are built on. A real server, real pipeline runs by the CLI.

const GOOD = `name: demo
steps:
  prepare:
    run: cat raw.txt > clean.txt
    deps: [raw.txt]
    outs: [clean.txt]
  train:
    needs: [prepare]
    run: cat clean.txt > model.txt
    deps: [clean.txt]
    outs: [model.txt]
  report:
    needs: [train]
    run: echo done
`;

test('check: diagnostics of an unsaved buffer at their positions, with replacements for typos, and the outline', async () => {
  const ws = makeWorkspace('mlops-pipelines-api-');
  const server = await startServer(ws);
  try {
    const text = `name: demo
steps:
  prepare:
    run: echo hi
    dep: [raw.txt]
  train:
    needs: [prepar]
    run: echo train
`;
    const r = await server.api('POST', '/api/v1/pipelines/check', { file: 'demo.pipeline.yaml', text });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const schema = r.body.diagnostics.find((d: any) => d.code === 'schema');
    assert.deepEqual([schema.line, schema.column, schema.endColumn, schema.replacement], [5, 5, 8, 'deps']);
    assert.equal(r.body.outline, null, 'a schema error leaves no outline');

    const fixed = text.replace('dep:', 'deps:');
    const r2 = await server.api('POST', '/api/v1/pipelines/check', { file: 'demo.pipeline.yaml', text: fixed });
    const need = r2.body.diagnostics.find((d: any) => d.code === 'unknown-need');
    assert.deepEqual([need.line, need.column, need.endColumn, need.replacement], [7, 13, 19, 'prepare']);
    const dep = r2.body.diagnostics.find((d: any) => d.code === 'missing-dep');
    assert.equal(dep.line, 5);
    assert.deepEqual(
      r2.body.outline.steps.map((s: any) => [s.name, s.kind, s.needs, s.line, s.column]),
      [
        ['prepare', 'run', [], 3, 3],
        ['train', 'run', ['prepar'], 6, 3],
      ],
      'the outline is there despite the reference errors (completion needs it)',
    );

    // From disk when no text is given; missing file, outside paths, bad bodies: 4xx that say what to do.
    writeFileSync(join(ws, 'ok.pipeline.yaml'), GOOD);
    writeFileSync(join(ws, 'raw.txt'), 'x');
    const disk = await server.api('POST', '/api/v1/pipelines/check', { file: join(ws, 'ok.pipeline.yaml') });
    assert.deepEqual(disk.body.diagnostics, []);
    assert.equal(disk.body.outline.name, 'demo');
    const missing = await server.api('POST', '/api/v1/pipelines/check', { file: 'nope.pipeline.yaml' });
    assert.equal(missing.status, 404);
    assert.match(missing.body.message, /No pipeline file/);
    const outside = await server.api('POST', '/api/v1/pipelines/check', { file: '../../etc/passwd' });
    assert.equal(outside.status, 400);
    assert.match(outside.body.message, /outside the workspace/);
    mkdirSync(join(ws, 'sub'));
    symlinkSync('/etc/hostname', join(ws, 'sub', 'link.pipeline.yaml'));
    const linked = await server.api('POST', '/api/v1/pipelines/check', { file: 'sub/link.pipeline.yaml' });
    assert.equal(linked.status, 400);
    assert.match(linked.body.message, /links outside the workspace/);
    const bad = await server.api('POST', '/api/v1/pipelines/check', { text: 'x' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /file/);
  } finally {
    await server.stop();
  }
});

test('status: stale before any run; after runs, each step\'s last status, run, duration, cached flag; failures and not-run steps', async () => {
  const ws = makeWorkspace('mlops-pipelines-status-');
  writeFileSync(join(ws, 'p.pipeline.yaml'), GOOD);
  writeFileSync(join(ws, 'raw.txt'), 'rows');
  const server = await startServer(ws);
  const status = async () => {
    const r = await server.api('POST', '/api/v1/pipelines/status', { file: 'p.pipeline.yaml' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const run = async (...args: string[]) => {
    const r = await runCli(['pipeline', 'run', 'p.pipeline.yaml', ...args], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    return r;
  };
  try {
    const before = await status();
    assert.equal(before.lastRun, null);
    assert.deepEqual(
      before.steps.map((s: any) => [s.name, s.state, s.last]),
      [
        ['prepare', 'stale', null],
        ['train', 'stale', null],
        ['report', 'always runs', null],
      ],
    );
    assert.deepEqual(before.steps[0].deps, ['raw.txt']);
    assert.deepEqual(before.steps[1].outs, ['model.txt']);

    assert.equal((await run()).code, 0);
    const first = await status();
    assert.equal(first.lastRun.status, 'FINISHED');
    for (const s of first.steps) {
      assert.equal(s.last.status, 'FINISHED', s.name);
      assert.equal(s.last.cached, false);
      assert.match(s.last.runId, /^[0-9a-f]{32}$/);
      assert.ok(s.last.durationMs >= 0);
    }
    assert.deepEqual(first.steps.map((s: any) => s.state), ['up to date', 'up to date', 'always runs']);

    assert.equal((await run()).code, 0);
    const second = await status();
    assert.notEqual(second.lastRun.runId, first.lastRun.runId);
    assert.equal(second.steps[0].last.cached, true);
    assert.equal(second.steps[0].last.runId, first.steps[0].last.runId, 'a cached step points at the run that made its outs');
    assert.equal(second.steps[2].last.cached, false);

    // A dep changes: prepare and train go stale. Then train fails: report is not run.
    writeFileSync(join(ws, 'raw.txt'), 'other rows');
    const stale = await status();
    assert.deepEqual(stale.steps.map((s: any) => s.state), ['stale', 'stale', 'always runs']);
    assert.match(stale.steps[0].why, /raw\.txt/);
    writeFileSync(join(ws, 'p.pipeline.yaml'), GOOD.replace('cat clean.txt > model.txt', 'exit 4'));
    assert.equal((await run()).code, 1);
    const failed = await status();
    assert.equal(failed.lastRun.status, 'FAILED');
    assert.deepEqual(failed.steps.map((s: any) => s.last.status), ['FINISHED', 'FAILED', 'NOT_RUN']);
    assert.match(failed.steps[1].last.reason, /exit code 4/);
    assert.match(failed.steps[2].last.reason, /train failed/);

    // Only one step (--step): the others keep what the earlier runs said.
    assert.equal((await run('--step', 'prepare')).code, 0);
    const partial = await status();
    assert.equal(partial.steps[1].last.status, 'FAILED');

    // A file with errors: no steps, the errors.
    writeFileSync(join(ws, 'p.pipeline.yaml'), 'name: demo\nsteps: {a: {needs: [b], run: x}}\n');
    const broken = await status();
    assert.deepEqual(broken.steps, []);
    assert.equal(broken.diagnostics[0].code, 'unknown-need');
  } finally {
    await server.stop();
  }
});
