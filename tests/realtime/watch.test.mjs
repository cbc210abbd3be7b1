// PROTOCOL 5.2 and 8b: collection watch events from REST writes (CW-*, EXT-01, EXT-02, EXT-05).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api, cli, assertDocument, sleep } from '../integration/lib/server.mjs';
import { openWs, connectAuthed, expectErrorClose } from './lib/ws.mjs';

let srv;
let a;

before(async () => {
  srv = await startServer();
  a = api(srv.url, srv.apiKey);
});
after(async () => { await stopAll(); });

const watch = (coll, extra = {}, s = srv) => connectAuthed(s.url, `/realtime/collections/${coll}`, { api_key: s.apiKey, ...extra });

test('CW-01 CW-02 CW-08 connected echoes name and filters, head_seq 0 for a never-written collection', async () => {
  let { c, first } = await watch('cw01');
  assert.deepEqual(first, { event: 'connected', collection_id: 'cw01', filters: {}, head_seq: 0 });
  await c.close();
  const filters = { status: 'active', age_gte: 18, tags_in: ['a', 'b'] };
  ({ c, first } = await watch('cw01', { filters }));
  assert.deepEqual(first, { event: 'connected', collection_id: 'cw01', filters, head_seq: 0 });
  await c.close();
});

test('CW-03 CW-04 CW-05 CW-06 EXT-01 EXT-02 create/update/delete carry the full Document, old_data, seq', async () => {
  const { c } = await watch('cw03');
  const created = await a.post('/collections/cw03', { name: 'Ann', status: 'active', n: 1 });
  assert.equal(created.status, 201);
  const id = created.json.id;
  let m = await c.next();
  assert.equal(m.event, 'create');
  assert.equal(m.collection_id, 'cw03');
  assert.equal(m.seq, 1);
  assertDocument(m.data, { collection: 'cw03' });
  assert.deepEqual(m.data, created.json);
  assert.deepEqual(m.document, m.data);
  assert.ok(!('old_data' in m) && !('replay' in m) && !('left_filter' in m));

  const updated = await a.patch(`/collections/cw03/documents/${id}`, { data: { status: 'premium' } });
  m = await c.next();
  assert.equal(m.event, 'update');
  assert.equal(m.seq, 2);
  assert.deepEqual(m.data, updated.json);
  assert.deepEqual(m.document, updated.json);
  assert.deepEqual(m.old_data, { name: 'Ann', status: 'active', n: 1 });

  const deleted = await a.del(`/collections/cw03/documents/${id}`);
  assert.equal(deleted.status, 200);
  m = await c.next();
  assert.equal(m.event, 'delete');
  assert.equal(m.seq, 3);
  assert.deepEqual(m.data, updated.json, 'delete carries the last state');
  assert.ok(!('old_data' in m));
  await c.close();

  // EXT-02: a new watcher's head_seq is the last seq
  const w2 = await watch('cw03');
  assert.equal(w2.first.head_seq, 3);
  await w2.c.close();
});

test('CW-06 --ws-document-alias=false drops the document member', async () => {
  const s2 = await startServer({ args: ['--ws-document-alias=false'] });
  const { c } = await watch('x', {}, s2);
  await api(s2.url, s2.apiKey).post('/collections/x', { a: 1 });
  const m = await c.next();
  assert.equal(m.event, 'create');
  assert.ok(!('document' in m));
  await c.close();
  await s2.stop();
});

test('CW-07 FLT-13 a filtered watcher gets only matching creates and deletes', async () => {
  const { c } = await watch('cw07', { filters: { status: 'active', age_gte: 18 } });
  const docs = [];
  for (const d of [{ status: 'active', age: 20 }, { status: 'active', age: 10 }, { status: 'off', age: 30 }, { status: 'active', age: '18' }]) {
    docs.push((await a.post('/collections/cw07', d)).json);
  }
  for (const d of docs) await a.del(`/collections/cw07/documents/${d.id}`);
  const got = [];
  for (let i = 0; i < 4; i++) got.push(await c.next());
  assert.deepEqual(got.map((m) => [m.event, m.data.id]), [
    ['create', docs[0].id], ['create', docs[3].id], ['delete', docs[0].id], ['delete', docs[3].id]]);
  assert.deepEqual(got.map((m) => m.seq), [1, 4, 5, 8]);
  await c.expectSilence();
  await c.close();
});

test('EXT-05 8b: leaving a filter gives left_filter, entering does not, outside both is not delivered', async () => {
  const { c } = await watch('ext05', { filters: { status: 'active' } });
  const { c: all } = await watch('ext05');
  const d = (await a.post('/collections/ext05', { status: 'draft' })).json;   // seq 1: outside
  await a.patch(`/collections/ext05/documents/${d.id}`, { status: 'active' });  // 2: enters
  await a.patch(`/collections/ext05/documents/${d.id}`, { other: 1 });          // 3: stays in
  await a.patch(`/collections/ext05/documents/${d.id}`, { status: 'gone' });    // 4: leaves
  await a.patch(`/collections/ext05/documents/${d.id}`, { status: 'still' });   // 5: outside
  let m = await c.next();
  assert.equal(m.seq, 2);
  assert.ok(!('left_filter' in m));
  assert.equal(m.old_data.status, 'draft');
  m = await c.next();
  assert.equal(m.seq, 3);
  assert.ok(!('left_filter' in m));
  m = await c.next();
  assert.equal(m.seq, 4);
  assert.equal(m.left_filter, true);
  assert.equal(m.data.data.status, 'gone');
  await c.expectSilence();
  // the unfiltered watcher sees all five, never left_filter
  const seen = [];
  for (let i = 0; i < 5; i++) seen.push(await all.next());
  assert.deepEqual(seen.map((x) => x.seq), [1, 2, 3, 4, 5]);
  assert.ok(seen.every((x) => !('left_filter' in x)));
  await c.close();
  await all.close();
});

test('8b: metadata fields filter (updated_at), updated_at before is the old one', async () => {
  const d = (await a.post('/collections/meta', { v: 1 })).json;
  const { c } = await watch('meta', { filters: { updated_at: d.updated_at } });
  await sleep(5);
  await a.patch(`/collections/meta/documents/${d.id}`, { v: 2 });
  const m = await c.next();
  assert.equal(m.event, 'update');
  assert.equal(m.left_filter, true, 'B matched by its old updated_at, A does not');
  await c.close();
});

test('CW-09 writes to other collections or other projects are not delivered', async () => {
  const r = cli(['project', 'create', 'cw09b', '--data', srv.dataDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const keyB = r.json.api_key;
  const { c } = await watch('shared');
  const { c: cb } = await connectAuthed(srv.url, '/realtime/collections/shared', { api_key: keyB });
  const b = api(srv.url, keyB);
  await a.post('/collections/other', { x: 1 });
  await b.post('/collections/shared', { from: 'b' });
  await a.post('/collections/shared', { from: 'a' });
  let m = await c.next();
  assert.equal(m.data.data.from, 'a');
  m = await cb.next();
  assert.equal(m.data.data.from, 'b');
  assert.equal(m.seq, 1, 'seqs are per project and collection');
  await c.expectSilence();
  await cb.expectSilence(50);
  await c.close();
  await cb.close();
});

test('CW-10 a batch create of three yields three creates in request order', async () => {
  const { c } = await watch('cw10');
  const r = await a.post('/collections/cw10/batch/documents/create', { documents: [{ i: 0 }, { i: 1 }, { i: 2 }] });
  assert.equal(r.status, 201, r.text);
  const got = [await c.next(), await c.next(), await c.next()];
  assert.deepEqual(got.map((m) => m.data.data.i), [0, 1, 2]);
  assert.deepEqual(got.map((m) => m.seq), [1, 2, 3]);
  await c.close();
});

test('CW-11 filters that are not an object, or invalid filters: INVALID_FILTER 4400; bad resume_from: INVALID_RESUME', async () => {
  for (const filters of [[1], 'status=a', 5, true]) {
    const c = await openWs(srv.url, '/realtime/collections/users');
    c.send({ api_key: srv.apiKey, filters });
    await expectErrorClose(c, 'INVALID_FILTER', 4400);
  }
  for (const filters of [{ '[bad': 'x' }, { status: { a: 1 } }, { age_gt: [1, 2] }]) {
    const c = await openWs(srv.url, '/realtime/collections/users');
    c.send({ api_key: srv.apiKey, filters });
    const m = await expectErrorClose(c, 'INVALID_FILTER', 4400);
    assert.equal(typeof m.error_detail, 'string');
  }
  const many = {};
  for (let i = 0; i < 65; i++) many[`f${i}`] = 'x';
  let c = await openWs(srv.url, '/realtime/collections/users');
  c.send({ api_key: srv.apiKey, filters: many });
  await expectErrorClose(c, 'INVALID_FILTER', 4400);
  for (const resume_from of [-1, 1.5, '3', {}]) {
    c = await openWs(srv.url, '/realtime/collections/users');
    c.send({ api_key: srv.apiKey, resume_from });
    await expectErrorClose(c, 'INVALID_RESUME', 4400);
  }
  // null filters and reserved names are fine
  const w = await watch('users', { filters: null });
  assert.deepEqual(w.first.filters, {});
  await w.c.close();
});

test('CW-12 every write committed after connected is delivered, with concurrent writers', async () => {
  const writers = [];
  let stop = false;
  for (let k = 0; k < 3; k++) {
    writers.push((async () => { while (!stop) await a.post('/collections/cw12', { k }); })());
  }
  await sleep(50);
  const { c, first } = await watch('cw12');
  await sleep(300);
  stop = true;
  await Promise.all(writers);
  const head = (await a.get('/collections/cw12/documents?limit=0')).seq;
  const seqs = [];
  while (seqs.length < head - first.head_seq) seqs.push((await c.next()).seq);
  const expected = [];
  for (let s = first.head_seq + 1; s <= head; s++) expected.push(s);
  assert.deepEqual(seqs, expected);
  await c.expectSilence(100);
  await c.close();
});

test('FLT-14 a JSON array operand works for in', async () => {
  const { c } = await watch('flt14', { filters: { color_in: ['red', 'blue'] } });
  await a.post('/collections/flt14', { color: 'green' });
  await a.post('/collections/flt14', { color: 'blue' });
  const m = await c.next();
  assert.equal(m.data.data.color, 'blue');
  await c.close();
});
