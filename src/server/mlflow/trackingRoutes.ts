import type { Router } from '../http/router';
import { HttpError } from '../http/httpError';
import { streamJsonItems } from '../http/jsonStream';
import * as api from '../../protocol/mlflowTracking';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { MAX_BATCH_REQUEST_BYTES, MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH } from '../../core/tracking/limits';
import { decodePageToken, encodePageToken } from '../../core/tracking/pageToken';
import { encodeExperiment, encodeMetric, encodeRun, encodeRunInfo } from './encode';
import { mlflowRoute, runIdOf, maxResultsOf } from './mlflowRoute';

const SEARCH_MAX_RESULTS = 50_000;
const SEARCH_DEFAULT_RESULTS = 1000;
const HISTORY_PAGE_MAX = 25_000;
const BULK_MAX_RUNS = 100;
const BULK_MAX_RESULTS = 2500;
const BULK_DEFAULT_RESULTS = 320;

/** MLflow's tracking API under both prefixes its clients use. */
export function registerTrackingRoutes(router: Router, tracking: TrackingStore): void {
  for (const base of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
    const post = (path: string, h: Parameters<Router['on']>[2]) => router.on('POST', base + path, h);
    const get = (path: string, h: Parameters<Router['on']>[2]) => router.on('GET', base + path, h);

    // Experiments
    post('/experiments/create', mlflowRoute(api.createExperiment, (i) => ({ experiment_id: tracking.experiments.create(i.name, i.tags, i.artifact_location) })));
    get('/experiments/get', mlflowRoute(api.experimentById, (i) => ({ experiment: encodeExperiment(tracking.experiments.get(i.experiment_id)) })));
    get('/experiments/get-by-name', mlflowRoute(api.experimentByName, (i) => ({ experiment: encodeExperiment(tracking.experiments.getByName(i.experiment_name)) })));
    const searchExperiments = mlflowRoute(api.searchExperiments, (i) => {
      const maxResults = maxResultsOf(i.max_results, SEARCH_DEFAULT_RESULTS, SEARCH_MAX_RESULTS);
      const offset = i.page_token ? decodePageToken(i.page_token) : 0;
      const page = tracking.searchExperiments({ filter: i.filter, orderBy: i.order_by, viewType: i.view_type, maxResults, offset });
      return {
        experiments: page.experiments.length ? page.experiments.map(encodeExperiment) : undefined,
        next_page_token: page.nextOffset === undefined ? undefined : encodePageToken(page.nextOffset),
      };
    });
    post('/experiments/search', searchExperiments);
    get('/experiments/search', searchExperiments);
    post('/experiments/update', mlflowRoute(api.updateExperiment, (i) => void tracking.experiments.rename(i.experiment_id, i.new_name)));
    post('/experiments/delete', mlflowRoute(api.experimentById, (i) => void tracking.experiments.setLifecycle(i.experiment_id, 'deleted')));
    post('/experiments/restore', mlflowRoute(api.experimentById, (i) => void tracking.experiments.setLifecycle(i.experiment_id, 'active')));
    post('/experiments/set-experiment-tag', mlflowRoute(api.setExperimentTag, (i) => void tracking.experiments.setTag(i.experiment_id, { key: i.key, value: i.value })));
    post('/experiments/delete-experiment-tag', mlflowRoute(api.deleteExperimentTag, (i) => void tracking.experiments.deleteTag(i.experiment_id, i.key)));

    // Runs
    post('/runs/create', mlflowRoute(api.createRun, (i) => ({
      run: encodeRun(tracking.runs.create({ experimentId: i.experiment_id || '0', userId: i.user_id, startTime: i.start_time, tags: i.tags, runName: i.run_name })),
    })));
    get('/runs/get', mlflowRoute(api.runById, (i) => ({ run: encodeRun(tracking.runs.get(runIdOf(i))) })));
    post('/runs/update', mlflowRoute(api.updateRun, (i) => ({
      run_info: encodeRunInfo(tracking.runs.update(runIdOf(i), { status: i.status, endTime: i.end_time, runName: i.run_name })),
    })));
    post('/runs/delete', mlflowRoute(api.runById, (i) => void tracking.runs.setLifecycle(runIdOf(i), 'deleted')));
    post('/runs/restore', mlflowRoute(api.runById, (i) => void tracking.runs.setLifecycle(runIdOf(i), 'active')));
    const searchRuns = mlflowRoute(api.searchRuns, (i) => {
      const maxResults = maxResultsOf(i.max_results, SEARCH_DEFAULT_RESULTS, SEARCH_MAX_RESULTS);
      const offset = i.page_token ? decodePageToken(i.page_token) : 0;
      const page = tracking.searchRuns({ experimentIds: i.experiment_ids, filter: i.filter, orderBy: i.order_by, viewType: i.run_view_type, maxResults, offset });
      return {
        runs: page.runs.length ? page.runs.map(encodeRun) : undefined,
        next_page_token: page.nextOffset === undefined ? undefined : encodePageToken(page.nextOffset),
      };
    });
    post('/runs/search', searchRuns);
    get('/runs/search', searchRuns);

    // Logging
    post('/runs/log-metric', mlflowRoute(api.logMetric, (i) => void tracking.logMetric(runIdOf(i), { key: i.key, value: i.value, timestamp: i.timestamp, step: i.step })));
    post('/runs/log-parameter', mlflowRoute(api.logParam, (i) => void tracking.runs.logParams(runIdOf(i), [{ key: i.key, value: i.value }])));
    post('/runs/set-tag', mlflowRoute(api.setTag, (i) => void tracking.runs.setTags(runIdOf(i), [{ key: i.key, value: i.value }])));
    post('/runs/delete-tag', mlflowRoute(api.deleteTag, (i) => void tracking.runs.deleteTag(i.run_id, i.key)));
    post(
      '/runs/log-batch',
      mlflowRoute(
        api.logBatch,
        (i) => {
          checkBatchLimits(i.metrics.length, i.params.length, i.tags.length);
          tracking.logBatch(i.run_id, { metrics: i.metrics, params: i.params, tags: i.tags });
        },
        {
          limit: MAX_BATCH_REQUEST_BYTES,
          tooLarge: () => new HttpError(400, 'INVALID_PARAMETER_VALUE', `Batched logging API requests must be at most ${MAX_BATCH_REQUEST_BYTES} bytes.`),
        },
      ),
    );
    post('/runs/log-inputs', mlflowRoute(api.logInputs, (i) => {
      tracking.runs.logInputs(i.run_id, i.datasets.map((d) => ({
        dataset: { name: d.dataset.name, digest: d.dataset.digest, sourceType: d.dataset.source_type, source: d.dataset.source, schema: d.dataset.schema, profile: d.dataset.profile },
        tags: d.tags,
      })));
    }));
    post('/runs/log-model', mlflowRoute(api.logModel, (i) => {
      let model: unknown;
      try {
        model = JSON.parse(i.model_json);
      } catch {
        throw new HttpError(400, 'INVALID_PARAMETER_VALUE', "Invalid value for 'model_json': it must be a JSON object describing the model (MLmodel as JSON).");
      }
      const run = tracking.runs.get(i.run_id);
      const history = run.data.tags.find((t) => t.key === 'mlflow.log-model.history')?.value;
      const list = history ? loggedModelHistory(history) : [];
      list.push(model);
      let value: string;
      try {
        value = JSON.stringify(list);
      } catch {
        // JSON.parse takes any depth, JSON.stringify overflows the stack on thousands of levels.
        throw new HttpError(400, 'INVALID_PARAMETER_VALUE', "Invalid value for 'model_json': it is nested too deeply to store; an MLmodel as JSON has a few levels.");
      }
      tracking.runs.setTags(i.run_id, [{ key: 'mlflow.log-model.history', value }]);
    }));

    // Metric history
    get('/metrics/get-history', mlflowRoute(api.getMetricHistory, async (i, ctx) => {
      const runId = runIdOf(i);
      tracking.runs.info(runId);
      const offset = i.page_token ? decodePageToken(i.page_token) : 0;
      if (i.max_results === undefined) {
        // As MLflow's server: no page size asked for, the whole history (from the token on).
        // Streamed: a series of millions of points is never one string in memory.
        const pages = mapPages(tracking.metrics.historyPages(runId, i.metric_key, offset), (p) => JSON.stringify(encodeMetric(p)));
        return streamJsonItems(ctx.res, '{"metrics":[', pages, ']}');
      }
      const pageSize = maxResultsOf(i.max_results, HISTORY_PAGE_MAX, HISTORY_PAGE_MAX);
      const points = tracking.metrics.history(runId, i.metric_key, pageSize + 1, offset);
      const more = points.length > pageSize;
      return {
        metrics: (more ? points.slice(0, pageSize) : points).map(encodeMetric),
        next_page_token: more ? encodePageToken(offset + pageSize) : undefined,
      };
    }));
    get('/metrics/get-history-bulk-interval', mlflowRoute(api.getMetricHistoryBulkInterval, (i) => {
      if (i.run_ids.length === 0) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'GetMetricHistoryBulkInterval request must specify at least one run_id.');
      if (i.run_ids.length > BULK_MAX_RUNS) {
        throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `GetMetricHistoryBulkInterval request cannot specify more than ${BULK_MAX_RUNS} run_ids. Received ${i.run_ids.length} run_ids.`);
      }
      if ((i.start_step === undefined) !== (i.end_step === undefined)) {
        throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'If either start step or end step are specified, both must be specified.');
      }
      if (i.start_step !== undefined && i.end_step !== undefined && i.start_step > i.end_step) {
        throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'end_step must be greater than start_step. ');
      }
      const maxResults = maxResultsOf(i.max_results, BULK_DEFAULT_RESULTS, BULK_MAX_RESULTS);
      for (const runId of i.run_ids) tracking.runs.info(runId);
      const points = tracking.metrics.sampledInterval(i.run_ids, i.metric_key, maxResults, i.start_step, i.end_step);
      return { metrics: points.map((p) => ({ ...encodeMetric(p), run_id: p.runId })) };
    }));

    // Artifact listing (the files themselves go through the mlflow-artifacts proxy).
    get('/artifacts/list', mlflowRoute(api.listArtifacts, (i) => {
      const runId = runIdOf(i);
      const info = tracking.runs.info(runId);
      const files = tracking.artifacts.list(runId, i.path ?? '');
      return {
        root_uri: info.artifactUri,
        files: files.length ? files.map((f) => (f.isDir ? { path: f.path, is_dir: true } : { path: f.path, is_dir: false, file_size: f.fileSize })) : undefined,
      };
    }));
  }
}

function checkBatchLimits(metrics: number, params: number, tags: number): void {
  const fail = (message: string): never => {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', message);
  };
  if (metrics > MAX_METRICS_PER_BATCH) fail(`A batch logging request can contain at most ${MAX_METRICS_PER_BATCH} metrics. Got ${metrics} metrics. Please split up metrics across multiple requests and try again.`);
  if (params > MAX_PARAMS_TAGS_PER_BATCH) fail(`A batch logging request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} params. Got ${params} params. Please split up params across multiple requests and try again.`);
  if (tags > MAX_PARAMS_TAGS_PER_BATCH) fail(`A batch logging request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} tags. Got ${tags} tags. Please split up tags across multiple requests and try again.`);
  const total = metrics + params + tags;
  if (total > MAX_ENTITIES_PER_BATCH) fail(`A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} metrics, params, and tags in total. Got ${total} entities. Please split up across multiple requests and try again.`);
}

/** The run's `mlflow.log-model.history` tag as a list; any tag can be set by hand, this one to something else too. */
function loggedModelHistory(tag: string): unknown[] {
  let list: unknown;
  try {
    list = JSON.parse(tag);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list)) {
    throw new HttpError(
      400,
      'INVALID_PARAMETER_VALUE',
      "The run's tag 'mlflow.log-model.history' is not a JSON list, so the model cannot be added to it. Delete the tag (or set it to []) and log the model again.",
    );
  }
  return list;
}

function* mapPages<T, U>(pages: Iterable<readonly T[]>, f: (item: T) => U): Generator<U[]> {
  for (const page of pages) yield page.map(f);
}
