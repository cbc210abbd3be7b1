// Issue #12, finding 1: one JSON number took the server down for good. `{"n": 1e400}` was
// stored as `inf` (not JSON), and from then on every read that touched the document threw an
// exception that was not a std::exception and aborted the process, again after each restart.
// Now: non-finite numbers are refused with 400 INVALID_JSON everywhere JSON comes in, and a
// stored row no read can decode (made here with the sqlite3 CLI, as an older version stored
// it) is skipped and counted by reads, a 500 for a get by id, and found and quarantined by
// `cocobase doctor`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServer, stopAll, api, cli, expectError, expectStatus, makeTempDir } from './lib/server.mjs';
import { connectAuthed } from '../realtime/lib/ws.mjs';

let srv;
let a;

before(async () => {
  srv = await startServer();
  a = api(srv.url, srv.apiKey);
});
after(async () => { await stopAll(); });

const jsonBody = (s) => ({ rawBody: s, headers: { 'content-type': 'application/json' } });

async function assertAlive(what) {
  const h = await a.get('/health', { noKey: true });
  assert.equal(h.status, 200, `${what}: /health after`);
  expectStatus(await a.get('/collections/poison/documents'), 200, `${what}: list after`);
}

test('numbers beyond the double range are refused with 400 INVALID_JSON and nothing is stored', async () => {
  const huge = '9'.repeat(400);
  for (const body of ['{"n":1e400}', '{"n":-1e400}', `{"n":${huge}}`, `{"data":{"a":[1,{"b":-${huge}.5}]}}`]) {
    const r = await a.req('POST', '/collections/poison/documents', jsonBody(body));
    expectError(r, 400, 'INVALID_JSON', body.slice(0, 30));
    await assertAlive(body.slice(0, 30));
  }
  const ok = await a.post('/collections/poison/documents', { n: 1 });
  expectStatus(ok, 201);
  const patch = await a.req('PATCH', `/collections/poison/documents/${ok.json.id}`, jsonBody('{"n":1e400}'));
  expectError(patch, 400, 'INVALID_JSON', 'patch');
  const batch = await a.req('POST', '/collections/poison/batch/documents/create', jsonBody('[{"n":1},{"n":1e999}]'));
  expectError(batch, 400, 'INVALID_JSON', 'batch');
  const list = await a.get('/collections/poison/documents');
  expectStatus(list, 200);
  assert.deepEqual(list.json.map((d) => d.data), [{ n: 1 }]);
  // Underflow is a finite zero, as JavaScript's JSON.parse makes it.
  const tiny = await a.req('POST', '/collections/poison/documents', jsonBody('{"t":1e-400}'));
  expectStatus(tiny, 201);
  assert.equal(tiny.json.data.t, 0);
});

test('realtime: a filter or a broadcast with 1e400 is INVALID_JSON, and nothing reaches the others', async () => {
  const { c: watch, first } = await connectAuthed(srv.url, '/realtime/collections/poison', {
    api_key: srv.apiKey, filters: { n_gt: 1 },
  });
  assert.equal(first.event, 'connected');
  const bad = await connectAuthed(srv.url, '/realtime/collections/poison', '{"api_key":"' + srv.apiKey + '","filters":{"n_gt":1e400}}');
  assert.equal(bad.first.code, 'INVALID_JSON');
  const { c: alice } = await connectAuthed(srv.url, '/realtime/broadcast', { api_key: srv.apiKey, user_id: 'a' });
  const { c: bob } = await connectAuthed(srv.url, '/realtime/broadcast', { api_key: srv.apiKey, user_id: 'b' });
  alice.send('{"type":"message","data":{"x":1e400}}');
  const err = await alice.next();
  assert.equal(err.type, 'error');
  assert.equal(err.code, 'INVALID_JSON');
  alice.send({ type: 'message', data: { x: 1 } });
  const m = await bob.next();  // the first thing bob sees is the good message
  assert.deepEqual(m.data, { x: 1 });
  await Promise.all([watch.close(), alice.close(), bob.close()]);
});

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return r.stdout;
}

async function metric(s, name) {
  const r = await api(s.url, s.apiKey).get('/metrics', { noKey: true });
  const m = r.text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

test('a stored row no read can decode is skipped by reads, a 500 for its get, and quarantined by doctor', async () => {
  const dir = await makeTempDir();
  let s = await startServer({ dataDir: dir });
  let b = api(s.url, s.apiKey);
  const good = (await b.post('/collections/old/documents', { n: 1, name: 'good' })).json;
  const bad = (await b.post('/collections/old/documents', { n: 2, name: 'bad' })).json;
  const ref = (await b.post('/collections/refs/documents', { target: bad.id })).json;
  const key = s.apiKey;
  await s.stop();
  // What an older version wrote for {"n": 1e400}.
  const db = path.join(dir, 'cocobase.db');
  sqlite(db, `UPDATE documents SET data='{"n":inf,"name":"bad"}' WHERE id='${bad.id}';` +
             `UPDATE changelog SET data='{"n":inf,"name":"bad"}' WHERE doc_id='${bad.id}';`);

  s = await startServer({ dataDir: dir, apiKey: key });
  b = api(s.url, key);
  const list = await b.get('/collections/old/documents');
  expectStatus(list, 200, 'list');
  assert.deepEqual(list.json.map((d) => d.id), [good.id]);
  assert.deepEqual((await b.get('/collections/old/query/documents/count?name_contains=a')).json, { count: 0 });
  assert.deepEqual((await b.get('/collections/old/query/documents/count?name=good')).json, { count: 1 });
  const agg = await b.get('/collections/old/query/documents/aggregate?field=n&operation=sum');
  expectStatus(agg, 200, 'aggregate');
  assert.equal(agg.json.result, 1);
  expectError(await b.get(`/collections/old/documents/${bad.id}`), 500, 'INTERNAL_ERROR', 'get of the bad row');
  const populated = await b.get(`/collections/refs/documents/${ref.id}?populate=target`);
  expectStatus(populated, 200, 'populate');
  assert.equal(populated.json.data.target, null);
  // A resume replays around the row (the log entry is undecodable too).
  const { c } = await connectAuthed(s.url, '/realtime/collections/old', { api_key: key, resume_from: 0 });
  const replayed = [];
  for (;;) {
    const m = await c.next();
    if (m.event === 'replay_done') break;
    replayed.push(m.data.id);
  }
  assert.deepEqual(replayed, [good.id]);
  await c.close();
  assert.equal((await b.get('/health', { noKey: true })).status, 200);
  assert.ok(await metric(s, 'cocobase_store_undecodable_rows_total') >= 4);

  // Deleting it works (its data reads as {}); here the doctor takes it out instead.
  let r = cli(['doctor', '--data', dir, '--json']);
  assert.equal(r.status, 4, `doctor exit status: ${r.stderr}`);
  assert.deepEqual(r.json.undecodable.map((x) => [x.table, x.column]).sort(),
    [['changelog', 'data'], ['documents', 'data']]);
  assert.equal(r.json.undecodable.find((x) => x.table === 'documents').key, `default/old/${bad.id}`);
  r = cli(['doctor', '--data', dir, '--quarantine']);
  assert.equal(r.status, 0, r.stderr);
  r = cli(['doctor', '--data', dir]);
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /^0 undecodable row/m);
  assert.match(sqlite(db, "SELECT raw FROM quarantine WHERE table_name='documents'"), /"n":inf/);
  expectError(await b.get(`/collections/old/documents/${bad.id}`), 404, 'NOT_FOUND', 'after quarantine');
  await s.stop();
});

test('doctor refuses a data dir without a database', async () => {
  const dir = await makeTempDir();
  const r = cli(['doctor', '--data', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no database/);
});
