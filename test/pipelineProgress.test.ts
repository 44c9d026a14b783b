import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PipelineProgress, wantsLiveProgress } from '../src/cli/pipelineProgress';

// The live step table, drawn into a small terminal model that understands the
// two controls it uses (cursor to the start of a previous line, clear to the end).

function terminal(columns = 80, rows = 40) {
  const lines: string[] = [''];
  let row = 0;
  const term = {
    columns,
    rows,
    write(s: string) {
      for (const t of s.split(/(\x1b\[\d*[FJ]|\n)/)) {
        if (!t) continue;
        const m = /^\x1b\[(\d*)([FJ])$/.exec(t);
        if (m?.[2] === 'F') {
          row = Math.max(0, row - Number(m[1] || 1));
          lines[row] = '';
        } else if (m?.[2] === 'J') lines.splice(row + 1);
        else if (t === '\n') {
          row++;
          if (row >= lines.length) lines.push('');
        } else lines[row] += t.replace(/\x1b\[\d+m/g, '');
      }
    },
    screen: () => lines.slice(0, row).join('\n'),
  };
  return term;
}

const pause = () => new Promise((r) => setTimeout(r, 80));

test('the table stays under the output and shows each step\'s status, duration and cached flag; finish removes it', async () => {
  const term = terminal();
  let now = 1000;
  const p = new PipelineProgress('churn', ['prepare', 'train', 'evaluate'], term, () => now);
  p.write(term, 'first line');
  p.onStep({ kind: 'ended', step: 'prepare', result: { step: 'prepare', status: 'FINISHED', cached: true, runId: 'r1', durationMs: 3 } });
  p.onStep({ kind: 'started', step: 'train', runId: 'r2', startedAt: 1000 });
  now = 3500;
  p.write(term, 'train | epoch 1');
  assert.equal(term.screen(), 'first line\ntrain | epoch 1', 'output lines erase the table...');
  await pause();
  const screen = term.screen().split('\n');
  assert.deepEqual(screen.slice(0, 2), ['first line', 'train | epoch 1']);
  assert.match(screen[2], /── churn 1\/3 done · 1 running · 1 cached · 2\.5s/);
  assert.match(screen[3], /✓ prepare\s+cached/);
  assert.match(screen[4], /train\s+running 2\.5s/);
  assert.match(screen[5], /· evaluate\s+pending/);
  assert.equal(screen.length, 6, '...which comes back once the output pauses');

  p.onStep({ kind: 'ended', step: 'train', result: { step: 'train', status: 'FAILED', runId: 'r2', durationMs: 2500, reason: 'exit code 1' } });
  p.onStep({ kind: 'ended', step: 'evaluate', result: { step: 'evaluate', status: 'NOT_RUN', reason: 'not run: train failed' } });
  const after = term.screen();
  assert.match(after, /1 failed/);
  assert.match(after, /✗ train\s+failed: exit code 1 2\.5s/);
  assert.match(after, /○ evaluate\s+not run: train failed/);
  p.finish();
  p.write(term, 'summary');
  assert.equal(term.screen(), 'first line\ntrain | epoch 1\nsummary');
});

test('a long pipeline shows the running and failed steps only; lines are cut to the terminal width', () => {
  const term = terminal(40, 30);
  const steps = Array.from({ length: 100 }, (_, i) => `step_${i}_with_a_long_name`);
  const p = new PipelineProgress('big', steps, term, () => 0);
  p.onStep({ kind: 'started', step: steps[5], runId: 'r', startedAt: 0 });
  const screen = term.screen().split('\n');
  assert.equal(screen.length, 3, screen.join('\n'));
  assert.match(screen[1], /step_5_with/);
  assert.match(screen[2], /… 99 more/);
  for (const line of screen) assert.ok(line.length <= 39, line);
  p.finish();
});

test('live only on a terminal, never in CI; MLOPS_PROGRESS forces it either way', () => {
  const tty = { isTTY: true };
  assert.equal(wantsLiveProgress({}, tty, tty), true);
  assert.equal(wantsLiveProgress({ CI: 'true' }, tty, tty), false);
  assert.equal(wantsLiveProgress({}, {}, tty), false);
  assert.equal(wantsLiveProgress({ MLOPS_PROGRESS: '0' }, tty, tty), false);
  assert.equal(wantsLiveProgress({ MLOPS_PROGRESS: 'always' }, {}, {}), true);
});
