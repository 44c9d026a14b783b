import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './helpers/testServer';
import { attachmentDisposition } from '../src/server/http/contentDisposition';

// Artifact names beyond Latin-1 download under their own name (RFC 6266 / 5987).

let s: TestServer;
before(async () => (s = await startServer()));
after(async () => s.stop());

const A = '/api/2.0/mlflow-artifacts/artifacts';

/** The name a client reading RFC 6266 takes from the header: filename* first, else filename. */
function downloadName(header: string): string {
  const extended = /filename\*=UTF-8''([^;\s]+)/i.exec(header);
  if (extended) return decodeURIComponent(extended[1]);
  return /filename="([^"]*)"/.exec(header)![1];
}

test('CJK, emoji and quote characters in artifact names upload, list and download under their own name', async () => {
  const run = (await s.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info.run_id;
  const names = ['模型评估.txt', 'résumé.csv', '🚀 launch (final)*.json', `it's "quoted" 100%.txt`, 'plain-name.txt'];
  for (const name of names) {
    const path = `${A}/0/${run}/artifacts/reports/${encodeURIComponent(name)}`;
    const put = await fetch(s.url + path, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}` }, body: `content of ${name}` });
    assert.equal(put.status, 200, name);
    const got = await fetch(s.url + path, { headers: { Authorization: `Bearer ${s.token}` } });
    assert.equal(got.status, 200, `${name}: ${await got.clone().text()}`);
    assert.equal(await got.text(), `content of ${name}`);
    const header = got.headers.get('content-disposition')!;
    assert.match(header, /^attachment; filename="[\x20-\x7e]*"/);
    assert.equal(downloadName(header), name);
  }
  const listed = await s.api('GET', `${A}?path=0/${run}/artifacts/reports`);
  assert.deepEqual(listed.body.files.map((f: { path: string }) => f.path).sort(), [...names].sort());
});

test('the plain filename is ASCII without quotes or backslashes; names that need nothing more get nothing more', () => {
  assert.equal(attachmentDisposition('model.onnx'), 'attachment; filename="model.onnx"');
  assert.equal(attachmentDisposition('a"b\\c.txt'), `attachment; filename="a_b_c.txt"; filename*=UTF-8''a%22b%5Cc.txt`);
  assert.equal(attachmentDisposition('línea\r\n.txt'), `attachment; filename="l_nea__.txt"; filename*=UTF-8''l%C3%ADnea%0D%0A.txt`);
  // A lone surrogate (possible in a JSON string) must not make the encoding throw.
  assert.match(attachmentDisposition('bad\ud800.txt'), /filename\*=UTF-8''bad%EF%BF%BD\.txt$/);
});
