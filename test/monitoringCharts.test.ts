// The Monitoring panel's charts as data, without a browser: where lines break
// (a pause with nothing measured, a change of reference data set), the blanks
// that break them, each feature's own line style for the legend, the lines the
// user hid, and which feature stays highlighted across live updates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GAP_FACTOR, lineBreaks, longestStep, withBreaks } from '../webview/monitoring/lineBreaks';
import { featureStyles, isDark } from '../webview/monitoring/featureColours';
import { driftBreaks, driftShareChart, latencyChart, rpsChart, scoresChart, trafficBreaks } from '../webview/monitoring/dashboardCharts';
import { featureToShow } from '../webview/monitoring/monitoringModel';
import type { Theme, XY } from '../webview/monitoring/charts';
import { PANEL_HISTORY_POINTS } from '../src/protocol/monitoringLimits';
import type { MonitoringState } from '../src/protocol/monitoring';
import { thinHistory } from '../src/extension/panels/monitoringActions';
import { IDLE_INTERVALS, MOST_DRIFTED, QUIET_WINDOWS, RESTART_INTERVALS, driftingState, quietState } from './vscode/suite/monitoringFixture';

const NOW = Date.parse('2026-11-27T14:00:00Z');
const theme: Theme = {
  text: '#9d9d9d',
  foreground: '#cccccc',
  grid: '#454545',
  font: 'sans-serif',
  background: '#1f1f1f',
  blue: '#3794ff',
  red: '#f14c4c',
  orange: '#d18616',
  green: '#89d185',
  yellow: '#cca700',
  purple: '#b180d7',
  muted: '#888888',
};
const every = (n: number, stepMs: number, from = NOW) => Array.from({ length: n }, (_, i) => from + i * stepMs);
const nullsIn = (data: XY[]) => data.filter((p) => p.y === null).length;

test('a step of more than three expected steps breaks the line; a change of reference breaks it wherever it falls', () => {
  const times = [...every(10, 2_000), ...every(10, 2_000, NOW + 60_000)];
  const longest = longestStep(times, 2_000, 900);
  assert.equal(longest, GAP_FACTOR * 2_000);
  assert.deepEqual(lineBreaks(times, longest), [{ before: 10, at: (NOW + 18_000 + NOW + 60_000) / 2, kind: 'gap' }]);
  // A late tick (5 s instead of 2 s) is not a pause.
  assert.deepEqual(lineBreaks([NOW, NOW + 2_000, NOW + 7_000, NOW + 9_000], longest), []);

  // The change between two windows 5 s apart; one exactly at a window's time: that window is the new reference's.
  const windows = every(6, 5_000);
  const steady = longestStep(windows, 5_000, PANEL_HISTORY_POINTS);
  assert.deepEqual(lineBreaks(windows, steady, [NOW + 7_000]), [{ before: 2, at: NOW + 7_500, kind: 'reference' }]);
  assert.deepEqual(lineBreaks(windows, steady, [NOW + 10_000]).map((b) => b.before), [2]);
  assert.deepEqual(lineBreaks(windows, steady, [NOW - 1, NOW + 99_000]), [], 'changes outside the series break nothing');
  // A change during a pause: one break, said to be the change.
  assert.deepEqual(lineBreaks([NOW, NOW + 600_000], steady, [NOW + 300_000]).map((b) => b.kind), ['reference']);
});

test('a thinned history (6 hours in 720 points) breaks at its pauses only', () => {
  const base = driftingState(NOW).history[0];
  // 6 hours of 5 s windows with a 20-minute pause in the middle, thinned for the panel as the host does.
  const times = every(4320, 5_000).map((t, i) => (i >= 2160 ? t + 20 * 60_000 : t));
  const thin = thinHistory(times.map((at, i) => ({ ...base, at, driftedShare: (i * 7919) % 13 === 0 ? 0.5 : 0.1 })), PANEL_HISTORY_POINTS);
  const at = thin.map((p) => p.at);
  const breaks = lineBreaks(at, longestStep(at, 5_000, PANEL_HISTORY_POINTS));
  assert.equal(breaks.length, 1, JSON.stringify(breaks));
  assert.ok(breaks[0].at > times[2159] && breaks[0].at < times[2160]);
});

test('blanks go in before the points the breaks name', () => {
  const items = ['a', 'b', 'c', 'd'];
  assert.deepEqual(withBreaks(items, [{ before: 1, at: 0, kind: 'gap' }, { before: 3, at: 0, kind: 'reference' }], (b) => b.kind), ['a', 'gap', 'b', 'c', 'reference', 'd']);
  assert.deepEqual(withBreaks(items, [], () => 'x'), items);
});

test('the quiet fixture\'s charts break at its pause, its restart and its reference change, and nowhere else', () => {
  const steady = driftingState(NOW);
  assert.deepEqual(driftBreaks(steady).map((b) => b.kind), ['reference'], 'the steady fixture: only its reference change');
  assert.deepEqual(trafficBreaks(steady), []);

  const quiet = quietState(NOW);
  const drift = driftBreaks(quiet);
  assert.deepEqual(drift.map((b) => b.kind), ['reference', 'gap']);
  assert.equal(drift[1].before, QUIET_WINDOWS.from);
  assert.ok(quiet.history[QUIET_WINDOWS.from].at - quiet.history[QUIET_WINDOWS.from - 1].at > 4 * 60_000);
  const traffic = trafficBreaks(quiet);
  assert.deepEqual(traffic.map((b) => [b.kind, b.before]), [['gap', RESTART_INTERVALS.from]]);

  const rps = rpsChart(quiet, theme);
  for (const d of rps.data.datasets) {
    assert.equal(d.spanGaps, false);
    assert.equal(d.data.length, quiet.traffic.length + 1);
    assert.equal(d.data[RESTART_INTERVALS.from].y, null, 'a blank where the restart was');
  }
  // Idle intervals were measured: no requests, a zero rate; the latency has no value there, so its line breaks too.
  assert.equal(rps.data.datasets[0].data[IDLE_INTERVALS.from].y, 0);
  const latency = latencyChart(quiet, theme);
  assert.equal(nullsIn(latency.data.datasets[0].data), IDLE_INTERVALS.to - IDLE_INTERVALS.from + 1);

  const share = driftShareChart(quiet, theme);
  const line = share.data.datasets[0];
  assert.equal(line.data.length, quiet.history.length + 2);
  assert.equal(nullsIn(line.data), 2);
  // The red of a drifting window stays on that window, blanks in between or not.
  const colours = line.pointBackgroundColor as string[];
  line.data.forEach((p, i) => {
    if (p.y === null) return;
    const window = quiet.history.find((w) => w.at === p.x)!;
    assert.equal(colours[i], window.datasetDrift ? theme.red : theme.blue, `point ${i}`);
  });
  assert.deepEqual(share.options.plugins?.verticalMarks, { marks: [{ at: quiet.referenceChanges![0].at, label: 'reference changed' }], color: theme.purple, background: theme.background });
  assert.equal(share.data.datasets.filter((d) => d.label === 'reference changed').length, 0, 'the mark is not a series (no legend entry, no tooltip)');
});

test('each feature of a scores chart has its own style, the same whichever is selected; hidden lines are hidden; the selected one is drawn on top', () => {
  const state = driftingState(NOW);
  const view = { selected: MOST_DRIFTED, hidden: new Set(['age']), peek: null };
  const p = scoresChart(state, 'p_value', view, theme)!;
  assert.deepEqual(p.features, [...p.features].sort((a, b) => a.localeCompare(b)), 'in name order, whatever is selected');
  const styles = [...p.styles.values()].map((s) => `${s.color} ${s.dash.join(',')}`);
  assert.equal(new Set(styles).size, p.features.length, 'no two lines look the same');
  const byLabel = new Map(p.data.datasets.map((d) => [d.label, d]));
  assert.equal(byLabel.get('age')?.hidden, true);
  assert.equal(byLabel.get(MOST_DRIFTED)?.hidden, false);
  assert.equal(byLabel.get(MOST_DRIFTED)?.order, 0);
  assert.ok((byLabel.get('tenure_months')?.order ?? 0) > 0);

  const other = scoresChart(state, 'p_value', { selected: 'plan', hidden: new Set(), peek: null }, theme)!;
  assert.deepEqual([...other.styles], [...p.styles], 'selecting another feature keeps every colour');
  assert.deepEqual(other.features, p.features);
  const s = scoresChart(state, 'statistic', view, theme)!;
  assert.deepEqual(s.features, ['balance', 'income']);
  assert.equal(s.options.plugins?.verticalMarks && s.options.plugins.verticalMarks.marks?.length, 1, 'the reference change marked here too');
});

test('feature styles leave out red and orange, stay apart for many features, and read on light and dark themes', () => {
  const names = Array.from({ length: 30 }, (_, i) => `f${String(i).padStart(2, '0')}`);
  const dark = featureStyles(names, true);
  assert.equal(new Set([...dark.values()].map((s) => `${s.color}|${s.dash}`)).size, 30);
  for (const s of dark.values()) {
    const hue = Number(/^hsl\((\d+)/.exec(s.color)?.[1]);
    assert.ok(hue > 50 && hue < 340, `hue ${hue} is neither red nor orange`);
  }
  assert.deepEqual(featureStyles([...names].reverse(), true), dark, 'the order given does not matter');
  assert.notEqual(featureStyles(names, false).get('f00')?.color, dark.get('f00')?.color);
  assert.equal(isDark('#1f1f1f'), true);
  assert.equal(isDark('#ffffff'), false);
  assert.equal(isDark('rgb(243, 243, 243)'), false);
});

test('the highlighted feature stays: the user\'s choice through every update; without one, the feature shown until the drift moves', () => {
  const state = driftingState(NOW);
  assert.equal(featureToShow(state, undefined, null), MOST_DRIFTED);
  // The next window: another drifted feature is now furthest past its threshold.
  const next = withScore(state, 'days_since_last_login', 1e-12);
  assert.equal(featureToShow(next, undefined, null), 'days_since_last_login', 'the most drifted, for a panel that shows none yet');
  assert.equal(featureToShow(next, undefined, MOST_DRIFTED), MOST_DRIFTED, 'still drifting: stays');
  assert.equal(featureToShow(next, 'plan', MOST_DRIFTED), 'plan', 'the user\'s choice');
  assert.equal(featureToShow({ ...next, latest: null }, 'plan', 'plan'), null, 'nothing to show while no window is computed');
  assert.equal(featureToShow(next, 'gone_feature', MOST_DRIFTED), MOST_DRIFTED, 'a choice the state no longer has');
  // A calm feature shown while nothing drifted gives way once something drifts.
  const calm = { ...state, latest: { ...state.latest!, features: state.latest!.features.map((f) => ({ ...f, drifted: false })), prediction: null } };
  assert.equal(featureToShow(calm, undefined, 'age'), 'age');
  assert.equal(featureToShow(state, undefined, 'age'), MOST_DRIFTED);
});

function withScore(state: MonitoringState, feature: string, score: number): MonitoringState {
  const latest = state.latest!;
  return { ...state, latest: { ...latest, features: latest.features.map((f) => (f.feature === feature ? { ...f, score } : f)) } };
}
