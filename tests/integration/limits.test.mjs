// Limits (PROTOCOL 8f touching REST: CONV-14, COL-26, FLT-15, EXT-11) and
// malformed input: invalid JSON / UTF-8, wrong shapes (422 with errors),
// invalid collection names, bad query encoding. After every refusal nothing
// may have been stored or changed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopAll, api, rawRequest, buildRaw, errorShapeViolations, expectError, expectStatus,
} from './lib/server.mjs';

const LIMITS = {
  maxBody: 4096,
  maxDoc: 1024,
  maxDepth: 8,
  maxBatch: 5,
  defaultLimit: 3,
  maxLimit: 5,
  maxConditions: 4,
  maxIn: 3,
  changelogMax: 10,
};

let srv;
let a;
let base; // document in `lim` that refusals must not touch
let other;

before(async () => {
  srv = await startServer({
    args: [
      '--max-body-bytes', String(LIMITS.maxBody),
      '--max-document-bytes', String(LIMITS.maxDoc),
      '--max-json-depth', String(LIMITS.maxDepth),
      '--max-batch-size', String(LIMITS.maxBatch),
      '--default-list-limit', String(LIMITS.defaultLimit),
      '--max-list-limit', String(LIMITS.maxLimit),
      '--max-filter-conditions', String(LIMITS.maxConditions),
      '--max-in-items', String(LIMITS.maxIn),
      '--changelog-max-events', String(LIMITS.changelogMax),
      '--changelog-max-age-s', '3600',
    ],
  });
  a = api(srv.url, srv.apiKey);
  const r1 = await a.post('/collections/documents?collection=lim', { data: { v: 1, name: 'base' } });
  expectStatus(r1, 201, 'seed base');
  base = r1.json;
  const r2 = await a.post('/collections/documents?collection=lim', { data: { v: 2, name: 'other' } });
  expectStatus(r2, 201, 'seed other');
  other = r2.json;
});

after(async () => { await stopAll(); });

/** Everything observable about collection `c` (it holds at most maxLimit documents). */
async function snapshot(c = 'lim') {
  const l = await a.get(`/collections/${c}/documents?sort=created_at&order=asc&limit=${LIMITS.maxLimit}`);
  expectStatus(l, 200, 'snapshot list');
  const cnt = await a.get(`/collections/${c}/query/documents/count`);
  expectStatus(cnt, 200, 'snapshot count');
  return { count: cnt.json.count, seq: l.seqRaw, docs: l.json };
}

async function assertUnchanged(before, what, c = 'lim') {
  const now = await snapshot(c);
  assert.equal(now.count, before.count, `${what}: document count changed`);
  assert.equal(now.seq, before.seq, `${what}: X-Cocobase-Seq changed`);
  assert.deepEqual(now.docs, before.docs, `${what}: documents changed`);
}

const jsonBody = (s) => ({ rawBody: s, headers: { 'content-type': 'application/json' } });

// ---------------------------------------------------------------------------
// body bytes (CONV-14)

test('CONV-14 a body over --max-body-bytes gives 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
  const snap = await snapshot();
  // each element is under the document limit and there are <= maxBatch of
  // them: only the body limit is crossed
  const docs = Array.from({ length: LIMITS.maxBatch }, () => ({ s: 'x'.repeat(900) }));
  assert.ok(JSON.stringify({ documents: docs }).length > LIMITS.maxBody);
  expectError(await a.post('/collections/lim/batch/documents/create', { documents: docs }), 413, 'PAYLOAD_TOO_LARGE', 'batch create');
  expectError(await a.post('/collections/documents?collection=lim', { data: { s: 'x'.repeat(LIMITS.maxBody + 10) } }), 413, 'PAYLOAD_TOO_LARGE', 'create');
  expectError(await a.patch(`/collections/lim/documents/${base.id}`, { data: { s: 'x'.repeat(LIMITS.maxBody + 10) } }), 413, 'PAYLOAD_TOO_LARGE', 'patch');
  expectError(await a.post('/collections/lim/batch/documents/update', { updates: { [base.id]: { s: 'y'.repeat(LIMITS.maxBody) } } }), 413, 'PAYLOAD_TOO_LARGE', 'batch update');
  expectError(await a.post('/collections/lim/batch/documents/delete', { document_ids: [base.id, other.id, 'z'.repeat(LIMITS.maxBody)] }), 413, 'PAYLOAD_TOO_LARGE', 'batch delete');
  // much larger than the limit
  expectError(await a.post('/collections/documents?collection=lim', { data: { s: 'x'.repeat(64 * 1024) } }), 413, 'PAYLOAD_TOO_LARGE', '64 KiB create');
  await assertUnchanged(snap, 'body limit');
  // a batch of the same elements under the body limit is accepted elsewhere
  const ok = await a.post('/collections/lim_body/batch/documents/create', { documents: docs.slice(0, 4) });
  expectStatus(ok, 201, 'batch under the body limit');
});

test('CONV-14 a chunked body over --max-body-bytes gives 413', async () => {
  const snap = await snapshot();
  const payload = JSON.stringify({ data: { s: 'x'.repeat(LIMITS.maxBody * 2) } });
  let chunked = '';
  for (let i = 0; i < payload.length; i += 1000) {
    const part = payload.slice(i, i + 1000);
    chunked += `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`;
  }
  chunked += '0\r\n\r\n';
  const head = `POST /collections/documents?collection=lim HTTP/1.1\r\nHost: x\r\nConnection: close\r\n`
    + `x-api-key: ${srv.apiKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
  const r = await rawRequest(srv.url, Buffer.from(head + chunked));
  assert.equal(r.status, 413, `chunked body: ${r.status} ${r.text}`);
  assert.equal(r.json?.code, 'PAYLOAD_TOO_LARGE');
  await assertUnchanged(snap, 'chunked body');
});

// ---------------------------------------------------------------------------
// document bytes (COL-26)

test('COL-26 a document data over --max-document-bytes gives 413; exactly the limit is accepted', async () => {
  // serialized data {"s":"<n chars>"} is n + 8 bytes
  const exact = { s: 'x'.repeat(LIMITS.maxDoc - 8) };
  assert.equal(Buffer.byteLength(JSON.stringify(exact)), LIMITS.maxDoc);
  const ok = await a.post('/collections/documents?collection=lim_doc', { data: exact });
  expectStatus(ok, 201, 'data of exactly max-document-bytes');
  const over = { s: 'x'.repeat(LIMITS.maxDoc - 7) };
  expectError(await a.post('/collections/documents?collection=lim_doc', { data: over }), 413, 'PAYLOAD_TOO_LARGE', 'one byte over');
  // bytes, not characters: e-acute is 2 bytes in UTF-8
  const utf = { s: '\u00e9'.repeat((LIMITS.maxDoc - 8) / 2) };
  assert.equal(Buffer.byteLength(JSON.stringify(utf)), LIMITS.maxDoc);
  expectStatus(await a.post('/collections/documents?collection=lim_doc', { data: utf }), 201, 'exactly the limit in 2-byte chars');
  const utfOver = { s: `${'\u00e9'.repeat((LIMITS.maxDoc - 8) / 2)}x` };
  expectError(await a.post('/collections/documents?collection=lim_doc', { data: utfOver }), 413, 'PAYLOAD_TOO_LARGE', 'one byte over in 2-byte chars');
  const cnt = await a.get('/collections/lim_doc/query/documents/count');
  assert.equal(cnt.json.count, 2);
});

test('COL-26 oversized documents on every write route store nothing', async () => {
  const snap = await snapshot();
  const big = { s: 'x'.repeat(LIMITS.maxDoc + 50) };
  expectError(await a.post('/collections/documents?collection=lim', { data: big }), 413, 'PAYLOAD_TOO_LARGE', 'create');
  expectError(await a.post('/collections/lim', big), 413, 'PAYLOAD_TOO_LARGE', 'POST /collections/lim');
  expectError(await a.post('/collections/lim/documents', { data: big }), 413, 'PAYLOAD_TOO_LARGE', 'POST /collections/lim/documents');
  expectError(await a.patch(`/collections/lim/documents/${base.id}`, { data: big }), 413, 'PAYLOAD_TOO_LARGE', 'patch');
  expectError(await a.put(`/collections/lim/documents/${base.id}`, { data: big }), 413, 'PAYLOAD_TOO_LARGE', 'put');
  expectError(await a.post('/collections/lim/batch/documents/create', { documents: [{ ok: 1 }, big] }), 413, 'PAYLOAD_TOO_LARGE', 'batch create');
  expectError(await a.post('/collections/lim/batch/documents/update', { updates: { [other.id]: { ok: 1 }, [base.id]: big } }), 413, 'PAYLOAD_TOO_LARGE', 'batch update');
  await assertUnchanged(snap, 'document limit');
});

test('COL-26 an update whose merged document data would exceed --max-document-bytes gives 413', async () => {
  // 8f limits the serialized document `data` that is stored: here the patch
  // alone is under the limit, the merged data is over it.
  const c = await a.post('/collections/documents?collection=lim_merge', { data: { v: 1, name: 'merge-base' } });
  expectStatus(c, 201, 'seed');
  const grow = { s: 'x'.repeat(LIMITS.maxDoc - 20) };
  assert.ok(Buffer.byteLength(JSON.stringify(grow)) <= LIMITS.maxDoc);
  assert.ok(Buffer.byteLength(JSON.stringify({ ...c.json.data, ...grow })) > LIMITS.maxDoc);
  const seq0 = (await a.get('/collections/lim_merge/documents?limit=0')).seqRaw;
  expectError(await a.patch(`/collections/lim_merge/documents/${c.json.id}`, { data: grow }), 413, 'PAYLOAD_TOO_LARGE', 'patch: merge result over the limit');
  expectError(await a.post('/collections/lim_merge/batch/documents/update', { updates: { [c.json.id]: grow } }), 413, 'PAYLOAD_TOO_LARGE', 'batch update: merge result over the limit');
  assert.deepEqual((await a.get(`/collections/lim_merge/documents/${c.json.id}`)).json, c.json, 'document unchanged');
  assert.equal((await a.get('/collections/lim_merge/documents?limit=0')).seqRaw, seq0, 'seq unchanged');
});

// ---------------------------------------------------------------------------
// JSON depth

function nested(depth) {
  // data object nested `depth` levels below the body's top level
  let v = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

test('8f JSON nested deeper than --max-json-depth gives 400 INVALID_JSON and stores nothing', async () => {
  const snap = await snapshot();
  const deep = nested(LIMITS.maxDepth * 2);
  expectError(await a.post('/collections/documents?collection=lim', { data: { d: deep } }), 400, 'INVALID_JSON', 'create');
  expectError(await a.patch(`/collections/lim/documents/${base.id}`, { data: { d: deep } }), 400, 'INVALID_JSON', 'patch');
  expectError(await a.post('/collections/lim/batch/documents/create', { documents: [{ d: deep }] }), 400, 'INVALID_JSON', 'batch create');
  expectError(await a.post('/collections/lim/batch/documents/update', { updates: { [base.id]: { d: deep } } }), 400, 'INVALID_JSON', 'batch update');
  // pathological nesting within the body limit must not crash the parser
  expectError(await a.req('POST', '/collections/documents?collection=lim', jsonBody('['.repeat(LIMITS.maxBody - 10))), 400, 'INVALID_JSON', '4000 x [');
  expectError(await a.req('POST', '/collections/documents?collection=lim', jsonBody(`{"data":${'{"a":'.repeat(600)}1${'}'.repeat(600)}}`)), 400, 'INVALID_JSON', '600 nested objects');
  await assertUnchanged(snap, 'depth limit');
  const h = await a.get('/health', { noKey: true });
  expectStatus(h, 200, 'server alive after deep nesting');
  // shallow nesting is fine
  const ok = await a.post('/collections/documents?collection=lim_depth', { data: { d: nested(3) } });
  expectStatus(ok, 201, 'depth 3');
  assert.deepEqual(ok.json.data, { d: nested(3) });
});

// ---------------------------------------------------------------------------
// batch size (COL-26)

test('COL-26 a batch over --max-batch-size gives 413 and writes nothing', async () => {
  const seed = await a.post('/collections/lim_batch/batch/documents/create', { documents: Array.from({ length: LIMITS.maxBatch }, (_, i) => ({ i })) });
  expectStatus(seed, 201, 'batch of exactly max-batch-size');
  const extra = await a.post('/collections/documents?collection=lim_batch', { data: { i: LIMITS.maxBatch } });
  const ids = [...seed.json.map((d) => d.id), extra.json.id];
  assert.equal(ids.length, LIMITS.maxBatch + 1);
  // lim_batch holds 6 > maxLimit documents: compare count + seq + each document
  const cnt0 = (await a.get('/collections/lim_batch/query/documents/count')).json.count;
  const seq0 = (await a.get('/collections/lim_batch/documents?limit=0')).seqRaw;
  const docs0 = await Promise.all(ids.map(async (id) => (await a.get(`/collections/lim_batch/documents/${id}`)).json));

  expectError(await a.post('/collections/lim_batch/batch/documents/create', { documents: Array.from({ length: LIMITS.maxBatch + 1 }, (_, i) => ({ n: i })) }),
    413, 'PAYLOAD_TOO_LARGE', 'batch create of max+1');
  expectError(await a.post('/collections/lim_batch/batch/documents/update', { updates: Object.fromEntries(ids.map((id) => [id, { changed: true }])) }),
    413, 'PAYLOAD_TOO_LARGE', 'batch update of max+1');
  expectError(await a.post('/collections/lim_batch/batch/documents/delete', { document_ids: ids }),
    413, 'PAYLOAD_TOO_LARGE', 'batch delete of max+1');

  assert.equal((await a.get('/collections/lim_batch/query/documents/count')).json.count, cnt0, 'count unchanged');
  assert.equal((await a.get('/collections/lim_batch/documents?limit=0')).seqRaw, seq0, 'seq unchanged');
  const docs1 = await Promise.all(ids.map(async (id) => (await a.get(`/collections/lim_batch/documents/${id}`)).json));
  assert.deepEqual(docs1, docs0, 'documents unchanged');

  // exactly max-batch-size is fine for update and delete
  const up = await a.post('/collections/lim_batch/batch/documents/update', { updates: Object.fromEntries(ids.slice(0, LIMITS.maxBatch).map((id) => [id, { u: 1 }])) });
  expectStatus(up, 200, 'batch update of max');
  const del = await a.post('/collections/lim_batch/batch/documents/delete', { document_ids: ids.slice(0, LIMITS.maxBatch) });
  expectStatus(del, 200, 'batch delete of max');
  assert.equal(del.json.count, LIMITS.maxBatch);
});

// ---------------------------------------------------------------------------
// filter conditions and in-items (FLT-15)

test('FLT-15 more than --max-filter-conditions conditions give 400 INVALID_QUERY', async () => {
  const conds = (n) => Array.from({ length: n }, (_, i) => `f${i}_ne=x`).join('&');
  for (const route of ['/collections/lim/documents', '/collections/lim/query/documents/count', '/collections/lim/query/documents/aggregate?field=v&operation=sum&']) {
    const sep = route.includes('?') ? '' : '?';
    expectError(await a.get(`${route}${sep}${conds(LIMITS.maxConditions + 1)}`), 400, 'INVALID_QUERY', `${route} max+1 conditions`);
    expectStatus(await a.get(`${route}${sep}${conds(LIMITS.maxConditions)}`), 200, `${route} max conditions`);
  }
  // repeated keys are separate conditions
  const rep = Array.from({ length: LIMITS.maxConditions + 1 }, () => '%5Bor%5Dname=base').join('&');
  expectError(await a.get(`/collections/lim/documents?${rep}`), 400, 'INVALID_QUERY', 'repeated [or] keys');
  // reserved keys are not conditions
  const withReserved = `${conds(LIMITS.maxConditions)}&limit=2&offset=0&sort=v&order=asc&sort_by=v&sort_order=asc&count=false&select=v`;
  const ok = await a.get(`/collections/lim/documents?${withReserved}`);
  expectStatus(ok, 200, 'max conditions plus reserved keys');
  assert.equal(ok.json.length, 2);
});

test('FLT-15 more than --max-in-items items in one in/notin list give 400 INVALID_QUERY', async () => {
  const items = (n) => Array.from({ length: n }, (_, i) => String(i + 1)).join(',');
  for (const op of ['in', 'notin']) {
    expectError(await a.get(`/collections/lim/documents?v_${op}=${items(LIMITS.maxIn + 1)}`), 400, 'INVALID_QUERY', `${op} max+1`);
    expectError(await a.get(`/collections/lim/query/documents/count?v_${op}=${items(LIMITS.maxIn + 1)}`), 400, 'INVALID_QUERY', `count ${op} max+1`);
    const ok = await a.get(`/collections/lim/query/documents/count?v_${op}=${items(LIMITS.maxIn)}`);
    expectStatus(ok, 200, `${op} max`);
  }
  const inOk = await a.get(`/collections/lim/query/documents/count?v_in=${items(LIMITS.maxIn)}`);
  assert.equal(inOk.json.count, 2, 'v in 1..3 matches both seeds');
  // empty items are dropped before counting
  expectStatus(await a.get('/collections/lim/documents?v_in=1,,2,,3,'), 200, 'empty items do not count');
});

// ---------------------------------------------------------------------------
// list limits

test('8f --default-list-limit applies when limit is absent; --max-list-limit clamps', async () => {
  const b = await a.post('/collections/lim_list/batch/documents/create', { documents: Array.from({ length: 5 }, (_, i) => ({ i })) });
  expectStatus(b, 201, 'seed');
  await a.post('/collections/lim_list/batch/documents/create', { documents: [{ i: 5 }, { i: 6 }] });
  const len = async (q) => {
    const r = await a.get(`/collections/lim_list/documents${q}`);
    expectStatus(r, 200, q);
    return r.json.length;
  };
  assert.equal(await len(''), LIMITS.defaultLimit, 'default limit');
  assert.equal(await len('?limit=100'), LIMITS.maxLimit, 'clamped to max');
  assert.equal(await len('?limit=4'), 4);
  assert.equal(await len(`?limit=${LIMITS.maxLimit}&offset=5`), 2);
  assert.equal(await len('?limit=0'), 0);
  const c = await a.get('/collections/lim_list/query/documents/count?limit=1');
  assert.equal(c.json.count, 7, 'count is never limited');
});

test('8f change-log retention never touches documents; seqs are never reused', async () => {
  const b = await a.post('/collections/lim_log/batch/documents/create', { documents: Array.from({ length: LIMITS.maxBatch }, (_, i) => ({ i })) });
  expectStatus(b, 201, 'batch');
  const ids = b.json.map((d) => d.id);
  let last;
  for (let i = LIMITS.maxBatch; i < LIMITS.changelogMax + 5; i++) {
    last = await a.post('/collections/documents?collection=lim_log', { data: { i } });
    expectStatus(last, 201, 'create');
    ids.push(last.json.id);
  }
  assert.equal(last.seqRaw, String(LIMITS.changelogMax + 5));
  assert.equal((await a.get('/collections/lim_log/query/documents/count')).json.count, LIMITS.changelogMax + 5);
  for (const id of ids) expectStatus(await a.get(`/collections/lim_log/documents/${id}`), 200, 'document survives pruning');
});

// ---------------------------------------------------------------------------
// malformed bodies

test('CONV-09 invalid JSON gives 400 INVALID_JSON on every write route and stores nothing', async () => {
  const snap = await snapshot();
  const bad = ['{', '{"data": }', '{"data": {"a": 1,}}', "{'data': {}}", '{"data": {"x": NaN}}', '{"data": {"x": 01}}',
    '{"data": {"x": "unterminated}}', '{"data": {}} {}', '', 'nul', '{"data": {"x": "\u0001"}}'];
  const routes = [
    ['POST', '/collections/documents?collection=lim'],
    ['POST', '/collections/lim'],
    ['POST', '/collections/lim/documents'],
    ['PATCH', `/collections/lim/documents/${base.id}`],
    ['PUT', `/collections/lim/documents/${base.id}`],
    ['POST', '/collections/lim/batch/documents/create'],
    ['POST', '/collections/lim/batch/documents/update'],
    ['POST', '/collections/lim/batch/documents/delete'],
  ];
  for (const body of bad) {
    for (const [m, p] of routes) {
      const r = await a.req(m, p, jsonBody(body));
      if (body.trim() === '') {
        // a missing body where one is required: 422
        expectError(r, 422, 'VALIDATION_ERROR', `${m} ${p} empty body`);
      } else {
        expectError(r, 400, 'INVALID_JSON', `${m} ${p} body ${JSON.stringify(body)}`);
      }
    }
  }
  await assertUnchanged(snap, 'invalid JSON');
});

test('1.2 a body that is not valid UTF-8 gives 400 INVALID_JSON', async () => {
  const snap = await snapshot();
  const bodies = [
    Buffer.concat([Buffer.from('{"data":{"s":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]),
    Buffer.concat([Buffer.from('{"data":{"s":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}}')]), // overlong
    Buffer.concat([Buffer.from('{"data":{"s":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')]), // surrogate
    Buffer.concat([Buffer.from('{"data":{"s":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}}')]), // truncated
    Buffer.concat([Buffer.from('{"data":{"'), Buffer.from([0x80]), Buffer.from('":1}}')]), // in a member name
  ];
  for (const b of bodies) {
    expectError(await a.req('POST', '/collections/documents?collection=lim', jsonBody(b)), 400, 'INVALID_JSON', `create ${b.toString('hex')}`);
    expectError(await a.req('PATCH', `/collections/lim/documents/${base.id}`, jsonBody(b)), 400, 'INVALID_JSON', `patch ${b.toString('hex')}`);
  }
  await assertUnchanged(snap, 'invalid UTF-8');
  // valid multi-byte UTF-8 is fine
  const ok = await a.req('POST', '/collections/documents?collection=lim_utf8', jsonBody(Buffer.from('{"data":{"s":"\u00e9\u4e16\ud83d\ude00"}}', 'utf8')));
  expectStatus(ok, 201, 'valid UTF-8');
  assert.equal(ok.json.data.s, '\u00e9\u4e16\ud83d\ude00');
});

test('wrong shapes give 422 VALIDATION_ERROR with errors [{loc, msg, type}] and store nothing', async () => {
  const snap = await snapshot();
  const cases = [
    ['POST', '/collections/documents?collection=lim', { data: 5 }],
    ['POST', '/collections/documents?collection=lim', [{ a: 1 }]],
    ['POST', '/collections/documents?collection=lim', 'string'],
    ['POST', '/collections/documents?collection=lim', 42],
    ['POST', '/collections/documents?collection=lim', null],
    ['POST', '/collections/lim', [1]],
    ['POST', '/collections/lim/documents', { data: [] }],
    ['PATCH', `/collections/lim/documents/${base.id}`, { data: 'x' }],
    ['PUT', `/collections/lim/documents/${base.id}`, [1]],
    ['POST', '/collections/lim/batch/documents/create', { documents: 5 }],
    ['POST', '/collections/lim/batch/documents/create', { documents: [{ a: 1 }, 7] }],
    ['POST', '/collections/lim/batch/documents/create', [{ a: 1 }]],
    ['POST', '/collections/lim/batch/documents/update', { updates: [] }],
    ['POST', '/collections/lim/batch/documents/update', { updates: { [base.id]: 5 } }],
    ['POST', '/collections/lim/batch/documents/update', { updates: { [base.id]: { data: 5 } } }],
    ['POST', '/collections/lim/batch/documents/delete', { document_ids: 'x' }],
    ['POST', '/collections/lim/batch/documents/delete', { document_ids: [base.id, 5] }],
    ['POST', '/collections/lim/batch/documents/delete', {}],
    ['POST', '/collections', { name: 7 }],
  ];
  for (const [m, p, body] of cases) {
    const r = await a.req(m, p, { body });
    expectError(r, 422, 'VALIDATION_ERROR', `${m} ${p} ${JSON.stringify(body)}`);
    for (const e of r.json.errors) {
      assert.ok(Array.isArray(e.loc) && ['body', 'query', 'path'].includes(e.loc[0]), `loc ${JSON.stringify(e)}`);
      assert.equal(typeof e.msg, 'string');
      assert.equal(typeof e.type, 'string');
    }
  }
  const idx = await a.post('/collections/lim/batch/documents/create', { documents: [{ a: 1 }, { b: 2 }, 'x'] });
  assert.ok(idx.json.errors.some((e) => JSON.stringify(e.loc.slice(0, 3)) === '["body","documents",2]'), `loc names the index: ${idx.text}`);
  // missing bodies
  for (const [m, p] of [['POST', '/collections/documents?collection=lim'], ['PATCH', `/collections/lim/documents/${base.id}`],
    ['POST', '/collections/lim/batch/documents/create']]) {
    expectError(await a.req(m, p), 422, 'VALIDATION_ERROR', `${m} ${p} without body`);
  }
  await assertUnchanged(snap, 'wrong shapes');
});

// ---------------------------------------------------------------------------
// invalid collection names and query encoding

test('COL-06 invalid collection names give 400 INVALID_COLLECTION_NAME on every route', async () => {
  const id = base.id;
  for (const name of ['bad name!', 'x'.repeat(65), 'a.b', 'caf\u00e9', 'semi;colon']) {
    const n = encodeURIComponent(name);
    const routes = [
      ['GET', `/collections/${n}/documents`],
      ['GET', `/collections/${n}/query/documents/count`],
      ['GET', `/collections/${n}/query/documents/aggregate?field=v&operation=sum`],
      ['GET', `/collections/${n}/documents/${id}`],
      ['PATCH', `/collections/${n}/documents/${id}`, { data: { v: 9 } }],
      ['PUT', `/collections/${n}/documents/${id}`, { data: { v: 9 } }],
      ['DELETE', `/collections/${n}/documents/${id}`],
      ['POST', `/collections/${n}`, { a: 1 }],
      ['POST', `/collections/${n}/documents`, { data: { a: 1 } }],
      ['POST', `/collections/documents?collection=${n}`, { data: { a: 1 } }],
      ['POST', `/collections/${n}/batch/documents/create`, { documents: [{ a: 1 }] }],
      ['POST', `/collections/${n}/batch/documents/update`, { updates: { [id]: { v: 9 } } }],
      ['POST', `/collections/${n}/batch/documents/delete`, { document_ids: [id] }],
      ['GET', `/collections/${n}`],
    ];
    for (const [m, p, body] of routes) {
      expectError(await a.req(m, p, { body }), 400, 'INVALID_COLLECTION_NAME', `${m} ${p}`);
    }
  }
  assert.deepEqual((await a.get(`/collections/lim/documents/${id}`)).json, base, 'base untouched');
});

test('1.1 invalid percent-encoding or invalid UTF-8 in the query gives 400 INVALID_QUERY', async () => {
  const snap = await snapshot();
  const bad = ['v=%zz', '%zz=1', 'v=%', 'v=%f', 'v=%ff', 'v=%C3%28', 'v%=1', 'name=%E2%82'];
  for (const q of bad) {
    expectError(await a.get(`/collections/lim/documents?${q}`), 400, 'INVALID_QUERY', `list ?${q}`);
    expectError(await a.get(`/collections/lim/query/documents/count?${q}`), 400, 'INVALID_QUERY', `count ?${q}`);
    expectError(await a.get(`/collections/lim/query/documents/aggregate?field=v&operation=sum&${q}`), 400, 'INVALID_QUERY', `aggregate ?${q}`);
  }
  expectError(await a.get('/collections/lim/query/documents/aggregate?field=%zz&operation=sum'), 400, 'INVALID_QUERY', 'field=%zz');
  expectError(await a.get('/collections/lim/documents?limit=%zz'), 400, 'INVALID_QUERY', 'limit=%zz');
  expectError(await a.post('/collections/documents?collection=%zz', { data: { a: 1 } }), 400, 'INVALID_QUERY', 'create ?collection=%zz');
  expectError(await a.post('/collections/documents?collection=lim&x=%ff', { data: { a: 1 } }), 400, 'INVALID_QUERY', 'create with a bad extra param');
  // raw bytes >= 0x80 that are not UTF-8, sent unencoded in the request line
  const raw = Buffer.concat([
    Buffer.from('GET /collections/lim/documents?name='), Buffer.from([0xff]),
    Buffer.from(` HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-api-key: ${srv.apiKey}\r\n\r\n`),
  ]);
  const r = await rawRequest(srv.url, raw);
  assert.equal(r.status, 400, `raw 0xff in the query: ${r.status} ${r.text}`);
  assert.equal(r.json?.code, 'INVALID_QUERY');
  await assertUnchanged(snap, 'bad query encoding');
});

// ---------------------------------------------------------------------------
// limits set through the environment

test('8f each limit flag can be set as a COCOBASE_* environment variable', async () => {
  const s2 = await startServer({
    env: { COCOBASE_MAX_BATCH_SIZE: '2', COCOBASE_DEFAULT_LIST_LIMIT: '1', COCOBASE_MAX_LIST_LIMIT: '2', COCOBASE_MAX_DOCUMENT_BYTES: '64' },
  });
  const b = api(s2.url, s2.apiKey);
  expectError(await b.post('/collections/e/batch/documents/create', { documents: [{ i: 0 }, { i: 1 }, { i: 2 }] }), 413, 'PAYLOAD_TOO_LARGE', 'batch of 3 over env limit 2');
  expectStatus(await b.post('/collections/e/batch/documents/create', { documents: [{ i: 0 }, { i: 1 }] }), 201, 'batch of 2');
  expectStatus(await b.post('/collections/e/batch/documents/create', { documents: [{ i: 2 }] }), 201, 'batch of 1');
  assert.equal((await b.get('/collections/e/documents')).json.length, 1, 'env default list limit');
  assert.equal((await b.get('/collections/e/documents?limit=50')).json.length, 2, 'env max list limit');
  expectError(await b.post('/collections/documents?collection=e', { data: { s: 'x'.repeat(80) } }), 413, 'PAYLOAD_TOO_LARGE', 'env document limit');
  assert.equal((await b.get('/collections/e/query/documents/count')).json.count, 3);
  await s2.cleanup();
});

test('CONV-07 every non-2xx response seen in this file had the error body shape', () => {
  assert.deepEqual(errorShapeViolations, []);
});
