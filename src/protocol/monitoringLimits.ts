// How often a deployment measures its traffic, and what a Monitoring panel draws at most.
// Shared by the host (which trims what it posts) and the webview (which needs
// the same numbers to tell a pause in the data from the points it was not
// sent). No zod here: the extension loads it at activation.

/** Traffic drawn: the last 30 minutes of 2 s intervals (the backend keeps 2 hours). */
export const PANEL_TRAFFIC_POINTS = 900;
/** Drift windows drawn at most (the backend keeps up to 6 hours of 5 s windows). */
export const PANEL_HISTORY_POINTS = 720;
/** A deployment reports its request counters this often; each traffic point covers one interval. */
export const TRAFFIC_INTERVAL_MS = 2_000;
