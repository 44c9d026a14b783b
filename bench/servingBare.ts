import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ort from 'onnxruntime-node';

// The serving benchmark's smallest correct ONNX server, run as its own process by
// serving.ts: node:http and onnxruntime-node, nothing else. POST /predict takes
// one row as a JSON list of numbers and answers {"label", "probabilities"}, the
// same body as the Flask contender. No auth, no batching, no metrics, no
// validation beyond what keeps a bad row from reaching the model: this is the
// floor our deployment process's protocols and bookkeeping are measured against.
//
// Arguments: the model file and the port (0: any); prints {"port": N} once listening.
// The session gets the options our deployment gives a small model (one intra-op
// thread, sequential, all graph optimizations), so only the HTTP side differs.

async function serve(file: string, port: number): Promise<void> {
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const input = session.inputNames[0];
  const width = Number((session.inputMetadata[0] as { shape?: (number | string)[] }).shape?.[1] ?? 20);

  const answer = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    if (req.method !== 'POST' || req.url !== '/predict') return answer(res, 404, { error: 'POST /predict' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let row: unknown;
      try {
        row = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(res, 400, { error: 'the body is not JSON' });
      }
      if (!Array.isArray(row) || row.length !== width || !row.every((x) => typeof x === 'number')) {
        return answer(res, 400, { error: `send one row: a JSON list of ${width} numbers` });
      }
      const feeds = { [input]: new ort.Tensor('float32', Float32Array.from(row as number[]), [1, width]) };
      session.run(feeds).then(
        (out) => {
          const p = out.probabilities.data as Float32Array;
          answer(res, 200, { label: Number((out.label.data as BigInt64Array)[0]), probabilities: [p[0], p[1]] });
        },
        (err: Error) => answer(res, 500, { error: err.message }),
      );
    });
  });
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      server.close();
      server.closeAllConnections();
      void session.release().finally(() => process.exit(0));
    });
  }
}

if (require.main === module) {
  serve(process.argv[2], Number(process.argv[3] ?? 0)).catch((err) => {
    process.stderr.write(`bare server failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
