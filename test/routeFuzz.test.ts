// Fuzzes every route of the backend and of a deployment, both as real processes.
// The routes come from the servers' own routers, so a route added later is fuzzed
// without an edit here. A seed (printed; MLOPS_FUZZ_SEED replays it) drives every
// choice; MLOPS_FUZZ_BUDGET_MS bounds the time (both servers together).
// Asserted: no 5xx, no request unanswered for 5 s, no process crash, a store that
// passes PRAGMA integrity_check, and no file written outside the workspace (the
// server's HOME and TMPDIR sit beside it in one watched folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import * as tracking from '../src/protocol/mlflowTracking';
import * as registry from '../src/protocol/mlflowRegistry';
import * as native from '../src/protocol/native';
import { pipelineCheckRequest, pipelineStatusRequest } from '../src/protocol/pipelineApi';
import { deploymentSpec, type DeploymentSpec, type DeploymentState } from '../src/protocol/deployments';
import { monitoringQuery } from '../src/protocol/monitoring';
import { Router, type RouteListing } from '../src/server/http/router';
import { createApp } from '../src/server/app';
import { registerDeploymentRoutes, type RouteContext } from '../src/server/deployment/deploymentRoutes';
import { TrackingStore } from '../src/core/tracking/trackingStore';
import { ModelRegistry } from '../src/core/registry/modelRegistry';
import { inspectOnnxModel } from '../src/core/registry/onnxInspector';
import { encodePageToken } from '../src/core/tracking/pageToken';
import { startServer, type TestServer } from './helpers/testServer';
import { linearModel, writeModels } from './helpers/onnxModels';
import { FuzzRandom, NASTY_STRINGS } from './helpers/fuzzRandom';
import { sampleSchema, type FieldHints, type JsonSchema } from './helpers/fuzzBodies';
import { fuzzCase, type BodySeed, type FuzzCase, type FuzzTarget } from './helpers/fuzzRequests';
import { encodeRequest, sendRaw, type RawResponse } from './helpers/rawHttp';
import { diffSnapshots, snapshotDir } from './helpers/dirSnapshot';

const SEED = process.env.MLOPS_FUZZ_SEED ? Number(process.env.MLOPS_FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const BUDGET_MS = Number(process.env.MLOPS_FUZZ_BUDGET_MS ?? 75_000);
/** The backend has about ten times the routes; the deployment's are fewer but each costs an inference. */
const BACKEND_SHARE = 0.6;
const ANSWER_WITHIN_MS = 5_000;
const HEALTH_EVERY = 50;
/** Node's limit on a request's head is 16 KiB; past it (or with a large body) a refusal may reset the connection. */
const LARGE_REQUEST = 16 * 1024;
const DEPLOYMENT = 'fuzz-svc';
/** Served by the fuzzed deployment; no fuzzed backend request names it, so the deployment can always be recreated. */
const SERVED_MODEL = 'fuzz-served';
const FEATURES = ['age', 'income', 'plan', 'tenure'];
/** Nine aliases of nine: a billion-element document from a few hundred bytes of YAML. */
const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n') + '\n';
const PIPELINE_TEXT = 'name: demo\nsteps:\n  prepare:\n    run: cat raw.txt > clean.txt\n    deps: [raw.txt]\n    outs: [clean.txt]\n';

test(`every route of the backend and of a deployment survives fuzzed requests (seed ${SEED})`, { timeout: BUDGET_MS + 180_000 }, async () => {
  console.log(`routeFuzz: seed ${SEED} (replay with MLOPS_FUZZ_SEED=${SEED}), budget ${BUDGET_MS} ms`);
  const rng = new FuzzRandom(SEED);
  const root = mkdtempSync(join(tmpdir(), 'mlops-fuzz-'));
  const workspace = join(root, 'workspace');
  const outside = join(root, 'outside');
  for (const dir of [workspace, outside, join(root, 'home'), join(root, 'tmp')]) mkdirSync(dir);
  writeFileSync(join(outside, 'secret.txt'), 'not for the server\n');
  await seedWorkspace(workspace);
  const backendRoutes = await listBackendRoutes(workspace);

  const server = await startServer(workspace, [], { HOME: join(root, 'home'), TMPDIR: join(root, 'tmp') });
  let ok = false;
  try {
    const ids = await seedTracking(server);
    let deployment = await ensureDeployment(server, true);
    const before = snapshotDir(root, [workspace]);
    const hints = fieldHints(ids, outside);
    const deadline = Date.now() + BUDGET_MS * BACKEND_SHARE;

    const backend = new PhaseReport('backend');
    const backendTarget: FuzzTarget = {
      port: Number(new URL(server.url).port),
      token: server.token,
      routes: backendRoutes,
      segments: [ids.experimentId, ...ids.runIds, 'artifacts', `${ids.experimentId}/${ids.runIds[0]}/artifacts`, `${ids.experimentId}/${ids.runIds[0]}/artifacts/notes.txt`, `${ids.experimentId}/${ids.runIds[0]}/artifacts/naïve-😀-日本.txt`, 'notes.txt', 'model', 'MLmodel', 'models/churn/1', 'models', 'churn', '1', '2', DEPLOYMENT, `${DEPLOYMENT}/monitoring`, 'monitoring', 'redeploy', 'retrain', 'nope'],
      bodiesFor: (route) => backendBodies(route, hints, ids),
      anyBody: ALL_SCHEMAS.map((s) => schemaSeed(s, hints)),
    };
    await fuzzPhase(rng, backend, backendTarget, deadline, server, async (c, res) => {
      if (c.route?.pattern.startsWith('/api/v1/deployments') && res.status !== undefined && res.status < 300) await ensureDeployment(server, false);
    });

    // Recreated, so the deployment phase starts from the known models whatever the backend phase redeployed.
    deployment = await ensureDeployment(server, true);
    const deploymentReport = new PhaseReport('deployment');
    // Feedback names earlier predictions by their X-Request-Id: the ones answered so far, and two that never were.
    const requestIds: string[] = ['0', 'nope'];
    const deploymentTarget: FuzzTarget = {
      port: Number(new URL(deployment.url!).port),
      token: server.token,
      routes: listDeploymentRoutes(),
      segments: [DEPLOYMENT, SERVED_MODEL, 'churn', 'versions', '1', '2', 'ready', 'infer', `${SERVED_MODEL}/versions/1/infer`, `${SERVED_MODEL}/versions/1`, `${DEPLOYMENT}/ready`, `${SERVED_MODEL}:predict`, `${DEPLOYMENT}:predict`],
      bodiesFor: (route) => deploymentBodies(route, requestIds),
      anyBody: [...INFERENCE_BODIES, feedbackBody(requestIds)],
    };
    await fuzzPhase(rng, deploymentReport, deploymentTarget, Date.now() + Math.max(5_000, BUDGET_MS - BUDGET_MS * BACKEND_SHARE), server, async (c, res) => {
      const id = res.headers['x-request-id'];
      if (id && res.status === 200 && requestIds.length < 50) requestIds.push(id);
    }, async () => {
      const now = (await server.api('GET', `/api/v1/deployments/${DEPLOYMENT}`)).body.deployment as DeploymentState;
      return now.pid === deployment.pid && now.restarts === deployment.restarts ? undefined : `the deployment process was restarted (pid ${deployment.pid} -> ${now.pid}, restarts ${now.restarts}): it crashed; ${now.lastError ?? ''}`;
    });

    await server.stop();
    const integrity = integrityCheck(workspace);
    const written = diffSnapshots(before, snapshotDir(root, [workspace]));
    const lines = [backend.line(), deploymentReport.line(), `routeFuzz: integrity_check ${integrity}; files written outside the workspace: ${written.length ? written.join(', ') : 'none'}`];
    for (const line of lines) console.log(line);
    const failures = [...backend.failures.values(), ...deploymentReport.failures.values()];
    for (const failure of failures) console.log(`routeFuzz failure ${failure}`);
    assert.equal(integrity, 'ok', 'the store is damaged after fuzzing');
    assert.deepEqual(written, [], 'the servers wrote outside the workspace');
    assert.equal(failures.length, 0, `seed ${SEED}: ${failures.length} distinct failures:\n${failures.join('\n')}\n--- server output (tail) ---\n${server.output().slice(-4000)}`);
    ok = true;
  } finally {
    await server.kill();
    if (ok && !process.env.MLOPS_FUZZ_KEEP) rmSync(root, { recursive: true, force: true });
    else console.log(`routeFuzz: kept ${root}`);
  }
});

/** Requests tried, by route class and status, and the distinct failures. */
class PhaseReport {
  requests = 0;
  private totalMs = 0;
  readonly byClass = new Map<string, number>();
  readonly statuses = new Map<string, number>();
  readonly failures = new Map<string, string>();
  private slowest: { ms: number; what: string }[] = [];

  constructor(readonly server: string) {}

  record(n: number, c: FuzzCase, res: RawResponse, failure: string | undefined): void {
    this.requests++;
    this.totalMs += res.ms;
    count(this.byClass, c.routeClass);
    count(this.statuses, res.status !== undefined ? String(res.status) : res.timedOut ? 'hang' : 'closed');
    if (this.slowest.length < 3 || res.ms > this.slowest[2].ms) {
      this.slowest = [...this.slowest, { ms: res.ms, what: `${c.request.method} ${c.request.target.slice(0, 60)} -> ${res.status ?? '-'}` }].sort((a, b) => b.ms - a.ms).slice(0, 3);
    }
    if (!failure) return;
    // One line per kind of failure: the same bug found on both MLflow prefixes or with other ids is one.
    const key = `${failure} ${c.route?.method ?? c.request.method} ${c.route?.pattern ?? c.routeClass} ${res.bodyStart.slice(0, 80).replace(/[0-9a-f]{8,}|\d+/g, '#')}`;
    if (this.failures.size < 40 && !this.failures.has(key)) this.failures.set(key, `[${this.server} #${n}] ${failure}: ${describe(c)} -> ${res.status ?? '-'} ${res.bodyStart.slice(0, 300)}`);
  }

  line(): string {
    const classes = [...this.byClass].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    const statuses = [...this.statuses].sort().map(([k, v]) => `${k}:${v}`).join(' ');
    const slowest = this.slowest.map((s) => `${s.ms} ms ${s.what}`).join('; ');
    return `routeFuzz ${this.server}: ${this.requests} requests (${classes}); statuses ${statuses}; mean ${(this.totalMs / Math.max(1, this.requests)).toFixed(1)} ms, slowest: ${slowest}; ${this.failures.size ? `${this.failures.size} distinct failures` : 'no failures'}`;
  }
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function describe(c: FuzzCase): string {
  const r = c.request;
  const body = r.body ? ` body(${r.body.length} B, ${r.framing})=${JSON.stringify(r.body.subarray(0, 200).toString('utf8'))}` : '';
  return `${r.method} ${JSON.stringify(r.target.slice(0, 300))} headers=${JSON.stringify(r.headers.map(([k, v]) => `${k}: ${v.slice(0, 60)}`))} host=${r.host}${body}`;
}

/** What is wrong with an answer, if anything. */
function judge(c: FuzzCase, res: RawResponse): string | undefined {
  if (res.timedOut) return `no answer within ${ANSWER_WITHIN_MS} ms`;
  if (res.status !== undefined && res.status >= 500) return `status ${res.status}`;
  if (res.status === undefined) {
    // A Content-Length larger than the body: the server waits for bytes that never come, sees the end, and has no request to answer.
    if (c.request.framing === 'long') return undefined;
    // A body with no length is, to HTTP, a second request made of garbage: Node's parser refuses it
    // and closes the connection, which can cut off the answer to the first (an event stream's head).
    if (c.request.framing === 'none' && c.request.body?.length) return undefined;
    // A large request the server refused before reading it all (413, 431, 401): closing with unread
    // bytes resets the connection, which can drop the answer before this client reads it.
    if ((res.error === 'ECONNRESET' || res.error === 'EPIPE') && encodeRequest(c.request).length > LARGE_REQUEST) return undefined;
    return `connection closed without an answer (${res.error ?? 'closed'})`;
  }
  if (!res.complete) return 'response cut off after its head';
  return undefined;
}

/** Round after round over every route in a new order, until the deadline. */
async function fuzzPhase(
  rng: FuzzRandom,
  report: PhaseReport,
  target: FuzzTarget,
  deadline: number,
  server: TestServer,
  after: (c: FuzzCase, res: RawResponse) => Promise<void>,
  alive: () => Promise<string | undefined> = async () => undefined,
): Promise<void> {
  const healthPath = report.server === 'backend' ? '/api/v1/health' : '/v2/health/live';
  let n = 0;
  while (Date.now() < deadline) {
    // Every twentieth request goes to a path no route has.
    const round = [...rng.shuffle(target.routes), ...Array.from({ length: Math.ceil(target.routes.length / 20) }, () => undefined)];
    for (const route of round) {
      if (Date.now() >= deadline) break;
      const c = fuzzCase(rng, target, route);
      const res = await sendRaw(target.port, c.request, ANSWER_WITHIN_MS);
      report.record(++n, c, res, judge(c, res));
      await after(c, res);
      if (server.process.exitCode !== null || server.process.signalCode !== null) {
        report.failures.set('crash', `[${report.server} #${n}] the backend exited (${server.process.exitCode ?? server.process.signalCode}) after ${describe(c)}`);
        return;
      }
      if (n % HEALTH_EVERY === 0) {
        const problem = await healthProblem(target, healthPath) ?? (await alive());
        if (problem) {
          report.failures.set('health', `[${report.server} #${n}] ${problem}`);
          return;
        }
      }
    }
  }
  const problem = (await healthProblem(target, healthPath)) ?? (await alive());
  if (problem) report.failures.set('health', `[${report.server} end] ${problem}`);
}

async function healthProblem(target: FuzzTarget, path: string): Promise<string | undefined> {
  const res = await sendRaw(target.port, { method: 'GET', target: path, host: `127.0.0.1:${target.port}`, headers: [['Authorization', `Bearer ${target.token}`]], framing: 'exact' }, ANSWER_WITHIN_MS);
  return res.status === 200 ? undefined : `health check ${path} answered ${res.status ?? (res.timedOut ? 'nothing in time' : 'by closing')}`;
}

function integrityCheck(workspace: string): string {
  const db = new Database(join(workspace, '.mlops', 'mlops.db'), { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

// --- the routes, from the servers' own routers ---

async function listBackendRoutes(workspace: string): Promise<readonly RouteListing[]> {
  const store = TrackingStore.open(workspace);
  const app = createApp({ tracking: store, token: 'listing-only', workspace });
  try {
    return app.routes();
  } finally {
    await app.dispose();
    store.close();
  }
}

/** Registration only closes over the context; a context that throws when read shows it stays that way. */
function listDeploymentRoutes(): readonly RouteListing[] {
  const unread = new Proxy({}, { get: (_, key) => { throw new Error(`registerDeploymentRoutes read ctx.${String(key)} while registering: list the routes another way`); } });
  const router = new Router();
  registerDeploymentRoutes(router, unread as RouteContext);
  return router.routes();
}

// --- the workspace the servers start from ---

async function seedWorkspace(workspace: string): Promise<void> {
  const store = TrackingStore.open(workspace);
  try {
    const models = new ModelRegistry(store, { inspectModel: inspectOnnxModel });
    const { paths } = writeModels({ 'model.onnx': linearModel() });
    for (const name of [SERVED_MODEL, 'churn']) {
      models.createModel(name);
      await models.createVersion({ name, source: paths['model.onnx'], allowLocal: true, featuresSpec: FEATURES.join(',') });
    }
    await models.createVersion({ name: 'churn', source: paths['model.onnx'], allowLocal: true, featuresSpec: FEATURES.join(',') });
    models.setAlias('churn', 'champion', 1);
    models.setAlias('churn', 'challenger', 2);
  } finally {
    store.close();
  }
  writeFileSync(join(workspace, 'demo.pipeline.yaml'), PIPELINE_TEXT);
  writeFileSync(join(workspace, 'raw.txt'), 'raw\n');
  const rows = Array.from({ length: 60 }, (_, i) => [20 + (i % 40), 1000 * (i % 7), i % 3, i % 24]);
  writeFileSync(join(workspace, 'reference.csv'), `${FEATURES.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`);
}

interface SeededIds {
  experimentId: string;
  runIds: string[];
}

async function seedTracking(server: TestServer): Promise<SeededIds> {
  const must = async (method: string, path: string, body?: unknown) => {
    const res = await server.api(method, path, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const experimentId = (await must('POST', '/api/2.0/mlflow/experiments/create', { name: 'fuzz-exp' })).experiment_id as string;
  const runIds: string[] = [];
  for (const name of ['first', 'second']) {
    const run = (await must('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() })).run;
    runIds.push(run.info.run_id);
    await must('POST', '/api/2.0/mlflow/runs/log-batch', {
      run_id: run.info.run_id,
      metrics: Array.from({ length: 20 }, (_, i) => ({ key: i % 2 ? 'loss' : 'acc', value: 1 / (i + 1), timestamp: Date.now(), step: i })),
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'team', value: 'fuzz' }],
    });
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${run.info.run_id}/artifacts/notes.txt`, { method: 'PUT', headers: { Authorization: `Bearer ${server.token}` }, body: 'notes\n' });
    assert.equal(put.status, 200);
  }
  await must('POST', '/api/2.0/mlflow/runs/update', { run_id: runIds[1], status: 'FINISHED', end_time: Date.now() });
  return { experimentId, runIds };
}

function fuzzDeploymentSpec(): DeploymentSpec {
  return {
    name: DEPLOYMENT,
    port: 0,
    auth: true,
    shadow: false,
    variants: [{ name: 'champion', modelUri: `models:/${SERVED_MODEL}/1`, weight: 100 }],
    monitoring: { reference: 'reference.csv', window: { rows: 50 }, minRows: 20, sampleRate: 1, maxRowsPerSecond: 2000, maxRecordedMiB: 8, recomputeSeconds: 1, driftShare: 0.5, cooldownMinutes: 60 },
  };
}

/**
 * The deployment the fuzzer aims at, running; others the fuzzer started are stopped
 * (each is a process: left running they would eat the machine). `fresh` restarts
 * ours even if it runs. Fuzzed requests may stop or redeploy it: it is recreated
 * rather than its routes skipped.
 */
async function ensureDeployment(server: TestServer, fresh: boolean): Promise<DeploymentState> {
  const list = (await server.api('GET', '/api/v1/deployments')).body.deployments as DeploymentState[];
  for (const d of list) {
    if (d.status === 'stopped' || (d.name === DEPLOYMENT && !fresh)) continue;
    await server.api('DELETE', `/api/v1/deployments/${encodeURIComponent(d.name)}`);
  }
  const mine = list.find((d) => d.name === DEPLOYMENT);
  if (!fresh && mine && mine.status === 'running') return mine;
  const created = await server.api('POST', '/api/v1/deployments', fuzzDeploymentSpec());
  assert.equal(created.status, 201, `starting ${DEPLOYMENT}: ${JSON.stringify(created.body)}`);
  return created.body.deployment as DeploymentState;
}

// --- bodies: valid ones from the protocol's schemas, with real names and ids ---

const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let out = jsonSchemas.get(schema);
  if (!out) jsonSchemas.set(schema, (out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema));
  return out;
}

function schemaSeed(schema: z.ZodType, hints: FieldHints): BodySeed {
  return (rng) => ({ value: sampleSchema(rng, jsonSchemaOf(schema), hints) });
}

const retrainRequest = z.object({ pipeline: z.string().optional() });
const modelsQuery = z.object({ name: z.string().optional() });
const artifactListQuery = z.object({ path: z.string() });

/** MLflow's routes by the path after their prefix (both prefixes), "METHOD path" where methods differ. */
const MLFLOW_SCHEMAS: Record<string, z.ZodType> = {
  '/experiments/create': tracking.createExperiment,
  '/experiments/get': tracking.experimentById,
  '/experiments/get-by-name': tracking.experimentByName,
  '/experiments/search': tracking.searchExperiments,
  '/experiments/update': tracking.updateExperiment,
  '/experiments/delete': tracking.experimentById,
  '/experiments/restore': tracking.experimentById,
  '/experiments/set-experiment-tag': tracking.setExperimentTag,
  '/experiments/delete-experiment-tag': tracking.deleteExperimentTag,
  '/runs/create': tracking.createRun,
  '/runs/get': tracking.runById,
  '/runs/update': tracking.updateRun,
  '/runs/delete': tracking.runById,
  '/runs/restore': tracking.runById,
  '/runs/search': tracking.searchRuns,
  '/runs/log-metric': tracking.logMetric,
  '/runs/log-parameter': tracking.logParam,
  '/runs/set-tag': tracking.setTag,
  '/runs/delete-tag': tracking.deleteTag,
  '/runs/log-batch': tracking.logBatch,
  '/runs/log-inputs': tracking.logInputs,
  '/runs/log-model': tracking.logModel,
  '/metrics/get-history': tracking.getMetricHistory,
  '/metrics/get-history-bulk-interval': tracking.getMetricHistoryBulkInterval,
  '/artifacts/list': tracking.listArtifacts,
  '/registered-models/create': registry.createRegisteredModel,
  '/registered-models/get': registry.registeredModelByName,
  '/registered-models/search': registry.searchRegisteredModels,
  '/registered-models/rename': registry.renameRegisteredModel,
  '/registered-models/update': registry.updateRegisteredModel,
  '/registered-models/delete': registry.registeredModelByName,
  '/registered-models/get-latest-versions': registry.getLatestVersions,
  '/registered-models/set-tag': registry.setRegisteredModelTag,
  '/registered-models/delete-tag': registry.deleteRegisteredModelTag,
  'POST /registered-models/alias': registry.setRegisteredModelAlias,
  '/registered-models/alias': registry.registeredModelAlias,
  '/model-versions/create': registry.createModelVersion,
  '/model-versions/get': registry.modelVersionRef,
  '/model-versions/search': registry.searchModelVersions,
  '/model-versions/update': registry.updateModelVersion,
  '/model-versions/delete': registry.modelVersionRef,
  '/model-versions/transition-stage': registry.transitionModelVersionStage,
  '/model-versions/get-download-uri': registry.modelVersionRef,
  '/model-versions/set-tag': registry.setModelVersionTag,
  '/model-versions/delete-tag': registry.deleteModelVersionTag,
};

const NATIVE_SCHEMAS: Record<string, z.ZodType> = {
  'POST /api/v1/runs/heartbeat': native.heartbeatRequest,
  'POST /api/v1/series': native.seriesRequest,
  'POST /api/v1/runs/table': native.runsTableRequest,
  'POST /api/v1/pipelines/check': pipelineCheckRequest,
  'POST /api/v1/pipelines/status': pipelineStatusRequest,
  'POST /api/v1/deployments': deploymentSpec,
  'GET /api/v1/deployments/*': monitoringQuery,
  'GET /api/v1/models': modelsQuery,
  'GET /api/2.0/mlflow-artifacts/artifacts': artifactListQuery,
  'GET /ajax-api/2.0/mlflow-artifacts/artifacts': artifactListQuery,
};

const ALL_SCHEMAS: z.ZodType[] = [...new Set([...Object.values(MLFLOW_SCHEMAS), ...Object.values(NATIVE_SCHEMAS), retrainRequest])];

function backendBodies(route: RouteListing, hints: FieldHints, ids: SeededIds): BodySeed[] {
  const op = route.pattern.replace(/^\/(ajax-)?api\/2\.0\/mlflow(?=\/)/, '');
  const schema = MLFLOW_SCHEMAS[`${route.method} ${op}`] ?? MLFLOW_SCHEMAS[op] ?? NATIVE_SCHEMAS[`${route.method} ${route.pattern}`];
  if (schema) return [schemaSeed(schema, hints)];
  if (route.method === 'POST' && route.pattern === '/api/v1/deployments/*') return [schemaSeed(deploymentSpec, hints), schemaSeed(retrainRequest, hints)];
  if (route.method === 'PUT' && route.pattern.includes('mlflow-artifacts')) return [() => ({ text: `artifact of ${ids.runIds[0]}\n`, contentType: 'application/octet-stream' })];
  return [];
}

function fieldHints(ids: SeededIds, outside: string): FieldHints {
  const runIds = [...ids.runIds, 'f'.repeat(32), 'no-such-run'];
  const experimentIds = [ids.experimentId, '0', '999999', '-1'];
  const sources = [`runs:/${ids.runIds[0]}/model`, 'models:/churn/1', `mlflow-artifacts:/${ids.experimentId}/${ids.runIds[0]}/artifacts/notes.txt`, 'file:///etc/passwd', `file://${outside}/secret.txt`, join(outside, 'secret.txt'), '../outside/secret.txt', 'file://%E0%A4%A', 's3://bucket/model'];
  const files = ['demo.pipeline.yaml', 'reference.csv', 'missing.yaml', '../outside/secret.txt', join(outside, 'secret.txt'), '.mlops/mlops.db', '/etc/passwd'];
  const hints: [string[], unknown[]][] = [
    [['run_id', 'run_uuid', 'run_ids', 'runIds'], runIds],
    [['experiment_id', 'experiment_ids', 'experimentIds'], experimentIds],
    [['name'], ['churn', 'fuzz-exp', DEPLOYMENT, 'Default', 'new-model', 'fuzz-2']],
    [['experiment_name'], ['fuzz-exp', 'Default', 'missing']],
    [['new_name'], ['churn-renamed', 'fuzz-exp', 'Default']],
    [['version'], ['1', '2', 1, '999', '0']],
    [['alias'], ['champion', 'challenger', 'prod']],
    [['key', 'metric_key', 'keys', '*key'], ['loss', 'acc', 'lr', 'team', 'mlflow.log-model.history', 'mlflow.runName', 'mlops.features']],
    [['modelUri'], ['models:/churn@champion', 'models:/churn/1', 'models:/churn/latest', 'models:/churn@nope', 'models:/nope/1']],
    [['source'], sources],
    [['artifact_location'], [outside, `file://${outside}`, 'mlflow-artifacts:/elsewhere', '../outside', 's3://bucket/x']],
    [['path'], ['', 'notes.txt', 'model', '..', '../../..', '/etc', `${ids.experimentId}/${ids.runIds[0]}/artifacts`, 'models/churn/1']],
    [['file', 'pipeline', 'onDrift', 'reference'], files],
    [['filter'], ['metrics.loss > 0.1', "params.lr = '0.1'", "tags.team LIKE 'f%'", "attributes.status = 'FINISHED'", "name = 'churn'", "name LIKE '%c%'", "run_id IN ('a', 'b')", 'metrics.loss >', '((((', 'metrics.`a b` = 1', "version_number > 1"]],
    [['order_by', 'orderBy'], ['metrics.loss DESC', 'start_time ASC', 'params.lr', 'name', 'version_number DESC', 'attributes.run_name', 'bogus', 'metrics.`x` DESC']],
    [['page_token', 'pageToken'], [encodePageToken(1), encodePageToken(10_000_000), 'abc', '', Buffer.from('{"offset": -1}').toString('base64')]],
    [['max_results', 'maxResults'], [1, 10, 1000, '5', 0, 50_001]],
    [['model_json'], [JSON.stringify({ artifact_path: 'model', flavors: {} }), '[]', '{', 'null', '"x"']],
    [['text'], [PIPELINE_TEXT, 'steps: {}', 'name: x\nsteps:\n  a:\n    run: echo a\n    needs: [a]\n', ':', '- - -', ALIAS_BOMB]],
    [['value'], ['0.1', 1, true, '']],
    [['stage'], ['Production', 'Staging', 'Archived', 'None', 'bogus']],
    [['description', 'run_name', 'user_id', 'run_link'], NASTY_STRINGS as unknown[]],
    [['history', 'traffic'], ['10', '0', '9999999']],
  ];
  return new Map(hints.flatMap(([fields, values]) => fields.map((f) => [f, values] as const)));
}

// --- the deployment's bodies: the serving protocols' requests for the served model ---

function rowsOf(rng: FuzzRandom): number[][] {
  return Array.from({ length: rng.int(1, 4) }, () => FEATURES.map(() => Math.round(rng.float() * 1000) / 10));
}

const oipBody: BodySeed = (rng) => {
  const rows = rowsOf(rng);
  return { value: { ...(rng.chance(0.3) ? { id: 'r1' } : {}), inputs: [{ name: 'float_input', shape: [rows.length, 4], datatype: 'FP32', data: rng.chance(0.5) ? rows.flat() : rows }], ...(rng.chance(0.2) ? { outputs: [{ name: 'probabilities' }] } : {}) } };
};

const INFERENCE_BODIES: BodySeed[] = [
  oipBody,
  (rng) => ({ value: { dataframe_split: { columns: FEATURES, data: rowsOf(rng) } } }),
  (rng) => ({ value: { dataframe_records: rowsOf(rng).map((r) => Object.fromEntries(FEATURES.map((f, i) => [f, r[i]]))) } }),
  (rng) => ({ value: { instances: rowsOf(rng) } }),
  (rng) => ({ value: { inputs: rowsOf(rng) } }),
  (rng) => ({ text: `${FEATURES.join(',')}\n${rowsOf(rng).map((r) => r.join(',')).join('\n')}\n`, contentType: 'text/csv' }),
];

function feedbackBody(requestIds: string[]): BodySeed {
  return (rng) => ({ value: { request_id: rng.pick(requestIds), label: rng.pick<unknown>([1, 0, true, 'yes', [1, 0], 0.5]) } });
}

function deploymentBodies(route: RouteListing, requestIds: string[]): BodySeed[] {
  if (route.method !== 'POST') return [];
  if (route.pattern === '/v2/models/*') return [oipBody];
  if (route.pattern === '/invocations') return INFERENCE_BODIES.slice(1);
  if (route.pattern === '/v1/models/*') return [INFERENCE_BODIES[3]];
  if (route.pattern === '/v1/feedback') return [feedbackBody(requestIds)];
  return [];
}
