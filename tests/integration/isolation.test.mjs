// Project isolation (PROTOCOL 1.5: one key belongs to exactly one project) and
// provisioning while the server runs (1.8): a project or key created or
// revoked with the CLI takes effect at once.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopAll, api, cli, errorShapeViolations, expectError, expectStatus,
} from './lib/server.mjs';

let srv;
let A; // api with the default project's key
let B; // api with project projb's key
let projB;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

before(async () => {
  srv = await startServer();
  A = api(srv.url, srv.apiKey);
  // the server is running; create project B on the same data dir
  const r = cli(['project', 'create', 'projb', '--data', srv.dataDir, '--json']);
  assert.equal(r.status, 0, `project create failed: ${r.stderr}`);
  projB = r.json;
  assert.ok(projB, `project create --json printed no JSON: ${r.stdout}`);
  B = api(srv.url, projB.api_key);
});

after(async () => { await stopAll(); });

test('CLI project create --json prints {id, name, api_key}', () => {
  assert.equal(projB.id, 'projb');
  assert.equal(projB.name, 'projb');
  assert.match(projB.api_key, /^cb_[A-Za-z0-9]{40}$/);
  assert.notEqual(projB.api_key, srv.apiKey);
});

let bDocs;
async function seedB() {
  if (bDocs) return bDocs;
  const s1 = await B.post('/collections/documents?collection=secret', { data: { owner: 'B', amount: 5, tag: 'x' } });
  expectStatus(s1, 201, 'B create (a project created while the server runs works at once)');
  const s2 = await B.post('/collections/secret/batch/documents/create', { documents: [{ owner: 'B', amount: 7, tag: 'y' }] });
  expectStatus(s2, 201, 'B batch create');
  const sh = await B.post('/collections/documents?collection=shared', { data: { owner: 'B' } });
  expectStatus(sh, 201, 'B create in shared');
  bDocs = { secret: [s1.json, ...s2.json], shared: sh.json };
  return bDocs;
}

test("project A's key never reads B's documents", async () => {
  const { secret } = await seedB();
  for (const d of secret) {
    expectError(await A.get(`/collections/secret/documents/${d.id}`), 404, 'NOT_FOUND', 'A get of B doc');
    expectError(await A.get(`/collections/shared/documents/${d.id}`), 404, 'NOT_FOUND', 'A get of B doc via another name');
  }
  const l = await A.get('/collections/secret/documents');
  expectStatus(l, 200, 'A list');
  assert.deepEqual(l.json, []);
  assert.equal(l.seqRaw, '0', "A's view of 'secret' has never been written");
  const c = await A.get('/collections/secret/query/documents/count?owner=B');
  assert.deepEqual(c.json, { count: 0 });
  const c2 = await A.get('/collections/secret/query/documents/count');
  assert.deepEqual(c2.json, { count: 0 });
  const sum = await A.get('/collections/secret/query/documents/aggregate?field=amount&operation=sum');
  assert.equal(sum.json.result, 0);
  const cnt = await A.get('/collections/secret/query/documents/aggregate?field=id&operation=count');
  assert.equal(cnt.json.result, 0);
  const max = await A.get('/collections/secret/query/documents/aggregate?field=amount&operation=max');
  assert.equal(max.json.result, null);
  // filters on B's ids find nothing either
  const byId = await A.get(`/collections/secret/documents?id=${secret[0].id}`);
  assert.deepEqual(byId.json, []);
  // B sees its own
  const lb = await B.get('/collections/secret/documents');
  assert.equal(lb.json.length, 2);
  assert.equal(lb.seqRaw, '2');
});

test("project A's key never updates or deletes B's documents", async () => {
  const { secret } = await seedB();
  const d = secret[0];
  expectError(await A.patch(`/collections/secret/documents/${d.id}`, { data: { owner: 'A' } }), 404, 'NOT_FOUND', 'patch');
  expectError(await A.put(`/collections/secret/documents/${d.id}`, { data: { owner: 'A' } }), 404, 'NOT_FOUND', 'put');
  expectError(await A.del(`/collections/secret/documents/${d.id}`), 404, 'NOT_FOUND', 'delete');
  const bu = await A.post('/collections/secret/batch/documents/update', { updates: { [d.id]: { owner: 'A' } } });
  expectError(bu, 404, 'NOT_FOUND', 'batch update');
  const bd = await A.post('/collections/secret/batch/documents/delete', { document_ids: secret.map((x) => x.id) });
  expectStatus(bd, 200, 'batch delete');
  assert.equal(bd.json.count, 0, 'A deleted none of B\'s documents');
  for (const x of secret) {
    const g = await B.get(`/collections/secret/documents/${x.id}`);
    expectStatus(g, 200, 'B still has its document');
    assert.deepEqual(g.json, x, 'B document unchanged');
  }
  const lb = await B.get('/collections/secret/documents?limit=0');
  assert.equal(lb.seqRaw, '2', "B's seq untouched by A's attempts");
});

test("GET /collections of A does not list B's collections; same names are independent", async () => {
  const { shared } = await seedB();
  const la = await A.get('/collections');
  expectStatus(la, 200, 'A collections');
  assert.ok(!la.json.some((c) => c.name === 'secret'), `A lists B's collection: ${la.text}`);
  expectError(await A.get('/collections/secret'), 404, 'COLLECTION_NOT_FOUND', "A details of B's collection");
  // a collection of the same name in A is a different collection
  const a1 = await A.post('/collections/documents?collection=shared', { data: { owner: 'A' } });
  expectStatus(a1, 201, 'A create in shared');
  assert.equal(a1.seqRaw, '1', "A's first write to 'shared' is seq 1 whatever B did");
  assert.notEqual(a1.json.collection_id, shared.collection_id);
  const sa = await A.get('/collections/shared/documents');
  assert.deepEqual(sa.json.map((d) => d.id), [a1.json.id]);
  const sb = await B.get('/collections/shared/documents');
  assert.deepEqual(sb.json.map((d) => d.id), [shared.id]);
  const da = await A.get('/collections/shared');
  assert.equal(da.json.document_count, 1);
  assert.equal(da.json.id, a1.json.collection_id);
  const lb = await B.get('/collections');
  assert.deepEqual(lb.json.map((c) => c.name).sort(), ['secret', 'shared']);
  // B cannot see A's documents either
  expectError(await B.get(`/collections/shared/documents/${a1.json.id}`), 404, 'NOT_FOUND', "B get of A's doc");
  // explicit creation of a name that exists only in the other project succeeds
  const ex = await A.post('/collections', { name: 'secret' });
  expectStatus(ex, 201, "A creates 'secret' explicitly");
  expectError(await B.post('/collections', { name: 'secret' }), 409, 'ALREADY_EXISTS', "B's 'secret' exists");
});

test('a key created by the CLI while the server runs works at once; a revoked key is refused at once', async () => {
  const k = cli(['project', 'key', 'create', 'default', '--data', srv.dataDir, '--json']);
  assert.equal(k.status, 0, `key create failed: ${k.stderr}`);
  assert.equal(k.json.project, 'default');
  assert.match(k.json.api_key, /^cb_[A-Za-z0-9]{40}$/);
  assert.equal(typeof k.json.key_id, 'string');
  const K = api(srv.url, k.json.api_key);
  const c = await K.post('/collections/documents?collection=keys', { data: { by: 'new key' } });
  expectStatus(c, 201, 'new key works at once');
  // it is a key of project default: A sees the document
  expectStatus(await A.get(`/collections/keys/documents/${c.json.id}`), 200, 'same project');

  const rv = cli(['project', 'key', 'revoke', k.json.key_id, '--project', 'default', '--data', srv.dataDir]);
  assert.equal(rv.status, 0, `key revoke failed: ${rv.stderr}`);
  const r = await K.get('/collections/keys/documents');
  expectError(r, 401, 'INVALID_API_KEY', 'revoked key');
  expectError(await K.post('/collections/documents?collection=keys', { data: {} }), 401, 'INVALID_API_KEY', 'revoked key write');
  // the original key is unaffected
  expectStatus(await A.get('/collections/keys/documents'), 200, 'original key still works');
  assert.equal((await A.get('/collections/keys/query/documents/count')).json.count, 1);
});

test("a second key of project B reaches B's data and only B's", async () => {
  const { secret } = await seedB();
  const k = cli(['project', 'key', 'create', 'projb', '--data', srv.dataDir, '--json']);
  assert.equal(k.status, 0, `key create failed: ${k.stderr}`);
  assert.equal(k.json.project, 'projb');
  const K = api(srv.url, k.json.api_key);
  const g = await K.get(`/collections/secret/documents/${secret[0].id}`);
  expectStatus(g, 200, "B's second key reads B's document");
  assert.deepEqual(g.json, secret[0]);
  const cols = await K.get('/collections');
  assert.ok(!cols.json.some((c) => c.name === 'keys'), "B's key does not see A's collection 'keys'");
  // revoking B's second key leaves B's first key working
  const rv = cli(['project', 'key', 'revoke', k.json.key_id, '--project', 'projb', '--data', srv.dataDir]);
  assert.equal(rv.status, 0, `revoke failed: ${rv.stderr}`);
  expectError(await K.get('/collections/secret/documents'), 401, 'INVALID_API_KEY', "revoked B key");
  expectStatus(await B.get('/collections/secret/documents'), 200, "B's first key");
});

test('CONV-07 every non-2xx response seen in this file had the error body shape', () => {
  assert.deepEqual(errorShapeViolations, []);
});
