// Black-box tests of the Collections REST API: PROTOCOL sections 1-3 and 8g,
// checklist items CONV-*, DOC-*, COL-* (filters, sorting, paging, count and
// aggregate are in filters.test.mjs; limits in limits.test.mjs), EXT-10, EXT-12.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopAll, api, rawRequest, buildRaw, errorShapeViolations,
  assertDocument, assertTimestamp, expectError, expectStatus, sleep, UUID4_RE,
} from './lib/server.mjs';

let srv;
let a; // api helper with the default project's key

before(async () => {
  srv = await startServer();
  assert.match(srv.apiKey ?? '', /^cb_[A-Za-z0-9]{40}$/, 'first start prints the default project key');
  a = api(srv.url, srv.apiKey);
});

after(async () => { await stopAll(); });

const enc = encodeURIComponent;
const docPath = (c, id) => `/collections/${enc(c)}/documents/${enc(id)}`;
const listPath = (c, q = '') => `/collections/${enc(c)}/documents${q ? `?${q}` : ''}`;
const countPath = (c, q = '') => `/collections/${enc(c)}/query/documents/count${q ? `?${q}` : ''}`;

async function create(coll, data) {
  const r = await a.post(`/collections/documents?collection=${enc(coll)}`, { data });
  expectStatus(r, 201, `create in ${coll}`);
  return r.json;
}

async function count(coll, q = '') {
  const r = await a.get(countPath(coll, q));
  expectStatus(r, 200, `count ${coll}`);
  return r.json.count;
}

async function headSeq(coll) {
  const r = await a.get(listPath(coll, 'limit=0'));
  expectStatus(r, 200, 'list for seq');
  return r.seq;
}

function b64url(obj) {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}
// Syntactically a JWT, expired long ago, with a signature that cannot verify.
const EXPIRED_FAKE_JWT = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({
  sub: '00000000-0000-4000-8000-000000000000', project_id: 'default', iat: 999990000, exp: 1000000000, iss: 'cocobase',
})}.c2lnbmF0dXJl`;

let signupCache;
async function signupUser() {
  if (signupCache) return signupCache;
  const email = `user${Date.now()}@example.com`;
  const r = await a.post('/auth-collections/signup', { email, password: 'securepass123', data: { name: 'Tester' } });
  expectStatus(r, 201, 'signup (needed to obtain a user token)');
  assert.equal(typeof r.json.access_token, 'string');
  signupCache = r.json;
  return signupCache;
}

// ---------------------------------------------------------------------------
// Conventions

test('CONV-01 the API key header is accepted in any letter case, value trimmed', async () => {
  for (const name of ['x-api-key', 'X-API-Key', 'X-Api-Key', 'X-API-KEY']) {
    const r = await rawRequest(srv.url, buildRaw(srv.url, 'GET', '/collections/conv01/documents', [[name, srv.apiKey]]));
    assert.equal(r.status, 200, `header ${name}: ${r.status} ${r.text}`);
    assert.deepEqual(r.json, []);
  }
  const r = await rawRequest(srv.url, buildRaw(srv.url, 'GET', '/collections/conv01/documents', [['X-API-Key', `  ${srv.apiKey}  `]]));
  assert.equal(r.status, 200, `surrounding whitespace is trimmed: ${r.status} ${r.text}`);
});

test('CONV-02 GET and DELETE with Content-Type: application/json and no body succeed; bodies there are ignored', async () => {
  const d = await create('conv02', { x: 1 });
  const h = { 'content-type': 'application/json' };
  expectStatus(await a.get(listPath('conv02'), { headers: h }), 200, 'list');
  expectStatus(await a.get(docPath('conv02', d.id), { headers: h }), 200, 'get');
  expectStatus(await a.get(countPath('conv02'), { headers: h }), 200, 'count');
  // a (garbage) body on GET is ignored
  const rg = await rawRequest(srv.url, buildRaw(srv.url, 'GET', docPath('conv02', d.id),
    [['x-api-key', srv.apiKey], ['Content-Type', 'application/json']], 'this is not json'));
  assert.equal(rg.status, 200, `GET with a body: ${rg.status} ${rg.text}`);
  assert.equal(rg.json.id, d.id);
  const del = await a.del(docPath('conv02', d.id), { headers: h });
  expectStatus(del, 200, 'delete');
  assert.equal(del.json.success, true);
  const d2 = await create('conv02', { x: 2 });
  const rd = await rawRequest(srv.url, buildRaw(srv.url, 'DELETE', docPath('conv02', d2.id),
    [['x-api-key', srv.apiKey], ['Content-Type', 'application/json']], '{"ignored": [1,2'));
  assert.equal(rd.status, 200, `DELETE with a body: ${rd.status} ${rd.text}`);
  expectError(await a.get(docPath('conv02', d2.id)), 404, 'NOT_FOUND', 'deleted document');
});

test('CONV-03 a valid API key plus a garbage or expired Bearer token succeeds (token ignored)', async () => {
  for (const tok of ['garbage', EXPIRED_FAKE_JWT, 'a.b.c']) {
    const h = { authorization: `Bearer ${tok}` };
    expectStatus(await a.get(listPath('conv03'), { headers: h }), 200, `list with token ${tok}`);
    const c = await a.post('/collections/documents?collection=conv03', { data: { t: tok } }, { headers: h });
    expectStatus(c, 201, `create with token ${tok}`);
    expectStatus(await a.get(docPath('conv03', c.json.id), { headers: h }), 200, 'get');
  }
});

test('CONV-04 an invalid Bearer token alone gives 401 INVALID_TOKEN', async () => {
  for (const tok of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']) {
    expectError(await a.get(listPath('conv04'), { noKey: true, headers: { authorization: `Bearer ${tok}` } }), 401, 'INVALID_TOKEN', `token ${tok}`);
    expectError(await a.post('/collections/documents?collection=conv04', { data: {} }, { noKey: true, headers: { authorization: `Bearer ${tok}` } }),
      401, 'INVALID_TOKEN', `create with token ${tok}`);
  }
  // an expired-looking token that cannot verify is refused either way
  expectError(await a.get(listPath('conv04'), { noKey: true, headers: { authorization: `Bearer ${EXPIRED_FAKE_JWT}` } }), 401, undefined, 'expired fake');
  assert.equal(await count('conv04'), 0);
});

test('CONV-04 a valid Bearer token alone (from signup) gives project access', async () => {
  const s = await signupUser();
  const h = { authorization: `Bearer ${s.access_token}` };
  const c = await a.post('/collections/documents?collection=conv04', { data: { by: 'token' } }, { noKey: true, headers: h });
  expectStatus(c, 201, 'create with token only');
  const l = await a.get(listPath('conv04'), { noKey: true, headers: h });
  expectStatus(l, 200, 'list with token only');
  assert.deepEqual(l.json.map((d) => d.id), [c.json.id]);
  // same data is visible through the API key: same project
  const g = await a.get(docPath('conv04', c.json.id));
  expectStatus(g, 200, 'get with key');
  // the scheme word is case-insensitive
  expectStatus(await a.get(listPath('conv04'), { noKey: true, headers: { authorization: `bearer ${s.access_token}` } }), 200, 'lowercase bearer');

  expectError(await a.get(listPath('conv04'), { noKey: true, headers: { authorization: 'Bearer garbage' } }), 401, 'INVALID_TOKEN', 'garbage token');
  const parts = s.access_token.split('.');
  const sig = parts[2];
  const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  expectError(await a.get(listPath('conv04'), { noKey: true, headers: { authorization: `Bearer ${parts[0]}.${parts[1]}.${flipped}` } }),
    401, 'INVALID_TOKEN', 'bad signature');
  expectError(await a.get(listPath('conv04'), { noKey: true, headers: { authorization: `Bearer ${EXPIRED_FAKE_JWT}` } }),
    401, undefined, 'unverifiable expired token');
});

test('CONV-05 document timestamps are YYYY-MM-DDTHH:MM:SS.sssZ and parse as RFC 3339', async () => {
  const d = await create('conv05', { a: 1 });
  assertTimestamp(d.created_at, 'created_at');
  assertTimestamp(d.updated_at, 'updated_at');
  const u = await a.patch(docPath('conv05', d.id), { data: { a: 2 } });
  expectStatus(u, 200, 'update');
  assertTimestamp(u.json.created_at);
  assertTimestamp(u.json.updated_at);
  const l = await a.get(listPath('conv05'));
  for (const doc of l.json) { assertTimestamp(doc.created_at); assertTimestamp(doc.updated_at); }
  const cols = await a.get('/collections');
  for (const c of cols.json) assertTimestamp(c.created_at, `collection ${c.name} created_at`);
});

test('CONV-05 user timestamps (signup) are YYYY-MM-DDTHH:MM:SS.sssZ', async () => {
  const s = await signupUser();
  assertTimestamp(s.user.created_at, 'user.created_at');
  assertTimestamp(s.user.updated_at, 'user.updated_at');
});

test('CONV-06 OPTIONS preflight gives 204 with CORS headers; normal responses carry Access-Control-Allow-Origin', async () => {
  const paths = ['/collections/conv06/documents', '/collections/documents', '/collections', '/health', '/no/such/route',
    '/collections/conv06/documents/00000000-0000-4000-8000-000000000000'];
  for (const p of paths) {
    const r = await a.req('OPTIONS', p, {
      noKey: true,
      headers: { origin: 'http://example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key, authorization' },
    });
    assert.equal(r.status, 204, `OPTIONS ${p}: ${r.status} ${r.text}`);
    assert.ok(r.headers.get('access-control-allow-origin'), `OPTIONS ${p}: no Access-Control-Allow-Origin`);
    const methods = (r.headers.get('access-control-allow-methods') || '').split(',').map((s) => s.trim().toUpperCase());
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) assert.ok(methods.includes(m), `OPTIONS ${p}: Allow-Methods lacks ${m}: ${methods}`);
    const hdrs = (r.headers.get('access-control-allow-headers') || '').split(',').map((s) => s.trim().toLowerCase());
    for (const h of ['content-type', 'x-api-key', 'authorization']) assert.ok(hdrs.includes(h), `OPTIONS ${p}: Allow-Headers lacks ${h}: ${hdrs}`);
    assert.equal(r.headers.get('access-control-max-age'), '600', `OPTIONS ${p}: Max-Age`);
  }
  // normal responses, successful or not
  const ok = await a.get(listPath('conv06'));
  const nf = await a.get('/no/such/route');
  const unauth = await a.get(listPath('conv06'), { noKey: true });
  for (const r of [ok, nf, unauth]) {
    assert.equal(r.headers.get('access-control-allow-origin'), '*', `status ${r.status} lacks Access-Control-Allow-Origin: *`);
  }
  const expose = (ok.headers.get('access-control-expose-headers') || '').split(',').map((s) => s.trim().toLowerCase());
  assert.ok(expose.includes('x-cocobase-seq'), `Access-Control-Expose-Headers lacks X-Cocobase-Seq: ${expose}`);
});

test('1.7 with a --cors-origins list the request Origin is echoed when listed, with Vary: Origin', async () => {
  const s2 = await startServer({ args: ['--cors-origins', 'http://a.test,http://b.test'] });
  try {
    const b = api(s2.url, s2.apiKey);
    const ok = await b.get('/collections/cors/documents', { headers: { origin: 'http://b.test' } });
    expectStatus(ok, 200, 'listed origin');
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://b.test');
    assert.ok((ok.headers.get('vary') || '').toLowerCase().split(',').map((x) => x.trim()).includes('origin'), `Vary: ${ok.headers.get('vary')}`);
    const pre = await b.req('OPTIONS', '/collections/cors/documents', { noKey: true, headers: { origin: 'http://a.test', 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://a.test');
    const evil = await b.get('/collections/cors/documents', { headers: { origin: 'http://evil.test' } });
    const acao = evil.headers.get('access-control-allow-origin');
    assert.ok(acao !== 'http://evil.test' && acao !== '*', `unlisted origin must not be allowed: ${acao}`);
  } finally {
    await s2.cleanup();
  }
});

test('CONV-07 error bodies are {"detail": string, "code": string} with Content-Type application/json (explicit cases)', async () => {
  const cases = [
    await a.get('/nope'),
    await a.get(listPath('conv07'), { noKey: true }),
    await a.get(docPath('conv07', '00000000-0000-4000-8000-000000000000')),
    await a.req('POST', '/collections/documents?collection=conv07', { rawBody: '{bad', headers: { 'content-type': 'application/json' } }),
    await a.post('/collections/documents?collection=conv07', [1, 2]),
    await a.req('DELETE', '/collections/conv07'),
    await a.get(listPath('conv07', 'limit=-1')),
  ];
  for (const r of cases) {
    assert.ok(r.status >= 400, `expected an error, got ${r.status}`);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    assert.equal(typeof r.json?.detail, 'string', `detail: ${r.text}`);
    assert.equal(typeof r.json?.code, 'string', `code: ${r.text}`);
  }
});

test('CONV-08 unknown route gives 404 NOT_FOUND; wrong method gives 405 with Allow', async () => {
  expectError(await a.get('/nope'), 404, 'NOT_FOUND', 'GET /nope');
  expectError(await a.get('/collections/conv08/documents/x/extra'), 404, 'NOT_FOUND', 'too deep');
  expectError(await a.get('/collections/conv08/whatever'), 404, 'NOT_FOUND', 'unknown sub-route');
  expectError(await a.get('/Collections'), 404, 'NOT_FOUND', 'paths are case-sensitive');

  const allowOf = (r) => (r.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  let r = await a.req('DELETE', '/collections/users');
  expectError(r, 405, 'METHOD_NOT_ALLOWED', 'DELETE /collections/users');
  assert.ok(allowOf(r).includes('GET') && allowOf(r).includes('POST') && !allowOf(r).includes('DELETE'), `Allow: ${r.headers.get('allow')}`);

  for (const m of ['GET', 'DELETE', 'PATCH']) {
    r = await a.req(m, '/collections/documents');
    expectError(r, 405, 'METHOD_NOT_ALLOWED', `${m} /collections/documents`);
    assert.deepEqual(allowOf(r).filter((x) => x !== 'OPTIONS'), ['POST'], `Allow: ${r.headers.get('allow')}`);
  }

  r = await a.req('PATCH', '/collections/conv08/documents');
  expectError(r, 405, 'METHOD_NOT_ALLOWED', 'PATCH list route');
  assert.ok(allowOf(r).includes('GET') && allowOf(r).includes('POST'), `Allow: ${r.headers.get('allow')}`);

  r = await a.req('POST', docPath('conv08', '00000000-0000-4000-8000-000000000000'), { body: {} });
  expectError(r, 405, 'METHOD_NOT_ALLOWED', 'POST on a document');
  for (const m of ['GET', 'PATCH', 'PUT', 'DELETE']) assert.ok(allowOf(r).includes(m), `Allow lacks ${m}: ${r.headers.get('allow')}`);

  r = await a.req('GET', '/collections/conv08/batch/documents/create');
  expectError(r, 405, 'METHOD_NOT_ALLOWED', 'GET batch create');
  assert.ok(allowOf(r).includes('POST'));

  r = await a.req('POST', '/collections/conv08/query/documents/count', { body: {} });
  expectError(r, 405, 'METHOD_NOT_ALLOWED', 'POST count');
  assert.ok(allowOf(r).includes('GET'));

  r = await a.req('POST', '/health', { body: {} });
  expectError(r, 405, 'METHOD_NOT_ALLOWED', 'POST /health');
  assert.ok(allowOf(r).includes('GET'));
});

test('CONV-09 a body that is not JSON gives 400 INVALID_JSON; a JSON array as create body gives 422', async () => {
  const before = await count('conv09');
  for (const p of ['/collections/documents?collection=conv09', '/collections/conv09', '/collections/conv09/documents']) {
    expectError(await a.req('POST', p, { rawBody: 'not json', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_JSON', `${p} text`);
    expectError(await a.req('POST', p, { rawBody: '{"data": {"a": 1}', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_JSON', `${p} truncated`);
    expectError(await a.req('POST', p, { rawBody: '{"data": {}} trailing', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_JSON', `${p} trailing garbage`);
    // parsed as JSON whatever the content type
    expectError(await a.req('POST', p, { rawBody: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'INVALID_JSON', `${p} form body`);
    expectError(await a.post(p, [1, 2]), 422, 'VALIDATION_ERROR', `${p} array body`);
  }
  // a JSON body with another content type is still parsed as JSON
  const ok = await a.req('POST', '/collections/conv09', { rawBody: '{"k": "v"}', headers: { 'content-type': 'text/plain' } });
  expectStatus(ok, 201, 'JSON body with text/plain');
  assert.deepEqual(ok.json.data, { k: 'v' });
  assert.equal(await count('conv09'), before + 1);
});

test('CONV-10 multipart/form-data gives 415 UNSUPPORTED_MEDIA_TYPE and stores nothing', async () => {
  const fd = new FormData();
  fd.append('data', JSON.stringify({ name: 'x' }));
  fd.append('file', new Blob(['hello']), 'a.txt');
  expectError(await a.req('POST', '/collections/documents?collection=conv10', { rawBody: fd }), 415, 'UNSUPPORTED_MEDIA_TYPE', 'create');
  const d = await create('conv10b', { v: 1 });
  const fd2 = new FormData();
  fd2.append('data', JSON.stringify({ v: 2 }));
  expectError(await a.req('PATCH', docPath('conv10b', d.id), { rawBody: fd2 }), 415, 'UNSUPPORTED_MEDIA_TYPE', 'update');
  assert.equal(await count('conv10'), 0);
  assert.deepEqual((await a.get(docPath('conv10b', d.id))).json.data, { v: 1 });
});

test('CONV-13 no credentials gives 401 AUTH_REQUIRED', async () => {
  const r = await a.get(listPath('conv13'), { noKey: true });
  expectError(r, 401, 'AUTH_REQUIRED', 'no key');
  assert.equal(r.json.detail, 'Authentication required');
  expectError(await a.post('/collections/documents?collection=conv13', { data: {} }, { noKey: true }), 401, 'AUTH_REQUIRED', 'create without key');
  expectError(await a.get('/collections', { noKey: true }), 401, 'AUTH_REQUIRED', 'GET /collections without key');
});

test('CONV-13 an unknown API key gives 401 INVALID_API_KEY', async () => {
  const bad = `cb_${'0'.repeat(40)}`;
  const r = await a.get(listPath('conv13'), { key: bad });
  expectError(r, 401, 'INVALID_API_KEY', 'unknown key');
  assert.equal(r.json.detail, 'Invalid API key');
  expectError(await a.get(listPath('conv13'), { key: 'nonsense' }), 401, 'INVALID_API_KEY', 'garbage key');
  expectError(await a.post('/collections/documents?collection=conv13', { data: {} }, { key: bad }), 401, 'INVALID_API_KEY', 'create');
  expectError(await a.get(listPath('conv13'), { key: bad, headers: { authorization: 'Bearer garbage' } }), 401, 'INVALID_API_KEY', 'unknown key + garbage token');
  assert.equal(await count('conv13'), 0);
});

test('CONV-13 an unknown API key gives 401 INVALID_API_KEY even with a valid token', async () => {
  const s = await signupUser();
  const r = await a.get(listPath('conv13'), { key: `cb_${'1'.repeat(40)}`, headers: { authorization: `Bearer ${s.access_token}` } });
  expectError(r, 401, 'INVALID_API_KEY', 'bad key + good token');
});

test('CONV-15 64-bit integers round-trip exactly; 10.0 comes back as 10; non-ASCII as UTF-8', async () => {
  const body = '{"data":{"i64max":9223372036854775807,"i64min":-9223372036854775808,"u64max":18446744073709551615,'
    + '"ten":10.0,"big2p53":9007199254740993,"half":1.5,"tiny":1e-7,"neg":-42,"s":"h\u00e9llo \u4e16\u754c"}}';
  const r = await a.req('POST', '/collections/documents?collection=conv15', { rawBody: body, headers: { 'content-type': 'application/json' } });
  expectStatus(r, 201, 'create');
  const check = (text, what) => {
    assert.match(text, /"i64max":9223372036854775807[,}]/, `${what}: i64max in ${text}`);
    assert.match(text, /"i64min":-9223372036854775808[,}]/, `${what}: i64min`);
    assert.match(text, /"u64max":18446744073709551615[,}]/, `${what}: u64max`);
    assert.match(text, /"big2p53":9007199254740993[,}]/, `${what}: 2^53+1`);
    assert.match(text, /"ten":10[,}]/, `${what}: 10.0 must be written as 10`);
    assert.match(text, /"half":1\.5[,}]/, `${what}: 1.5`);
    assert.match(text, /"neg":-42[,}]/, `${what}: -42`);
    assert.ok(text.includes('"s":"h\u00e9llo \u4e16\u754c"'), `${what}: non-ASCII must be emitted as UTF-8, not \\u escapes: ${text}`);
    assert.equal(JSON.parse(text.match(/"tiny":([^,}]+)/)[1]), 1e-7, `${what}: 1e-7`);
  };
  check(r.text, 'create response');
  const g = await a.get(docPath('conv15', r.json.id));
  check(g.text, 'get response');
  const l = await a.get(listPath('conv15'));
  check(l.text, 'list response');
  // compact output, no BOM
  assert.notEqual(g.text.charCodeAt(0), 0xfeff);
  assert.ok(!/[:,]\s/.test(g.text.replace(/"(?:[^"\\]|\\.)*"/g, '""')), `response is not compact: ${g.text}`);
});

test('CONV-16 a trailing slash is ignored; /api/collections gives 404', async () => {
  const d = await create('conv16', { a: 1 });
  const l1 = await a.get('/collections/conv16/documents/');
  expectStatus(l1, 200, 'list with trailing slash');
  assert.deepEqual(l1.json.map((x) => x.id), [d.id]);
  const g = await a.get(`/collections/conv16/documents/${d.id}/`);
  expectStatus(g, 200, 'get with trailing slash');
  assert.equal(g.json.id, d.id);
  const c = await a.get('/collections/');
  expectStatus(c, 200, '/collections/');
  assert.ok(c.json.some((x) => x.name === 'conv16'));
  expectStatus(await a.get('/collections/conv16/'), 200, 'collection details with slash');
  expectStatus(await a.get('/collections/conv16/query/documents/count/'), 200, 'count with slash');
  const p = await a.post('/collections/documents/?collection=conv16', { data: { b: 2 } });
  expectStatus(p, 201, 'create route with slash');
  expectStatus(await a.get('/health/'), 200, '/health/');
  expectError(await a.get('/api/collections'), 404, 'NOT_FOUND', '/api/collections');
  expectError(await a.get('/api/collections/conv16/documents'), 404, 'NOT_FOUND', '/api/collections/.../documents');
  expectError(await a.post('/api/collections/documents?collection=conv16', { data: {} }), 404, 'NOT_FOUND', 'POST /api/...');
});

// ---------------------------------------------------------------------------
// Document shape

test('DOC-01..04 document shape on every route', async () => {
  const docs = [];
  const c1 = await a.post('/collections/documents?collection=docshape', { data: { name: 'A' } });
  const c2 = await a.post('/collections/docshape', { name: 'B' });
  const c3 = await a.post('/collections/docshape/documents', { data: { name: 'C' } });
  for (const r of [c1, c2, c3]) { expectStatus(r, 201, 'create'); docs.push(r.json); }
  const b = await a.post('/collections/docshape/batch/documents/create', { documents: [{ name: 'D' }] });
  expectStatus(b, 201, 'batch create');
  docs.push(...b.json);
  for (const d of docs) {
    assertDocument(d, { collection: 'docshape' }); // DOC-01, DOC-03
    assert.equal(d.updated_at, d.created_at, 'DOC-04 updated_at == created_at after creation');
  }
  // DOC-02: identical collection_id, equal to GET /collections' id
  const ids = new Set(docs.map((d) => d.collection_id));
  assert.equal(ids.size, 1, 'one collection_id for all documents');
  const cols = await a.get('/collections');
  const entry = cols.json.find((c) => c.name === 'docshape');
  assert.ok(entry, 'collection listed');
  assert.equal(entry.id, docs[0].collection_id, 'DOC-02 collection_id equals the listed id');
  assert.notEqual(entry.id, 'docshape');
  // ids unique
  assert.equal(new Set(docs.map((d) => d.id)).size, docs.length);
  const g = await a.get(docPath('docshape', docs[0].id));
  assertDocument(g.json, { collection: 'docshape' });
  assert.deepEqual(g.json, docs[0]);
  const u = await a.patch(docPath('docshape', docs[0].id), { data: { x: 1 } });
  assertDocument(u.json, { collection: 'docshape' });
  const l = await a.get(listPath('docshape'));
  for (const d of l.json) assertDocument(d, { collection: 'docshape' });
  // another collection gets another collection_id
  const other = await create('docshape2', { a: 1 });
  assert.notEqual(other.collection_id, docs[0].collection_id);
});

// ---------------------------------------------------------------------------
// Collections REST

test('COL-01 SDK create route with {"data": {...}} returns 201 and the data', async () => {
  const data = { name: 'Alice', age: 30, nested: { a: [1, 'two', null, true] }, empty: {}, n: null };
  const r = await a.post('/collections/documents?collection=col01', { data });
  expectStatus(r, 201, 'create');
  assertDocument(r.json, { collection: 'col01' });
  assert.deepEqual(r.json.data, data);
  const g = await a.get(docPath('col01', r.json.id));
  assert.deepEqual(g.json, r.json);
  // an empty object is a valid document
  const e = await a.post('/collections/documents?collection=col01', { data: {} });
  expectStatus(e, 201, 'empty data');
  assert.deepEqual(e.json.data, {});
});

test('COL-02 POST /collections/{name} with a bare object', async () => {
  const r = await a.post('/collections/col02', { name: 'Laptop', price: 999.99 });
  expectStatus(r, 201, 'create');
  assertDocument(r.json, { collection: 'col02' });
  assert.deepEqual(r.json.data, { name: 'Laptop', price: 999.99 });
  // the wrapped form also works on this route (D1)
  const w = await a.post('/collections/col02', { data: { name: 'Mouse' } });
  expectStatus(w, 201, 'wrapped');
  assert.deepEqual(w.json.data, { name: 'Mouse' });
});

test('COL-03 POST /collections/{name}/documents with a wrapped body', async () => {
  const r = await a.post('/collections/col03/documents', { data: { title: 'x' } });
  expectStatus(r, 201, 'create');
  assertDocument(r.json, { collection: 'col03' });
  assert.deepEqual(r.json.data, { title: 'x' });
  const b = await a.post('/collections/col03/documents', { title: 'bare' });
  expectStatus(b, 201, 'bare');
  assert.deepEqual(b.json.data, { title: 'bare' });
});

test('COL-04 rule D1: wrapped/bare forms and 422s', async () => {
  for (const body of [{ data: 5 }, { data: 'x' }, { data: [1] }, { data: null }, 5, 'str', null, true, []]) {
    const r = await a.post('/collections/documents?collection=col04', body);
    expectError(r, 422, 'VALIDATION_ERROR', `body ${JSON.stringify(body)}`);
  }
  assert.equal(await count('col04'), 0, 'nothing stored by the 422s');
  const r = await a.post('/collections/documents?collection=col04', { data: { a: 1 }, x: 1 });
  expectStatus(r, 201, 'two members -> bare');
  assert.deepEqual(r.json.data, { data: { a: 1 }, x: 1 });
  const w = await a.post('/collections/documents?collection=col04', { data: { data: { deep: true } } });
  expectStatus(w, 201, 'document whose only field is data');
  assert.deepEqual(w.json.data, { data: { deep: true } });
  // the same rule on update
  expectError(await a.patch(docPath('col04', r.json.id), { data: 5 }), 422, 'VALIDATION_ERROR', 'update {"data":5}');
  expectError(await a.patch(docPath('col04', r.json.id), [1]), 422, 'VALIDATION_ERROR', 'update with array');
  const u = await a.patch(docPath('col04', r.json.id), { y: 2, z: 3 });
  expectStatus(u, 200, 'bare patch');
  assert.deepEqual(u.json.data, { data: { a: 1 }, x: 1, y: 2, z: 3 });
});

test('COL-05 create route without collection gives 422 with loc [query, collection]', async () => {
  for (const p of ['/collections/documents', '/collections/documents?collection=', '/collections/documents?other=1']) {
    const r = await a.post(p, { data: { a: 1 } });
    expectError(r, 422, 'VALIDATION_ERROR', p);
    assert.ok(r.json.errors.some((e) => JSON.stringify(e.loc) === '["query","collection"]'), `loc: ${r.text}`);
  }
  // missing body on the SDK route (the JS SDK sends none for falsy data)
  const nb = await a.req('POST', '/collections/documents?collection=col05', { headers: { 'content-type': 'application/json' } });
  expectError(nb, 422, 'VALIDATION_ERROR', 'no body');
  assert.equal(await count('col05'), 0);
});

test('COL-06 invalid collection names give 400 INVALID_COLLECTION_NAME', async () => {
  const bad = ['bad name!', 'x'.repeat(65), 'documents', 'file', 'a.b', 'caf\u00e9', 'slash/inside'];
  for (const n of bad) {
    const r = await a.post(`/collections/documents?collection=${enc(n)}`, { data: { a: 1 } });
    expectError(r, 400, 'INVALID_COLLECTION_NAME', `create ?collection=${n}`);
  }
  for (const n of ['bad name!', 'x'.repeat(65), 'a.b', 'caf\u00e9']) {
    expectError(await a.get(listPath(n)), 400, 'INVALID_COLLECTION_NAME', `list ${n}`);
    expectError(await a.get(countPath(n)), 400, 'INVALID_COLLECTION_NAME', `count ${n}`);
    expectError(await a.post(`/collections/${enc(n)}`, { a: 1 }), 400, 'INVALID_COLLECTION_NAME', `POST /collections/${n}`);
    expectError(await a.post(`/collections/${enc(n)}/documents`, { a: 1 }), 400, 'INVALID_COLLECTION_NAME', `POST /collections/${n}/documents`);
    expectError(await a.get(docPath(n, '00000000-0000-4000-8000-000000000000')), 400, 'INVALID_COLLECTION_NAME', `get in ${n}`);
  }
  for (const n of ['documents', 'file']) {
    expectError(await a.get(listPath(n)), 400, 'INVALID_COLLECTION_NAME', `list of reserved ${n}`);
  }
  for (const n of ['bad name!', 'documents', 'file', 'x'.repeat(65)]) {
    expectError(await a.post('/collections', { name: n }), 400, 'INVALID_COLLECTION_NAME', `POST /collections ${n}`);
  }
  // boundaries that are valid
  const ok64 = 'A'.repeat(32) + '_-09'.repeat(8);
  assert.equal(ok64.length, 64);
  expectStatus(await a.post(`/collections/documents?collection=${ok64}`, { data: { a: 1 } }), 201, '64-char name');
  expectStatus(await a.post('/collections/documents?collection=a', { data: { a: 1 } }), 201, '1-char name');
  // names are case-sensitive
  await create('CaseCol', { v: 'upper' });
  assert.equal(await count('casecol'), 0);
  assert.equal(await count('CaseCol'), 1);
});

test('COL-07 the first write creates the collection; GET /collections lists it sorted by name; details show document_count', async () => {
  expectError(await a.get('/collections/col07'), 404, 'COLLECTION_NOT_FOUND', 'before the first write');
  const d1 = await create('col07', { a: 1 });
  await create('col07', { a: 2 });
  const l = await a.get('/collections');
  expectStatus(l, 200, 'list collections');
  assert.ok(Array.isArray(l.json));
  const names = l.json.map((c) => c.name);
  const sorted = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  assert.deepEqual(names, sorted, 'sorted by name');
  const e = l.json.find((c) => c.name === 'col07');
  assert.ok(e, 'col07 listed');
  assert.deepEqual(Object.keys(e).sort(), ['created_at', 'id', 'name']);
  assert.equal(e.id, d1.collection_id);
  assert.match(e.id, UUID4_RE);
  const det = await a.get('/collections/col07');
  expectStatus(det, 200, 'details');
  assert.deepEqual(Object.keys(det.json).sort(), ['created_at', 'document_count', 'id', 'name']);
  assert.equal(det.json.id, d1.collection_id);
  assert.equal(det.json.name, 'col07');
  assert.equal(det.json.created_at, e.created_at);
  assert.equal(det.json.document_count, 2);
  await a.del(docPath('col07', d1.id));
  assert.equal((await a.get('/collections/col07')).json.document_count, 1);
});

test('COL-08 a never-written collection: details 404, list [], count 0, aggregate empty', async () => {
  const r = await a.get('/collections/never');
  expectError(r, 404, 'COLLECTION_NOT_FOUND', 'details');
  assert.equal(r.json.detail, "Collection 'never' not found");
  const l = await a.get(listPath('never'));
  expectStatus(l, 200, 'list');
  assert.deepEqual(l.json, []);
  assert.equal(l.seq, 0, 'X-Cocobase-Seq 0 for a never written collection');
  const c = await a.get(countPath('never'));
  expectStatus(c, 200, 'count');
  assert.deepEqual(c.json, { count: 0 });
  const ag = await a.get('/collections/never/query/documents/aggregate?field=x&operation=sum');
  expectStatus(ag, 200, 'aggregate');
  assert.deepEqual(ag.json, { collection: 'never', field: 'x', operation: 'sum', result: 0 });
  expectError(await a.get(docPath('never', '00000000-0000-4000-8000-000000000000')), 404, 'NOT_FOUND', 'get');
  // reading does not create it
  expectError(await a.get('/collections/never'), 404, 'COLLECTION_NOT_FOUND', 'details after reads');
  assert.ok(!(await a.get('/collections')).json.some((x) => x.name === 'never'));
});

test('COL-09 get returns the document; unknown id or another collection gives 404', async () => {
  const d = await create('col09', { v: 1 });
  const g = await a.get(docPath('col09', d.id));
  expectStatus(g, 200, 'get');
  assert.deepEqual(g.json, d);
  const nf = await a.get(docPath('col09', '00000000-0000-4000-8000-000000000000'));
  expectError(nf, 404, 'NOT_FOUND', 'unknown id');
  assert.equal(nf.json.detail, 'Document not found');
  expectError(await a.get(docPath('col09', 'not-a-uuid')), 404, 'NOT_FOUND', 'malformed id');
  // get takes only select/populate; other parameters are ignored (3.5)
  const ign = await a.get(`${docPath('col09', d.id)}?limit=-1&offset=x&name=nobody&sort=`);
  expectStatus(ign, 200, 'get ignores other parameters');
  assert.deepEqual(ign.json, d);
  await create('col09b', { v: 2 });
  expectError(await a.get(docPath('col09b', d.id)), 404, 'NOT_FOUND', 'id of another collection');
  expectError(await a.patch(docPath('col09b', d.id), { data: { v: 9 } }), 404, 'NOT_FOUND', 'update via another collection');
  expectError(await a.del(docPath('col09b', d.id)), 404, 'NOT_FOUND', 'delete via another collection');
  assert.deepEqual((await a.get(docPath('col09', d.id))).json, d, 'unchanged');
  // uppercase form of the id is a different id
  expectError(await a.get(docPath('col09', d.id.toUpperCase())), 404, 'NOT_FOUND', 'uppercase id');
});

test('COL-10 PATCH merges shallowly', async () => {
  const d = await create('col10', { a: 1, b: { x: 1 } });
  const u = await a.patch(docPath('col10', d.id), { data: { b: { y: 2 }, c: null } });
  expectStatus(u, 200, 'patch');
  assertDocument(u.json, { collection: 'col10' });
  assert.deepEqual(u.json.data, { a: 1, b: { y: 2 }, c: null });
  assert.equal(u.json.id, d.id);
  assert.equal(u.json.collection_id, d.collection_id);
  assert.deepEqual((await a.get(docPath('col10', d.id))).json, u.json, 'stored as returned');
  // empty patch changes nothing but succeeds
  const e = await a.patch(docPath('col10', d.id), { data: {} });
  expectStatus(e, 200, 'empty patch');
  assert.deepEqual(e.json.data, { a: 1, b: { y: 2 }, c: null });
});

test('COL-11 PUT behaves exactly like PATCH', async () => {
  const d = await create('col11', { a: 1, b: { x: 1 } });
  const u = await a.put(docPath('col11', d.id), { data: { b: { y: 2 }, c: null } });
  expectStatus(u, 200, 'put');
  assert.deepEqual(u.json.data, { a: 1, b: { y: 2 }, c: null });
  const u2 = await a.put(docPath('col11', d.id), { d: 4 });
  expectStatus(u2, 200, 'bare put');
  assert.deepEqual(u2.json.data, { a: 1, b: { y: 2 }, c: null, d: 4 });
  expectError(await a.put(docPath('col11', '00000000-0000-4000-8000-000000000000'), { data: { a: 1 } }), 404, 'NOT_FOUND', 'PUT missing');
});

test('COL-12 update advances updated_at, keeps created_at; update of a missing document gives 404 and writes nothing', async () => {
  const d = await create('col12', { v: 1 });
  await sleep(15);
  const u = await a.patch(docPath('col12', d.id), { data: { v: 2 } });
  expectStatus(u, 200, 'update');
  assert.equal(u.json.created_at, d.created_at);
  assert.ok(u.json.updated_at > d.updated_at, `updated_at ${u.json.updated_at} must advance past ${d.updated_at}`);
  await sleep(15);
  const e = await a.patch(docPath('col12', d.id), { data: {} });
  assert.ok(e.json.updated_at > u.json.updated_at, 'an empty patch still advances updated_at');
  const seqBefore = await headSeq('col12');
  const nf = await a.patch(docPath('col12', '00000000-0000-4000-8000-000000000000'), { data: { v: 3 } });
  expectError(nf, 404, 'NOT_FOUND', 'update missing');
  assert.equal(await headSeq('col12'), seqBefore, 'a failed update consumes no seq (no event)');
  assert.equal(await count('col12'), 1, 'update of a missing document does not create it');
});

test('COL-13 DELETE gives {success, id, message}; a second DELETE gives 404', async () => {
  const d = await create('col13', { v: 1 });
  const r = await a.del(docPath('col13', d.id));
  expectStatus(r, 200, 'delete');
  assert.deepEqual(r.json, { success: true, id: d.id, message: 'Document deleted successfully' });
  expectError(await a.del(docPath('col13', d.id)), 404, 'NOT_FOUND', 'second delete');
  expectError(await a.get(docPath('col13', d.id)), 404, 'NOT_FOUND', 'get after delete');
  assert.equal(await count('col13'), 0);
});

test('COL-14 list returns a bare JSON array of Documents', async () => {
  const d1 = await create('col14', { n: 1 });
  const d2 = await create('col14', { n: 2 });
  const r = await a.get(listPath('col14'));
  expectStatus(r, 200, 'list');
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.ok(Array.isArray(r.json), `not an array: ${r.text}`);
  assert.equal(r.json.length, 2);
  for (const d of r.json) assertDocument(d, { collection: 'col14' });
  assert.deepEqual(new Set(r.json.map((d) => d.id)), new Set([d1.id, d2.id]));
  // count=false is accepted and ignored
  const c = await a.get(listPath('col14', 'count=false'));
  expectStatus(c, 200, 'count=false');
  assert.equal(c.json.length, 2);
});

test('COL-20 batch create: 201 in request order; one invalid element gives 422 and creates nothing', async () => {
  const items = [{ title: 'Post 1' }, { data: { title: 'Post 2' } }, { title: 'Post 3', data: { x: 1 } }];
  const r = await a.post('/collections/col20/batch/documents/create', { documents: items });
  expectStatus(r, 201, 'batch create');
  assert.ok(Array.isArray(r.json));
  assert.deepEqual(r.json.map((d) => d.data), [{ title: 'Post 1' }, { title: 'Post 2' }, { title: 'Post 3', data: { x: 1 } }]);
  for (const d of r.json) assertDocument(d, { collection: 'col20' });
  assert.equal(new Set(r.json.map((d) => d.id)).size, 3);
  for (const d of r.json) assert.deepEqual((await a.get(docPath('col20', d.id))).json, d);
  assert.equal(await count('col20'), 3);

  const seq = await headSeq('col20');
  const bad = await a.post('/collections/col20/batch/documents/create', { documents: [{ ok: 1 }, 5, { ok: 3 }] });
  expectError(bad, 422, 'VALIDATION_ERROR', 'invalid element');
  assert.ok(bad.json.errors.some((e) => JSON.stringify(e.loc.slice(0, 3)) === '["body","documents",1]'), `loc names index 1: ${bad.text}`);
  const bad2 = await a.post('/collections/col20/batch/documents/create', { documents: [{ ok: 1 }, { data: 'x' }] });
  expectError(bad2, 422, 'VALIDATION_ERROR', 'invalid wrapped element');
  expectError(await a.post('/collections/col20/batch/documents/create', { documents: { a: 1 } }), 422, 'VALIDATION_ERROR', 'documents not an array');
  expectError(await a.post('/collections/col20/batch/documents/create', {}), 422, 'VALIDATION_ERROR', 'documents missing');
  assert.equal(await count('col20'), 3, 'nothing created');
  assert.equal(await headSeq('col20'), seq, 'no seq consumed');

  // empty batch: [] and the collection is not created
  const e = await a.post('/collections/col20empty/batch/documents/create', { documents: [] });
  expectStatus(e, 201, 'empty batch');
  assert.deepEqual(e.json, []);
  expectError(await a.get('/collections/col20empty'), 404, 'COLLECTION_NOT_FOUND', 'empty batch creates no collection');
});

test('COL-21 batch update: 200 in request order; one unknown id gives 404 and changes nothing', async () => {
  const c = await a.post('/collections/col21/batch/documents/create', { documents: [{ n: 1, p: false }, { n: 2, p: false }, { n: 3, p: false }] });
  expectStatus(c, 201, 'seed');
  const [x, y, z] = c.json;
  const r = await a.post('/collections/col21/batch/documents/update', { updates: { [z.id]: { p: true }, [x.id]: { data: { p: 'wrapped', q: 1 } } } });
  expectStatus(r, 200, 'batch update');
  assert.deepEqual(r.json.map((d) => d.id), [z.id, x.id], 'request order');
  assert.deepEqual(r.json[0].data, { n: 3, p: true });
  assert.deepEqual(r.json[1].data, { n: 1, p: 'wrapped', q: 1 });
  for (const d of r.json) {
    assertDocument(d, { collection: 'col21' });
    assert.deepEqual((await a.get(docPath('col21', d.id))).json, d);
  }
  assert.deepEqual((await a.get(docPath('col21', y.id))).json, y, 'y untouched');

  const snapshot = (await a.get(listPath('col21'))).json;
  const seq = await headSeq('col21');
  const missing = '00000000-0000-4000-8000-000000000000';
  const nf = await a.post('/collections/col21/batch/documents/update', { updates: { [y.id]: { p: 'changed' }, [missing]: { p: 1 } } });
  expectError(nf, 404, 'NOT_FOUND', 'unknown id');
  assert.equal(nf.json.detail, `Document not found: ${missing}`);
  const other = await create('col21other', { o: 1 });
  expectError(await a.post('/collections/col21/batch/documents/update', { updates: { [y.id]: { p: 'changed' }, [other.id]: { p: 1 } } }),
    404, 'NOT_FOUND', 'id of another collection');
  expectError(await a.post('/collections/col21/batch/documents/update', { updates: [y.id] }), 422, 'VALIDATION_ERROR', 'updates is an array');
  expectError(await a.post('/collections/col21/batch/documents/update', { updates: { [y.id]: 5 } }), 422, 'VALIDATION_ERROR', 'patch not an object');
  expectError(await a.post('/collections/col21/batch/documents/update', {}), 422, 'VALIDATION_ERROR', 'updates missing');
  assert.deepEqual((await a.get(listPath('col21'))).json, snapshot, 'nothing changed');
  assert.equal(await headSeq('col21'), seq, 'no seq consumed');
});

test('COL-22 batch delete: {status, message, count}, unknown ids skipped', async () => {
  const c = await a.post('/collections/col22/batch/documents/create', { documents: [{ n: 1 }, { n: 2 }, { n: 3 }] });
  const [x, y, z] = c.json;
  const other = await create('col22other', { o: 1 });
  const r = await a.post('/collections/col22/batch/documents/delete', { document_ids: [x.id, '00000000-0000-4000-8000-000000000000', z.id, other.id] });
  expectStatus(r, 200, 'batch delete');
  assert.deepEqual(r.json, { status: 'success', message: '2 documents deleted', count: 2 });
  expectError(await a.get(docPath('col22', x.id)), 404, 'NOT_FOUND', 'x deleted');
  expectError(await a.get(docPath('col22', z.id)), 404, 'NOT_FOUND', 'z deleted');
  expectStatus(await a.get(docPath('col22', y.id)), 200, 'y kept');
  expectStatus(await a.get(docPath('col22other', other.id)), 200, 'other collection untouched');
  const none = await a.post('/collections/col22/batch/documents/delete', { document_ids: [x.id] });
  expectStatus(none, 200, 'nothing to delete');
  assert.deepEqual(none.json, { status: 'success', message: '0 documents deleted', count: 0 });
  expectError(await a.post('/collections/col22/batch/documents/delete', { document_ids: 'x' }), 422, 'VALIDATION_ERROR', 'not an array');
  expectError(await a.post('/collections/col22/batch/documents/delete', { document_ids: [1] }), 422, 'VALIDATION_ERROR', 'not strings');
  expectError(await a.post('/collections/col22/batch/documents/delete', {}), 422, 'VALIDATION_ERROR', 'missing');
  assert.equal(await count('col22'), 1);
});

test('COL-24 populate resolves references (4.10): by F_id or F, arrays, chains, users, dangling ids', async () => {
  const role = await create('col24people', { role: 'admin', name: 'Ann', id: 'data-id' });
  const guest = await create('col24people', { role: 'guest', name: 'Bob' });
  const team = await create('col24teams', { lead_id: role.id, title: 'core' });
  const dangling = '00000000-0000-4000-8000-000000000000';
  const p1 = await create('col24', { n: 1, author_id: role.id, team: team.id, tags: [guest.id, 'nope'] });
  const p2 = await create('col24', { n: 2, author_id: dangling });
  const p3 = await create('col24', { n: 3, author_id: guest.id });

  const got = await a.get(docPath('col24', p1.id) + '?populate=author,team.lead&populate=tags');
  expectStatus(got, 200, 'get with populate');
  // The referenced document flattened: the real id wins over its data member `id`.
  assert.deepEqual(got.json.data.author, { id: role.id, role: 'admin', name: 'Ann' });
  assert.equal(got.json.data.author_id, role.id, 'the reference is kept');
  assert.deepEqual(got.json.data.team, { id: team.id, lead_id: role.id, title: 'core',
    lead: { id: role.id, role: 'admin', name: 'Ann' } });
  assert.deepEqual(got.json.data.tags, [{ id: guest.id, role: 'guest', name: 'Bob' }, null]);

  const dang = await a.get(docPath('col24', p2.id) + '?populate=author');
  assert.equal(dang.json.data.author, null, 'a dangling id becomes null');
  // Stored documents are unchanged.
  const plain = await a.get(docPath('col24', p1.id));
  assert.equal(plain.json.data.author, undefined);
  assert.equal(plain.json.data.team, team.id);

  // Population comes before filtering: list, count and aggregate filter on the referenced author.
  const admins = await a.get(listPath('col24', 'author.role=admin&populate=author'));
  expectStatus(admins, 200);
  assert.deepEqual(admins.json.map((d) => d.data.n), [1]);
  const cnt = await a.get(countPath('col24', 'author.role=guest&populate=author'));
  assert.deepEqual(cnt.json, { count: 1 });
  assert.equal(p3.data.n, 3);
  const agg = await a.get('/collections/col24/query/documents/aggregate?field=n&operation=sum&author.role_isnull=false&populate=author');
  assert.equal(agg.json.result, 4);

  expectError(await a.get(listPath('col24', 'populate=*')), 400, 'INVALID_QUERY', 'wildcard');
  expectError(await a.get(listPath('col24', 'populate=a.b.c.d')), 400, 'INVALID_QUERY', 'deeper than 3');
});

test('COL-25 POST /collections creates an empty collection; a second time 409', async () => {
  const r = await a.post('/collections', { name: 'col25', schema: { ignored: true } });
  expectStatus(r, 201, 'create collection');
  assert.deepEqual(Object.keys(r.json).sort(), ['created_at', 'id', 'name']);
  assert.equal(r.json.name, 'col25');
  assert.match(r.json.id, UUID4_RE);
  assertTimestamp(r.json.created_at);
  expectError(await a.post('/collections', { name: 'col25' }), 409, 'ALREADY_EXISTS', 'second time');
  const det = await a.get('/collections/col25');
  expectStatus(det, 200, 'details');
  assert.equal(det.json.document_count, 0);
  assert.equal(det.json.id, r.json.id);
  const d = await create('col25', { a: 1 });
  assert.equal(d.collection_id, r.json.id, 'documents use the explicit collection id');
  // an implicitly created collection also conflicts
  await create('col25b', { a: 1 });
  expectError(await a.post('/collections', { name: 'col25b' }), 409, 'ALREADY_EXISTS', 'implicit collection exists');
  expectError(await a.post('/collections', {}), 422, 'VALIDATION_ERROR', 'missing name');
  expectError(await a.post('/collections', { name: 5 }), 422, 'VALIDATION_ERROR', 'name not a string');
});

test('COL-27 out-of-scope routes give 404 NOT_SUPPORTED', async () => {
  for (const p of ['/collections/file', '/auth-collections/2fa/enable', '/auth-collections/2fa/verify',
    '/auth-collections/google-verify', '/auth-collections/forgot-password', '/auth-collections/verify-email/send']) {
    expectError(await a.post(p, { x: 1 }), 404, 'NOT_SUPPORTED', p);
  }
});

// ---------------------------------------------------------------------------
// Extensions

test('EXT-10 X-Cocobase-Seq on list, get and writes: dense 1..N across creates, updates, deletes and batches', async () => {
  const C = 'seqcol';
  const l0 = await a.get(listPath(C));
  assert.equal(l0.seqRaw, '0', 'list of an unwritten collection');
  const c1 = await a.post(`/collections/documents?collection=${C}`, { data: { n: 1 } });
  assert.equal(c1.seqRaw, '1', 'create 1');
  const c2 = await a.post(`/collections/${C}`, { n: 2 });
  assert.equal(c2.seqRaw, '2', 'create 2');
  const c3 = await a.post(`/collections/${C}/documents`, { data: { n: 3 } });
  assert.equal(c3.seqRaw, '3', 'create 3');
  const u1 = await a.patch(docPath(C, c1.json.id), { data: { n: 10 } });
  assert.equal(u1.seqRaw, '4', 'patch');
  const u2 = await a.put(docPath(C, c1.json.id), { data: { n: 11 } });
  assert.equal(u2.seqRaw, '5', 'put');
  const d2 = await a.del(docPath(C, c2.json.id));
  assert.equal(d2.seqRaw, '6', 'delete');
  const g = await a.get(docPath(C, c1.json.id));
  assert.equal(g.seqRaw, '6', 'get shows head');
  const bc = await a.post(`/collections/${C}/batch/documents/create`, { documents: [{ n: 4 }, { n: 5 }, { n: 6 }] });
  assert.equal(bc.seqRaw, '9', 'batch create of 3: last seq');
  const bu = await a.post(`/collections/${C}/batch/documents/update`, { updates: { [bc.json[0].id]: { u: 1 }, [bc.json[1].id]: { u: 1 } } });
  assert.equal(bu.seqRaw, '11', 'batch update of 2');
  const bd = await a.post(`/collections/${C}/batch/documents/delete`, { document_ids: [bc.json[1].id, '00000000-0000-4000-8000-000000000000', bc.json[2].id] });
  assert.equal(bd.json.count, 2);
  assert.equal(bd.seqRaw, '13', 'batch delete of 2 existing ids');
  const bd0 = await a.post(`/collections/${C}/batch/documents/delete`, { document_ids: ['00000000-0000-4000-8000-000000000000'] });
  assert.equal(bd0.seqRaw, '13', 'batch delete that wrote nothing: current head');
  const bc0 = await a.post(`/collections/${C}/batch/documents/create`, { documents: [] });
  assert.equal(bc0.seqRaw, '13', 'empty batch create: current head');
  // failures consume nothing
  await a.patch(docPath(C, '00000000-0000-4000-8000-000000000000'), { data: { x: 1 } });
  await a.del(docPath(C, '00000000-0000-4000-8000-000000000000'));
  await a.post(`/collections/${C}/batch/documents/create`, { documents: [{ a: 1 }, 7] });
  await a.post(`/collections/${C}/batch/documents/update`, { updates: { [c1.json.id]: { z: 1 }, '00000000-0000-4000-8000-000000000000': {} } });
  const l = await a.get(listPath(C));
  assert.equal(l.seqRaw, '13', 'list head after failures');
  // the list reflects every write up to its seq
  const ids = new Set(l.json.map((d) => d.id));
  assert.deepEqual(ids, new Set([c1.json.id, c3.json.id, bc.json[0].id]));
  assert.deepEqual(l.json.find((d) => d.id === c1.json.id).data, { n: 11 });
  assert.deepEqual(l.json.find((d) => d.id === bc.json[0].id).data, { n: 4, u: 1 });
  const c4 = await a.post(`/collections/documents?collection=${C}`, { data: { n: 7 } });
  assert.equal(c4.seqRaw, '14', 'next write continues densely');
  // seqs are per collection
  const other = await a.post('/collections/documents?collection=seqcol_other', { data: {} });
  assert.equal(other.seqRaw, '1', 'another collection starts at 1');
  // the header is a plain decimal integer
  assert.match(c4.seqRaw, /^\d+$/);
});

test('EXT-12 GET /health and GET /metrics (public)', async () => {
  const h = await a.get('/health', { noKey: true });
  expectStatus(h, 200, 'health');
  assert.match(h.headers.get('content-type') || '', /^application\/json/);
  assert.equal(h.json.status, 'ok');
  assert.equal(typeof h.json.version, 'string');
  const m = await a.get('/metrics', { noKey: true });
  expectStatus(m, 200, 'metrics');
  assert.match(m.headers.get('content-type') || '', /^text\/plain/);
  assert.match(m.text, /^cocobase_\w+/m, 'metric names prefixed cocobase_');
});

test('8g --metrics=false turns /metrics off (404)', async () => {
  const s2 = await startServer({ args: ['--metrics=false'] });
  try {
    const b = api(s2.url, s2.apiKey);
    expectError(await b.get('/metrics', { noKey: true }), 404, 'NOT_FOUND', '/metrics disabled');
    expectStatus(await b.get('/health', { noKey: true }), 200, '/health still served');
  } finally {
    await s2.cleanup();
  }
});

// Must stay last: every error response seen by this file had the 1.6 shape.
test('CONV-07 every non-2xx response seen in this file had the error body shape', () => {
  assert.deepEqual(errorShapeViolations, []);
});
