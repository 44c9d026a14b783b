import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { percentile } from './common';

// The ingest load generator, run as its own process by ingest.ts so that its
// CPU is not the server's. It sends MLflow log-batch requests of 1000 new points
// (10 keys x 100 consecutive steps, random values) on exactly N keep-alive
// connections, each connection logging to its own run, warms up, then measures.
//
// Config arrives as JSON in argv[2]; the result is one JSON line on stdout.

export interface LoadConfig {
  port: number;
  token: string;
  runIds: string[];
  connections: number;
  warmupMs: number;
  durationMs: number;
  client: 'agent' | 'autocannon';
  keys: number;
  stepsPerRequest: number;
}

export interface LoadResult {
  client: string;
  connections: number;
  durationMs: number;
  requests: number;
  points: number;
  non2xx: number;
  errors: number;
  pointsPerSec: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  bodyBytes: number;
  /** CPU this process used during the measured window, as a share of one core. */
  clientCpu: number;
  /** Points the server acknowledged with a 2xx over the whole run, warm-up included. */
  acknowledgedPoints: number;
  firstError?: string;
}

const PATH = '/api/2.0/mlflow/runs/log-batch';

// A pool of pre-formatted random doubles: formatting 1000 fresh floats per
// request would cost the client more CPU than building the body does.
const VALUE_POOL_SIZE = 1 << 16;
const valuePool: string[] = Array.from({ length: VALUE_POOL_SIZE }, () => String(Math.random() * 10 - 5));
let valueCursor = Math.floor(Math.random() * VALUE_POOL_SIZE);

/** A log-batch body for `runId` with steps [firstStep, firstStep + steps) of every key. */
export function makeBody(runId: string, keyNames: string[], firstStep: number, steps: number): Buffer {
  const ts = Date.now();
  const tail = `,"timestamp":${ts},"step":`;
  const parts: string[] = [];
  for (const key of keyNames) {
    const head = `{"key":"${key}","value":`;
    for (let s = 0; s < steps; s++) {
      valueCursor = (valueCursor + 7919) & (VALUE_POOL_SIZE - 1);
      parts.push(head + valuePool[valueCursor] + tail + (firstStep + s) + '}');
    }
  }
  return Buffer.from(`{"run_id":"${runId}","metrics":[${parts.join(',')}]}`);
}

class Recorder {
  measuring = false;
  acknowledged = 0;
  requests = 0;
  non2xx = 0;
  errors = 0;
  firstError?: string;
  latencies: number[] = [];
  bodyBytes = 0;

  done(status: number, ms: number, detail?: string): void {
    if (status >= 200 && status < 300) this.acknowledged++;
    if (!this.measuring) return;
    this.requests++;
    this.latencies.push(ms);
    if (status < 200 || status >= 300) {
      this.non2xx++;
      this.firstError ??= `HTTP ${status}: ${detail ?? ''}`.slice(0, 500);
    }
  }

  error(err: Error): void {
    if (!this.measuring) return;
    this.errors++;
    this.firstError ??= err.message;
  }
}

/** Node's http client: one keep-alive Agent with N sockets, N request loops. */
async function runAgent(config: LoadConfig, rec: Recorder, keyNames: string[], stop: () => boolean): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: config.connections, maxFreeSockets: config.connections });
  const headers = { Authorization: `Bearer ${config.token}`, 'Content-Type': 'application/json' };
  const send = (body: Buffer) =>
    new Promise<{ status: number; text?: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: config.port, method: 'POST', path: PATH, agent, headers: { ...headers, 'Content-Length': body.length } }, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (status >= 300) chunks.push(c);
        });
        res.on('end', () => resolve({ status, text: chunks.length ? Buffer.concat(chunks).toString() : undefined }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const loop = async (index: number) => {
    const runId = config.runIds[index % config.runIds.length];
    let step = 0;
    while (!stop()) {
      const body = makeBody(runId, keyNames, step, config.stepsPerRequest);
      step += config.stepsPerRequest;
      rec.bodyBytes = body.length;
      const started = performance.now();
      try {
        const { status, text } = await send(body);
        rec.done(status, performance.now() - started, text);
      } catch (err) {
        rec.error(err as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: config.connections }, (_, i) => loop(i)));
  agent.destroy();
}

/** autocannon with a per-request body generator; each connection owns a run. */
async function runAutocannon(config: LoadConfig, rec: Recorder, keyNames: string[], stop: () => boolean): Promise<void> {
  // Loaded at run time from node_modules (not bundled: it ships worker files).
  const autocannon = createRequire(__filename)('autocannon');
  let nextRun = 0;
  const startedAt = new Map<object, number>();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${config.port}`,
        connections: config.connections,
        pipelining: 1,
        duration: (config.warmupMs + config.durationMs) / 1000 + 60,
        headers: { Authorization: `Bearer ${config.token}`, 'Content-Type': 'application/json' },
        requests: [
          {
            method: 'POST',
            path: PATH,
            setupRequest: (req: Record<string, unknown>, context: { runIndex?: number; step?: number }) => {
              context.runIndex ??= nextRun++;
              context.step ??= 0;
              const body = makeBody(config.runIds[context.runIndex % config.runIds.length], keyNames, context.step, config.stepsPerRequest);
              context.step += config.stepsPerRequest;
              rec.bodyBytes = body.length;
              startedAt.set(context, performance.now());
              return { ...req, body };
            },
            onResponse: (status: number, body: string, context: object) => {
              const t = startedAt.get(context);
              rec.done(status, t === undefined ? 0 : performance.now() - t, status >= 300 ? body : undefined);
            },
          },
        ],
      },
      (err: Error | null) => (err ? reject(err) : resolve()),
    );
    instance.on('reqError', (err: Error) => rec.error(err));
    const timer = setInterval(() => {
      if (stop()) {
        clearInterval(timer);
        instance.stop();
      }
    }, 20);
  });
}

export async function runLoad(config: LoadConfig): Promise<LoadResult> {
  const keyNames = Array.from({ length: config.keys }, (_, k) => `metric_${k}`);
  const rec = new Recorder();
  let stopped = false;
  let cpuAtStart = process.cpuUsage();
  let measureStart = 0;
  let measureEnd = 0;
  let cpuUsed = { user: 0, system: 0 };
  const warmup = setTimeout(() => {
    rec.measuring = true;
    cpuAtStart = process.cpuUsage();
    measureStart = performance.now();
  }, config.warmupMs);
  const end = setTimeout(() => {
    rec.measuring = false;
    measureEnd = performance.now();
    cpuUsed = process.cpuUsage(cpuAtStart);
    stopped = true;
  }, config.warmupMs + config.durationMs);
  const stop = () => stopped;
  try {
    if (config.client === 'autocannon') await runAutocannon(config, rec, keyNames, stop);
    else await runAgent(config, rec, keyNames, stop);
  } finally {
    clearTimeout(warmup);
    clearTimeout(end);
  }
  const ms = measureEnd - measureStart;
  const sorted = Float64Array.from(rec.latencies).sort();
  const points = rec.requests * config.keys * config.stepsPerRequest;
  return {
    client: config.client,
    connections: config.connections,
    durationMs: ms,
    requests: rec.requests,
    points,
    non2xx: rec.non2xx,
    errors: rec.errors,
    pointsPerSec: (points / ms) * 1000,
    requestsPerSec: (rec.requests / ms) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    bodyBytes: rec.bodyBytes,
    clientCpu: (cpuUsed.user + cpuUsed.system) / 1000 / ms,
    acknowledgedPoints: rec.acknowledged * config.keys * config.stepsPerRequest,
    firstError: rec.firstError,
  };
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2]) as LoadConfig;
  runLoad(config).then(
    (result) => {
      process.stdout.write(JSON.stringify(result) + '\n');
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`load generator failed: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
