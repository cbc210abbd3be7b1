// Issue #12, finding 4: `_contains` cost haystack x needle; one count over a 1 MiB document
// with a 30 KB operand took 27 s of CPU, and as a watch filter it ran on the store's writer
// thread. Now the search is linear, a filter value is at most --max-filter-operand-bytes
// (4096), and watch filters run on the fan-out thread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api, expectError, expectStatus } from './lib/server.mjs';
import { openWs, expectErrorClose } from '../realtime/lib/ws.mjs';

let srv;
let a;

before(async () => {
  srv = await startServer();
  a = api(srv.url, srv.apiKey);
  // Just under the 1 MiB document limit: the worst case for the old search.
  expectStatus(await a.post('/collections/hay/documents', { s: 'a'.repeat(1000000) }), 201, 'seed');
});
after(async () => { await stopAll(); });

test('a filter value over --max-filter-operand-bytes is 400 INVALID_QUERY naming the key', async () => {
  const needle = 'a'.repeat(30000) + 'b';
  for (const route of ['documents', 'query/documents/count']) {
    const r = await a.get(`/collections/hay/${route}?s_contains=${needle}`);
    expectError(r, 400, 'INVALID_QUERY', route);
    assert.match(r.json.detail, /s_contains/);
    assert.match(r.json.detail, /4096/);
  }
  const agg = await a.get(`/collections/hay/query/documents/aggregate?field=s&operation=count&s_contains=${needle}`);
  expectError(agg, 400, 'INVALID_QUERY', 'aggregate');
});

test('the longest allowed contains over a 1 MiB document answers, and answers right', async () => {
  const needle = 'a'.repeat(4095) + 'b';
  assert.deepEqual((await a.get(`/collections/hay/query/documents/count?s_contains=${needle}`)).json, { count: 0 });
  assert.deepEqual((await a.get(`/collections/hay/query/documents/count?s_contains=${'A'.repeat(4096)}`)).json, { count: 1 });
});

test('a watch filter over the operand limit is INVALID_FILTER (4400) with its key', async () => {
  const c = await openWs(srv.url, '/realtime/collections/hay');
  c.send({ api_key: srv.apiKey, filters: { s_contains: 'a'.repeat(5000) } });
  const m = await expectErrorClose(c, 'INVALID_FILTER', 4400);
  assert.equal(m.key, 's_contains');
});

test('the operand limit has a flag', async () => {
  const s2 = await startServer({ args: ['--max-filter-operand-bytes', '8'] });
  const b = api(s2.url, s2.apiKey);
  expectStatus(await b.get('/collections/x/documents?name_contains=12345678'), 200, 'at the limit');
  expectError(await b.get('/collections/x/documents?name_contains=123456789'), 400, 'INVALID_QUERY', 'over');
  await s2.stop();
});
