import type { DriftPoint, MonitoringState } from '../../protocol/monitoring';
import type { MonitoringUnavailable, MonitoringToHost } from '../../protocol/monitoringPanelMessages';
import { PANEL_HISTORY_POINTS, PANEL_TRAFFIC_POINTS } from '../../protocol/monitoringLimits';

// What the Monitoring panel's buttons ask VS Code to run, and how a failed
// request for the monitoring state reads in the panel. No vscode import:
// unit-tested as is.

export interface MonitoringCommand {
  command: string;
  args: unknown[];
  /** What the user asked for, for a message when the command fails. */
  title: string;
}

/**
 * The command for a webview message. Retrain runs for the panel's own
 * deployment, whatever name the message carries (the webview is not trusted to
 * choose what gets retrained).
 */
export function monitoringCommandFor(message: MonitoringToHost, deployment: string): MonitoringCommand | undefined {
  switch (message.type) {
    case 'retrain':
      return { command: 'mlops.deployments.retrain', args: [deployment], title: `Retrain ${deployment}` };
    case 'openDocs':
      return { command: 'mlops.openDocs', args: [], title: 'How monitoring works' };
    default:
      return undefined;
  }
}

/** The path of the backend's monitoring state of a deployment. */
export function monitoringPath(deployment: string): string {
  return `/api/v1/deployments/${encodeURIComponent(deployment)}/monitoring`;
}

/**
 * Why a request for the monitoring state failed, from the backend's answer: no
 * such deployment (404 RESOURCE_DOES_NOT_EXIST), a backend without the route
 * (an older one: 404 ENDPOINT_NOT_FOUND, or 405 from its /deployments/NAME/ACTION
 * route), or anything else.
 */
export function unavailableFrom(deployment: string, err: { message: string; status?: number; code?: string }): { reason: MonitoringUnavailable; message: string } {
  if (err.status === 404 && err.code === 'RESOURCE_DOES_NOT_EXIST') {
    return {
      reason: 'no-deployment',
      message: `No deployment named '${deployment}' is running in this workspace's backend: it was stopped, or the backend restarted. Deploy it again (Models view → Deploy Model Version, or \`mlops serve models:/${deployment}@champion\`); this panel picks it up.`,
    };
  }
  if (err.status === 405 || (err.status === 404 && err.code !== 'RESOURCE_DOES_NOT_EXIST')) {
    return {
      reason: 'no-route',
      message: `This backend does not serve deployment monitoring (GET ${monitoringPath(deployment)} answered HTTP ${err.status}: ${err.message}). It is older than this extension: run "MLOps: Restart Backend".`,
    };
  }
  return { reason: 'error', message: `Could not get the monitoring state of '${deployment}': ${err.message}` };
}

/**
 * Retrain runs the workspace's pipeline, so the editor refuses it in an
 * untrusted workspace (mlops.deployments.retrain): the panel's button says so
 * rather than fail when pressed. The backend cannot know about trust.
 */
export function withWorkspaceTrust(state: MonitoringState, trusted: boolean): MonitoringState {
  if (trusted) return state;
  const retrain = state.retrain ?? { pipeline: state.spec?.onDrift ?? null, running: false, cooldownUntil: null };
  return { ...state, retrain: { ...retrain, available: false, reason: "This workspace is not trusted: trust it to retrain (Retrain runs the workspace's pipeline)." } };
}

export { PANEL_HISTORY_POINTS, PANEL_TRAFFIC_POINTS } from '../../protocol/monitoringLimits';

/**
 * What the panel draws of a state: the recent traffic, and at most
 * PANEL_HISTORY_POINTS drift windows. Posted every 2 s, a full history would be
 * megabytes and tens of thousands of points per chart for no visible gain.
 */
export function fitForPanel(state: MonitoringState): MonitoringState {
  const traffic = state.traffic.length > PANEL_TRAFFIC_POINTS ? state.traffic.slice(-PANEL_TRAFFIC_POINTS) : state.traffic;
  const history = thinHistory(state.history, PANEL_HISTORY_POINTS);
  return traffic === state.traffic && history === state.history ? state : { ...state, traffic, history };
}

/**
 * Consecutive windows in `max` buckets, each kept by its most drifted window (so
 * a short episode of drift is never thinned away); the newest window always last.
 */
export function thinHistory(history: DriftPoint[], max: number): DriftPoint[] {
  if (history.length <= max) return history;
  const out: DriftPoint[] = [];
  const body = history.length - 1;
  const buckets = max - 1;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * body) / buckets);
    const to = Math.floor(((b + 1) * body) / buckets);
    let pick = history[from];
    for (let i = from + 1; i < to; i++) if (history[i].driftedShare > pick.driftedShare) pick = history[i];
    out.push(pick);
  }
  out.push(history[history.length - 1]);
  return out;
}
