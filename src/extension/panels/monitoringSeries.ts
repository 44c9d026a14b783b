import type { DriftPoint, MonitoringState, TrafficPoint } from '../../protocol/monitoring';
import { monitoringSchemas } from '../lazySchemas';
import { PANEL_TRAFFIC_POINTS, monitoringPath } from './monitoringActions';

// The host's copy of a deployment's drift and traffic series for its Monitoring
// panel. The first poll gets the whole drift history (the panel draws all of it,
// thinned) and the traffic it draws; every later one passes the last answer's
// cursor and gets only the points added since, which are appended here. So a
// poll every 2 s moves a few points instead of thousands. The backend says
// whether it appended (a cursor from before a restart gets whole series), so
// nothing here depends on clocks. No vscode import: unit-tested.

function keepNewest<T>(items: T[], max: number): T[] {
  return items.length > max ? items.slice(items.length - max) : items;
}

export class MonitoringSeries {
  private cursor: string | undefined;
  private history: DriftPoint[] = [];
  private traffic: TrafficPoint[] = [];

  constructor(private readonly deployment: string) {}

  /** The path of the next poll. */
  nextPath(): string {
    const query = new URLSearchParams({ traffic: String(PANEL_TRAFFIC_POINTS) });
    if (this.cursor) query.set('after', this.cursor);
    return `${monitoringPath(this.deployment)}?${query.toString()}`;
  }

  /** An answer, with the whole series held here in place of the new points. */
  merge(state: MonitoringState): MonitoringState {
    if (state.appended) {
      // As many as the backend keeps (the panel draws them all, thinned); the state was checked, so zod is loaded.
      this.history = keepNewest(this.history.concat(state.history), monitoringSchemas().MONITORING_HISTORY_POINTS);
      this.traffic = keepNewest(this.traffic.concat(state.traffic), PANEL_TRAFFIC_POINTS);
    } else {
      this.history = state.history;
      this.traffic = keepNewest(state.traffic, PANEL_TRAFFIC_POINTS);
    }
    // A backend without cursors (older than them) is asked for everything each time.
    this.cursor = state.cursor;
    return { ...state, history: this.history, traffic: this.traffic, appended: false };
  }
}
