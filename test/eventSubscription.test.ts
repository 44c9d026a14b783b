// The extension's event subscription reads server-sent events as the EventSource
// rules say, whatever the chunks: a real HTTP server on loopback sends events
// whose data spans several lines, with CRLF and LF line ends, "data:" with and
// without its space, comments and a retry field, cut into chunks at awkward places
// (inside a CRLF, inside a field name, inside a UTF-8 character, between the two
// line ends that close an event). The subscription class needs no VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventSubscription } from '../src/extension/backend/eventSubscription';
import type { ChangeEvent, ServerInfo } from '../src/protocol/native';
import type { DeploymentEvent } from '../src/protocol/deployments';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stream of the first connection, as bytes; the cuts are where a chunk ends. */
function firstStream(): Buffer[] {
  const text = [
    'retry: 300\r\n: connected, seq 0\r\n\r\n',
    // A change event whose JSON is split over three data lines, with CRLF ends.
    'id: 1\r\nevent: change\r\ndata: {"seq":1,"at":1,\r\ndata:"kind":"run","experimentId":"0",\r\ndata: "runId":"r-é"}\r\n\r\n',
    ': keepalive\n\n',
    // A deployment event over two lines, LF ends.
    'event: deployment\ndata: {"kind":"removed","name":"svc",\ndata: "deployment":null,"alert":null}\n\n',
    // No event field: a plain message, which the backend's change events may also be.
    'data: {"seq":2,"at":2,"kind":"metrics",\ndata: "experimentId":"0","runId":"r2"}\n\n',
    // An event name the editor does not know is left alone.
    'event: something-new\ndata: {"seq":99,"at":3,"kind":"run","experimentId":"0","runId":"r9"}\n\n',
    // Data that is not JSON does not end the stream.
    'event: change\ndata: not json\n\n',
    'id: 3\nevent: change\ndata: {"seq":3,"at":3,\ndata: "kind":"tags","experimentId":"0","runId":"r3"}\n\n',
  ].join('');
  const bytes = Buffer.from(text, 'utf8');
  const cuts = new Set<number>();
  const at = (needle: string, offset: number) => {
    const i = bytes.indexOf(Buffer.from(needle, 'utf8'));
    assert.ok(i >= 0, needle);
    cuts.add(i + offset);
  };
  at('\r\n: connected', 1); // between CR and LF
  at('data:"kind"', 2); // inside the field name
  at('é', 1); // inside the two bytes of é
  at('"}\r\n\r\n', 4); // between the CRLFs that end the event
  at('"alert":null}\n\n', 14); // between the two LFs
  at('data: "experimentId":"0","runId":"r2"', 5); // between "data:" and its space
  const ordered = [...cuts].sort((a, b) => a - b);
  return ordered.map((end, i) => bytes.subarray(ordered[i - 1] ?? 0, end)).concat(bytes.subarray(ordered[ordered.length - 1]));
}

test('multi-line data events split across chunks arrive whole, in order, and reconnects resume after the last one', async () => {
  const requests: string[] = [];
  const write = async (res: ServerResponse, chunks: Buffer[]) => {
    for (const chunk of chunks) {
      res.write(chunk);
      await sleep(30); // each write reaches the client as its own chunk
    }
  };
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    assert.equal(req.headers.authorization, 'Bearer t0ken');
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.socket?.setNoDelay(true);
    if (requests.length === 1) {
      void write(res, firstStream()).then(() => res.end());
    } else {
      void write(res, [Buffer.from('data: {"seq":4,"at":4,"kind":"run",\r\ndata:"experimentId":"0","runId":"r4"}\r\n\r\n')]);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const info: ServerInfo = { url, token: 't0ken', pid: process.pid, workspace: '.', version: 'test', startedAt: Date.now() };

  const changes: ChangeEvent[] = [];
  const deployments: DeploymentEvent[] = [];
  const states: boolean[] = [];
  const subscription = new EventSubscription(
    () => info,
    (e) => changes.push(e),
    (live) => states.push(live),
    (e) => deployments.push(e),
  );
  try {
    const deadline = Date.now() + 10_000;
    while (changes.length < 4 && Date.now() < deadline) await sleep(20);
    assert.deepEqual(
      changes.map((e) => [e.seq, e.kind, e.runId]),
      [
        [1, 'run', 'r-é'],
        [2, 'metrics', 'r2'],
        [3, 'tags', 'r3'],
        [4, 'run', 'r4'],
      ],
    );
    assert.deepEqual(deployments, [{ kind: 'removed', name: 'svc', deployment: null, alert: null }]);
    // The first stream ended after seq 3: the reconnect asked for what came after it.
    assert.deepEqual(requests, ['/api/v1/events', '/api/v1/events?since=3']);
    assert.deepEqual(states.slice(0, 3), [true, false, true]);
  } finally {
    subscription.dispose();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
