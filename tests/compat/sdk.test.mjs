// The official npm SDK `cocobase@1.6.0` (pinned in tests/package.json) against
// our server. The SDK's REST client takes `baseURL` from its config
// (new Cocobase({ apiKey, baseURL, storage })); its realtime helpers are not
// exercised here (they use a hard-coded origin, PROTOCOL 1.1).
//
// Every value the SDK returns is checked against what the server stored,
// read back with plain fetch.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cocobase, memoryStorageAdapter, NotFoundError, UnauthorizedError, ValidationError, CocobaseError, buildFilterQuery,
} from 'cocobase';
import { startServer, stopAll, api, assertDocument, expectStatus } from '../integration/lib/server.mjs';

let srv;
let raw; // plain HTTP client with the same key
let db; // the SDK

before(async () => {
  srv = await startServer();
  raw = api(srv.url, srv.apiKey);
  db = new Cocobase({ apiKey: srv.apiKey, baseURL: srv.url, storage: memoryStorageAdapter(), timeout: 10000 });
});

after(async () => { await stopAll(); });

async function stored(collection, id) {
  const r = await raw.get(`/collections/${collection}/documents/${id}`);
  expectStatus(r, 200, `raw get ${collection}/${id}`);
  return r.json;
}

async function rejectsWith(promise, Cls, status) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(e instanceof CocobaseError);
    assert.equal(e.statusCode, status);
    // the SDK keeps the parsed error body: PROTOCOL 1.6 shape
    assert.equal(typeof e.detail?.detail, 'string', `error body: ${JSON.stringify(e.detail)}`);
    assert.equal(typeof e.detail?.code, 'string');
    return true;
  });
}

test('createDocument / getDocument', async () => {
  const data = { title: 'Hello', n: 1, tags: ['a', 'b'], meta: { x: null } };
  const doc = await db.createDocument('sdk_posts', data);
  assertDocument(doc, { collection: 'sdk_posts' });
  assert.deepEqual(doc.data, data);
  assert.deepEqual(await stored('sdk_posts', doc.id), doc);
  const got = await db.getDocument('sdk_posts', doc.id);
  assert.deepEqual(got, doc);
  // a document whose only field is named `data` round-trips (the SDK wraps it)
  const wrapped = await db.createDocument('sdk_posts', { data: { inner: 1 } });
  assert.deepEqual(wrapped.data, { data: { inner: 1 } });
  assert.deepEqual((await stored('sdk_posts', wrapped.id)).data, { data: { inner: 1 } });
});

test('updateDocument and replaceDocument merge shallowly (both send PATCH)', async () => {
  const doc = await db.createDocument('sdk_posts', { a: 1, b: { x: 1 }, keep: true });
  await new Promise((r) => setTimeout(r, 10));
  const up = await db.updateDocument('sdk_posts', doc.id, { b: { y: 2 }, c: null });
  assertDocument(up, { collection: 'sdk_posts' });
  assert.deepEqual(up.data, { a: 1, b: { y: 2 }, keep: true, c: null });
  assert.equal(up.created_at, doc.created_at);
  assert.ok(up.updated_at > doc.updated_at, 'updated_at advances');
  assert.deepEqual(await stored('sdk_posts', doc.id), up);
  const rep = await db.replaceDocument('sdk_posts', doc.id, { a: 2 });
  assert.deepEqual(rep.data, { a: 2, b: { y: 2 }, keep: true, c: null }, 'replaceDocument merges too');
  assert.deepEqual(await stored('sdk_posts', doc.id), rep);
});

test('deleteDocument, then getDocument throws NotFoundError', async () => {
  const doc = await db.createDocument('sdk_posts', { gone: true });
  const res = await db.deleteDocument('sdk_posts', doc.id);
  assert.equal(res.success, true);
  assert.equal(res.id, doc.id);
  assert.equal(typeof res.message, 'string');
  await rejectsWith(db.getDocument('sdk_posts', doc.id), NotFoundError, 404);
  await rejectsWith(db.deleteDocument('sdk_posts', doc.id), NotFoundError, 404);
  await rejectsWith(db.updateDocument('sdk_posts', doc.id, { x: 1 }), NotFoundError, 404);
  expectStatus(await raw.get(`/collections/sdk_posts/documents/${doc.id}`), 404, 'raw get after delete');
});

test('createDocument with falsy data sends no body: ValidationError 422; a bad key: UnauthorizedError 401', async () => {
  const before = (await raw.get('/collections/sdk_empty/query/documents/count')).json.count;
  await rejectsWith(db.createDocument('sdk_empty', null), ValidationError, 422);
  assert.equal((await raw.get('/collections/sdk_empty/query/documents/count')).json.count, before);
  const bad = new Cocobase({ apiKey: `cb_${'9'.repeat(40)}`, baseURL: srv.url, storage: memoryStorageAdapter() });
  await rejectsWith(bad.listDocuments('sdk_posts'), UnauthorizedError, 401);
});

let listDocs;
async function seedList() {
  if (listDocs) return listDocs;
  const items = Array.from({ length: 12 }, (_, i) => ({ n: i, published: i % 2 === 0, title: `t${i}`, author: { role: i < 6 ? 'admin' : 'user' } }));
  listDocs = await db.createDocuments('sdk_list', items);
  return listDocs;
}

test('createDocuments returns the created documents in request order', async () => {
  const docs = await seedList();
  assert.ok(Array.isArray(docs));
  assert.equal(docs.length, 12);
  docs.forEach((d, i) => {
    assertDocument(d, { collection: 'sdk_list' });
    assert.equal(d.data.n, i);
  });
  for (const d of docs) assert.deepEqual(await stored('sdk_list', d.id), d);
});

test('listDocuments with filters, sort, pagination, select', async () => {
  const docs = await seedList();
  const byN = (ns) => ns.map((n) => docs[n].id);
  const ids = (xs) => xs.map((d) => d.id);

  const all = await db.listDocuments('sdk_list');
  assert.equal(all.length, 12);
  assert.deepEqual(new Set(ids(all)), new Set(ids(docs)));
  for (const d of all) assert.deepEqual(d, docs[d.data.n], 'listed documents equal the stored ones');

  const r1 = await db.listDocuments('sdk_list', { filters: { published: true, n_gte: 4 }, sort: 'n', order: 'asc', limit: 2, offset: 1 });
  assert.deepEqual(ids(r1), byN([6, 8]));
  const r2 = await db.listDocuments('sdk_list', { filters: { published: false }, sort: 'n' });
  assert.deepEqual(ids(r2), byN([11, 9, 7, 5, 3, 1]), 'order defaults to desc when sort is set');
  const r3 = await db.listDocuments('sdk_list', { filters: { '[or]n': 1, '[or]title': 't3' }, sort: 'n', order: 'asc' });
  assert.deepEqual(ids(r3), byN([1, 3]));
  const r4 = await db.listDocuments('sdk_list', { filters: { 'author.role': 'user', n_in: '6,7,100', title_contains: 'T' }, sort: 'n', order: 'asc' });
  assert.deepEqual(ids(r4), byN([6, 7]));
  const r5 = await db.listDocuments('sdk_list', { filters: { n: null, title: undefined }, sort: 'n', order: 'asc' });
  assert.equal(r5.length, 12, 'null/undefined filters are dropped');
  const r6 = await db.listDocuments('sdk_list', { filters: { title__or__n_startswith: 't1' }, sort: 'n', order: 'asc' });
  assert.deepEqual(ids(r6), byN([1, 10, 11]));
  const sel = await db.listDocuments('sdk_list', { filters: { n: 5 }, select: ['title', 'author.role'] });
  assert.equal(sel.length, 1);
  assert.deepEqual(sel[0].data, { title: 't5', author: { role: 'admin' } });
  assert.equal(sel[0].id, docs[5].id);
  assert.equal(sel[0].created_at, docs[5].created_at);
  // the query string the SDK sent is the documented one
  assert.equal(buildFilterQuery({ filters: { a: 1 }, sort: 'n' }), 'a=1&sort=n&order=desc&limit=100&offset=0');
});

test('paginate walks the collection page by page', async () => {
  const docs = await seedList();
  const pager = db.paginate('sdk_list', { sort: 'n', order: 'asc' }, 5);
  const p1 = await pager.nextPage();
  assert.deepEqual(p1.data.map((d) => d.data.n), [0, 1, 2, 3, 4]);
  assert.equal(p1.hasMore, true);
  const p2 = await pager.nextPage();
  assert.deepEqual(p2.data.map((d) => d.data.n), [5, 6, 7, 8, 9]);
  assert.equal(p2.hasMore, true);
  const p3 = await pager.nextPage();
  assert.deepEqual(p3.data.map((d) => d.data.n), [10, 11]);
  assert.equal(p3.hasMore, false);
  assert.deepEqual(p3.data.map((d) => d.id), [docs[10].id, docs[11].id]);
  const back = await pager.prevPage();
  assert.deepEqual(back.data.map((d) => d.data.n), [5, 6, 7, 8, 9]);
});

test('countDocuments (the SDK appends limit=100&offset=0, which must be ignored)', async () => {
  await seedList();
  assert.deepEqual(await db.countDocuments('sdk_list'), { count: 12 });
  assert.deepEqual(await db.countDocuments('sdk_list', { filters: { published: true } }), { count: 6 });
  assert.deepEqual(await db.countDocuments('sdk_list', { filters: { n_lt: 3, '[or]title': 't0', '[or]title_endswith': '2' } }), { count: 2 });
  const many = await db.createDocuments('sdk_many', Array.from({ length: 130 }, (_, i) => ({ i })));
  assert.equal(many.length, 130);
  assert.deepEqual(await db.countDocuments('sdk_many'), { count: 130 }, 'count exceeds the SDK limit of 100');
  const raw130 = await raw.get('/collections/sdk_many/query/documents/count');
  assert.deepEqual(raw130.json, { count: 130 });
  assert.equal((await db.listDocuments('sdk_many')).length, 100, 'the SDK list default limit is 100');
});

test('aggregateDocuments (URL ends in & without a query)', async () => {
  const docs = await seedList();
  const ns = docs.map((d) => d.data.n);
  const pubNs = docs.filter((d) => d.data.published).map((d) => d.data.n);
  const sum = (xs) => xs.reduce((s, x) => s + x, 0);
  const expectAgg = async (params, result) => {
    const r = await db.aggregateDocuments('sdk_list', params);
    assert.deepEqual(r, { collection: 'sdk_list', field: params.field, operation: params.operation, result }, JSON.stringify(params));
  };
  await expectAgg({ field: 'n', operation: 'sum' }, sum(ns));
  await expectAgg({ field: 'n', operation: 'avg' }, sum(ns) / ns.length);
  await expectAgg({ field: 'n', operation: 'min' }, Math.min(...ns));
  await expectAgg({ field: 'n', operation: 'max' }, Math.max(...ns));
  await expectAgg({ field: 'n', operation: 'count' }, ns.length);
  await expectAgg({ field: 'n', operation: 'sum', query: { filters: { published: true } } }, sum(pubNs));
  await expectAgg({ field: 'n', operation: 'avg', query: { filters: { published: true } } }, sum(pubNs) / pubNs.length);
  await expectAgg({ field: 'missing_field', operation: 'avg' }, null);
  await expectAgg({ field: 'missing_field', operation: 'sum' }, 0);
  await assert.rejects(db.aggregateDocuments('sdk_list', { field: 'n', operation: 'median' }), (e) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.detail?.code, 'INVALID_OPERATOR');
    return true;
  });
});

test('updateDocuments returns the updated documents in request order; deleteDocuments reports the count', async () => {
  const docs = await db.createDocuments('sdk_batch', [{ k: 'a', v: 1 }, { k: 'b', v: 2 }, { k: 'c', v: 3 }]);
  assert.deepEqual(docs.map((d) => d.data.k), ['a', 'b', 'c']);
  const [x, y, z] = docs;
  const up = await db.updateDocuments('sdk_batch', { [z.id]: { v: 30 }, [x.id]: { v: 10, extra: true } });
  assert.deepEqual(up.map((d) => d.id), [z.id, x.id]);
  assert.deepEqual(up[0].data, { k: 'c', v: 30 });
  assert.deepEqual(up[1].data, { k: 'a', v: 10, extra: true });
  for (const d of up) assert.deepEqual(await stored('sdk_batch', d.id), d);
  assert.deepEqual((await stored('sdk_batch', y.id)), y, 'y untouched');
  // one unknown id: 404 and nothing changes
  await rejectsWith(db.updateDocuments('sdk_batch', { [y.id]: { v: 99 }, '00000000-0000-4000-8000-000000000000': { v: 1 } }), NotFoundError, 404);
  assert.deepEqual((await stored('sdk_batch', y.id)), y, 'all or nothing');

  const del = await db.deleteDocuments('sdk_batch', [x.id, '00000000-0000-4000-8000-000000000000', y.id]);
  assert.deepEqual(del, { status: 'success', message: '2 documents deleted', count: 2 });
  expectStatus(await raw.get(`/collections/sdk_batch/documents/${x.id}`), 404, 'x deleted');
  expectStatus(await raw.get(`/collections/sdk_batch/documents/${y.id}`), 404, 'y deleted');
  expectStatus(await raw.get(`/collections/sdk_batch/documents/${z.id}`), 200, 'z kept');
  assert.deepEqual(await db.countDocuments('sdk_batch'), { count: 1 });
  // one invalid element: 422 and nothing created
  await rejectsWith(db.createDocuments('sdk_batch', [{ ok: 1 }, 5]), ValidationError, 422);
  assert.deepEqual(await db.countDocuments('sdk_batch'), { count: 1 });
});

test('after auth.register the SDK sends key + token on collection calls; a token-only client works too', async () => {
  const email = `sdk${Date.now()}@example.com`;
  const reg = await db.auth.register({ email, password: 'securepass123', data: { name: 'SDK User' } });
  assert.equal(reg.requires_2fa, false);
  assert.equal(reg.user.email, email);
  const token = db.auth.getToken();
  assert.equal(typeof token, 'string');
  // the SDK now attaches Authorization to every request: still works with the key
  const d = await db.createDocument('sdk_auth', { who: 'key+token' });
  assert.deepEqual(await stored('sdk_auth', d.id), d);
  // a client with only the token
  const tdb = new Cocobase({ baseURL: srv.url, storage: memoryStorageAdapter() });
  const init = await tdb.auth.initAuth(token);
  assert.equal(init.isAuthenticated, true);
  assert.equal(init.user?.email, email);
  const list = await tdb.listDocuments('sdk_auth');
  assert.deepEqual(list.map((x) => x.id), [d.id]);
  db.auth.logout?.();
});
