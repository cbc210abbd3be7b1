// JWT verification (PROTOCOL 1.5, 7.7; AU-13, CONV-03, CONV-04): tokens crafted with
// node:crypto against a server started with a known --jwt-secret.
//
// Every rejected token is tried on
//   - a project-class route without an API key (GET /collections/vault/documents),
//   - the user-class route GET /auth-collections/user,
// and must give 401 with code INVALID_TOKEN (or TOKEN_EXPIRED) and detail
// "Invalid token or token expired". The same token beside a valid API key on the
// project route must be ignored (CONV-03).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  startServer, stopAll, api, cli, errorShapeViolations, expectError, expectStatus, sleep,
} from './lib/server.mjs';

const SECRET = `jwt-test-secret-${crypto.randomBytes(12).toString('hex')}`;
const DETAIL = 'Invalid token or token expired';
const NOW = () => Math.floor(Date.now() / 1000);

const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
function hmac(alg, key, data) { return crypto.createHmac(alg, key).update(data).digest('base64url'); }

/** header/payload: objects (JSON-encoded) or strings (used as the raw segment text before base64url) */
function craft(header, payload, { secret = SECRET, alg = 'sha256' } = {}) {
  const signing = `${b64(header)}.${b64(payload)}`;
  return `${signing}.${hmac(alg, secret, signing)}`;
}
const HS256 = { alg: 'HS256', typ: 'JWT' };

function sqlite(dbFile, sql) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', dbFile, sql], { encoding: 'utf8' });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
  return r.stdout;
}

let srv; let A; let B; let projB;
let srvL; // --jwt-leeway-s 0 --jwt-ttl-s 1
let userA; let tokenA; let userB; let tokenB; let userX; let tokenX;
let docA; let docB;
let shortLived; // {token, at}

function base(over = {}) {
  const now = NOW();
  return { sub: userA.id, project_id: 'default', email: userA.email, roles: [], iat: now, exp: now + 3600, iss: 'cocobase', ...over };
}
function without(obj, key) { const o = { ...obj }; delete o[key]; return o; }

before(async () => {
  [srv, srvL] = await Promise.all([
    startServer({ args: ['--jwt-secret', SECRET] }),
    startServer({ args: ['--jwt-secret', SECRET, '--jwt-leeway-s', '0', '--jwt-ttl-s', '1'] }),
  ]);
  A = api(srv.url, srv.apiKey);
  const r = cli(['project', 'create', 'projb', '--data', srv.dataDir, '--json']);
  assert.equal(r.status, 0, `project create failed: ${r.stderr}`);
  projB = r.json;
  B = api(srv.url, projB.api_key);
  const L = api(srvL.url, srvL.apiKey);
  const [sa, sb, sx, sl] = await Promise.all([
    A.post('/auth-collections/signup', { email: 'jwt-a@example.com', password: 'P!w-jwt-aaaa', data: { name: 'Jay' } }),
    B.post('/auth-collections/signup', { email: 'jwt-b@example.com', password: 'P!w-jwt-bbbb' }),
    A.post('/auth-collections/signup', { email: 'jwt-x@example.com', password: 'P!w-jwt-xxxx' }),
    L.post('/auth-collections/signup', { email: 'short@example.com', password: 'P!w-jwt-llll' }),
  ]);
  for (const s of [sa, sb, sx, sl]) expectStatus(s, 201, 'signup');
  shortLived = { token: sl.json.access_token, at: Date.now(), url: srvL.url };
  [userA, tokenA] = [sa.json.user, sa.json.access_token];
  [userB, tokenB] = [sb.json.user, sb.json.access_token];
  [userX, tokenX] = [sx.json.user, sx.json.access_token];
  const da = await A.post('/collections/documents?collection=vault', { data: { owner: 'A' } });
  const db = await B.post('/collections/documents?collection=vault', { data: { owner: 'B' } });
  expectStatus(da, 201); expectStatus(db, 201);
  docA = da.json; docB = db.json;
});

after(async () => { await stopAll(); });

const tokenOnly = (t) => ({ noKey: true, headers: { authorization: `Bearer ${t}` } });

async function expectRejected(token, code, what) {
  const c = await A.get('/collections/vault/documents', tokenOnly(token));
  expectError(c, 401, code, `${what}: collections without key`);
  assert.equal(c.json.detail, DETAIL, `${what}: collections detail`);
  const u = await A.get('/auth-collections/user', tokenOnly(token));
  expectError(u, 401, code, `${what}: GET /auth-collections/user`);
  assert.equal(u.json.detail, DETAIL, `${what}: user detail`);
  // CONV-03: beside a valid API key the token is ignored
  const k = await A.get('/collections/vault/documents', { headers: { authorization: `Bearer ${token}` } });
  expectStatus(k, 200, `${what}: valid key + this token`);
  assert.deepEqual(k.json.map((d) => d.id), [docA.id], `${what}: the key's project`);
}

async function expectAccepted(token, what, { user = userA, doc = docA } = {}) {
  const c = await A.get('/collections/vault/documents', tokenOnly(token));
  expectStatus(c, 200, `${what}: collections without key`);
  assert.deepEqual(c.json.map((d) => d.id), [doc.id], `${what}: sees its project's documents only`);
  const u = await A.get('/auth-collections/user', tokenOnly(token));
  expectStatus(u, 200, `${what}: GET /auth-collections/user`);
  assert.equal(u.json.id, user.id, `${what}: the token's user`);
}

// ---------------------------------------------------------------------------

test('issued tokens are HS256 signed with --jwt-secret over base64url(header).base64url(payload)', () => {
  for (const t of [tokenA, tokenB]) {
    const [h, p, s] = t.split('.');
    assert.equal(s, hmac('sha256', SECRET, `${h}.${p}`), 'signature = HMAC-SHA256(secret, h.p)');
    assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url')), HS256);
  }
  const p = JSON.parse(Buffer.from(tokenB.split('.')[1], 'base64url'));
  assert.equal(p.project_id, 'projb');
  assert.equal(p.sub, userB.id);
});

test('a token crafted with the right secret is accepted (baseline for every rejection below)', async () => {
  await expectAccepted(craft(HS256, base()), 'crafted valid');
  await expectAccepted(tokenA, 'issued');
});

test('a valid token with extra claims and extra header members still works', async () => {
  await expectAccepted(craft({ ...HS256, kid: 'k1' }, base({ aud: 'someone', jti: 'abc', custom: { deep: [1, 2] }, roles: ['admin'], name: 'X' })), 'extra claims');
  await expectAccepted(craft({ alg: 'HS256' }, base()), 'header without typ');
});

test('AU-13 tampered payload with the old signature is rejected', async () => {
  const [h, , s] = tokenA.split('.');
  const forged = b64({ ...JSON.parse(Buffer.from(tokenA.split('.')[1], 'base64url')), roles: ['admin'] });
  await expectRejected(`${h}.${forged}.${s}`, 'INVALID_TOKEN', 'tampered payload');
  const other = b64(base({ sub: userX.id }));
  await expectRejected(`${h}.${other}.${s}`, 'INVALID_TOKEN', 'payload naming another user');
});

test('AU-13 tampered or foreign signatures are rejected', async () => {
  const [h, p, s] = tokenA.split('.');
  const bytes = Buffer.from(s, 'base64url');
  bytes[0] ^= 0x01;
  await expectRejected(`${h}.${p}.${bytes.toString('base64url')}`, 'INVALID_TOKEN', 'one bit flipped in the signature');
  await expectRejected(`${h}.${p}.${s.slice(0, 20)}`, 'INVALID_TOKEN', 'truncated signature');
  await expectRejected(`${h}.${p}.`, 'INVALID_TOKEN', 'empty signature');
  await expectRejected(craft(HS256, base(), { secret: `${SECRET}x` }), 'INVALID_TOKEN', 'signed with another secret');
  await expectRejected(craft(HS256, base(), { secret: '' }), 'INVALID_TOKEN', 'signed with the empty secret');
});

test('AU-13 alg none (with and without a signature segment) and other algorithms are rejected', async () => {
  const p = base();
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(p)}`;
  await expectRejected(`${none}.`, 'INVALID_TOKEN', 'alg none, empty signature');
  await expectRejected(none, 'INVALID_TOKEN', 'alg none, two segments');
  await expectRejected(`${none}.${hmac('sha256', SECRET, none)}`, 'INVALID_TOKEN', 'alg none with a valid HMAC');
  await expectRejected(craft({ alg: 'None', typ: 'JWT' }, p), 'INVALID_TOKEN', 'alg None, HMAC-signed');
  await expectRejected(craft({ alg: 'NONE', typ: 'JWT' }, p), 'INVALID_TOKEN', 'alg NONE, HMAC-signed');
  await expectRejected(craft({ alg: 'hs256', typ: 'JWT' }, p), 'INVALID_TOKEN', 'alg hs256 (case)');
  await expectRejected(craft({ alg: 'HS512', typ: 'JWT' }, p, { alg: 'sha512' }), 'INVALID_TOKEN', 'HS512 with the right secret');
  await expectRejected(craft({ alg: 'HS384', typ: 'JWT' }, p, { alg: 'sha384' }), 'INVALID_TOKEN', 'HS384 with the right secret');
  await expectRejected(craft({ alg: 'HS512', typ: 'JWT' }, p), 'INVALID_TOKEN', 'HS512 header, HS256 signature');
  await expectRejected(craft({ alg: 'RS256', typ: 'JWT' }, p), 'INVALID_TOKEN', 'RS256 header, HMAC signature with the secret');
  await expectRejected(craft({ alg: 'ES256', typ: 'JWT' }, p), 'INVALID_TOKEN', 'ES256 header');
  await expectRejected(craft({ typ: 'JWT' }, p), 'INVALID_TOKEN', 'no alg');
  await expectRejected(craft({ alg: ['HS256'], typ: 'JWT' }, p), 'INVALID_TOKEN', 'alg an array');
});

test('AU-13 an expired token gives 401 TOKEN_EXPIRED; within the leeway it is accepted', async () => {
  const now = NOW();
  await expectRejected(craft(HS256, base({ iat: now - 7200, exp: now - 3600 })), 'TOKEN_EXPIRED', 'exp an hour ago');
  await expectRejected(craft(HS256, base({ iat: now - 7200, exp: now - 45 })), 'TOKEN_EXPIRED', 'exp 45 s ago (leeway 30)');
  await expectRejected(craft(HS256, base({ iat: 0, exp: 1 })), 'TOKEN_EXPIRED', 'exp in 1970');
  await expectAccepted(craft(HS256, base({ iat: now - 7200, exp: now - 5 })), 'exp 5 s ago (within the 30 s leeway)');
  await expectAccepted(craft(HS256, base({ iat: now, exp: now + 1 })), 'exp in 1 s');
});

test('--jwt-leeway-s 0: a token 5 s past exp is expired', async () => {
  const L = api(srvL.url, srvL.apiKey);
  const now = NOW();
  const past = craft(HS256, base({ iat: now - 100, exp: now - 5 }));
  const r = await L.get('/collections/vault/documents', tokenOnly(past));
  expectError(r, 401, 'TOKEN_EXPIRED', 'leeway 0');
  assert.equal(r.json.detail, DETAIL);
  // the same secret: a fresh crafted token for this server's default project is accepted
  const fresh = craft(HS256, base({ iat: now, exp: now + 60 }));
  expectStatus(await L.get('/collections/vault/documents', tokenOnly(fresh)), 200, 'fresh token, leeway 0');
});

test('required claims: missing exp / sub / iss / project_id, wrong iss, empty sub are rejected', async () => {
  const p = base();
  const cases = [
    [without(p, 'exp'), 'missing exp'],
    [without(p, 'sub'), 'missing sub'],
    [base({ sub: '' }), 'empty sub'],
    [base({ sub: 42 }), 'numeric sub'],
    [without(p, 'iss'), 'missing iss'],
    [base({ iss: 'evil' }), 'wrong iss'],
    [base({ iss: 'Cocobase' }), 'iss in another case'],
    [without(p, 'project_id'), 'missing project_id'],
    [base({ project_id: '' }), 'empty project_id'],
  ];
  for (const [payload, what] of cases) await expectRejected(craft(HS256, payload), 'INVALID_TOKEN', what);
});

test('a token whose project does not exist gives 401 INVALID_TOKEN', async () => {
  await expectRejected(craft(HS256, base({ project_id: 'no-such-project' })), 'INVALID_TOKEN', 'unknown project');
  await expectRejected(craft(HS256, base({ project_id: 'DEFAULT' })), 'INVALID_TOKEN', 'project id in another case');
});

test("a valid token of project B opens B's data, never A's", async () => {
  await expectAccepted(tokenB, 'issued B token', { user: userB, doc: docB });
  expectError(await A.get(`/collections/vault/documents/${docA.id}`, tokenOnly(tokenB)), 404, 'NOT_FOUND', 'B token, A document');
  const w = await A.post('/collections/documents?collection=vault', { data: { owner: 'B via token' } }, tokenOnly(tokenB));
  expectStatus(w, 201);
  expectError(await A.get(`/collections/vault/documents/${w.json.id}`), 404, 'NOT_FOUND', 'A key does not see it');
  expectStatus(await B.get(`/collections/vault/documents/${w.json.id}`), 200, 'B key sees it');
  await B.del(`/collections/vault/documents/${w.json.id}`);
  // A's key with B's token: the key decides
  const k = await A.get('/collections/vault/documents', { headers: { authorization: `Bearer ${tokenB}` } });
  assert.deepEqual(k.json.map((d) => d.id), [docA.id]);
  // a crafted token naming project B with A's user id: project-wide access to B, but no such user in B
  const mixed = craft(HS256, base({ project_id: 'projb' }));
  const c = await A.get('/collections/vault/documents', tokenOnly(mixed));
  expectStatus(c, 200, 'token naming projb');
  assert.deepEqual(c.json.map((d) => d.id), [docB.id]);
  const u = await A.get('/auth-collections/user', tokenOnly(mixed));
  expectError(u, 401, 'INVALID_TOKEN', 'A user id under project B on the user route');
  assert.equal(u.json.detail, DETAIL);
});

test("a deleted user's token: user routes 401 INVALID_TOKEN, collections still open (7.7)", async () => {
  expectStatus(await A.get('/auth-collections/user', tokenOnly(tokenX)), 200, 'before deletion');
  const db = path.join(srv.dataDir, 'cocobase.db');
  sqlite(db, `delete from users where id='${userX.id}'`);
  assert.equal(sqlite(db, `select count(*) from users where id='${userX.id}'`).trim(), '0');
  for (const [m, body] of [['GET'], ['PATCH', { data: { a: 1 } }], ['PUT', { data: { a: 1 } }]]) {
    const r = await A.req(m, '/auth-collections/user', { ...tokenOnly(tokenX), body });
    expectError(r, 401, 'INVALID_TOKEN', `${m} user after deletion`);
    assert.equal(r.json.detail, DETAIL);
  }
  const c = await A.get('/collections/vault/documents', tokenOnly(tokenX));
  expectStatus(c, 200, 'collections only need an existing project and a non-empty sub');
  // a crafted token for a user that never existed behaves the same
  const ghost = craft(HS256, base({ sub: crypto.randomUUID() }));
  expectError(await A.get('/auth-collections/user', tokenOnly(ghost)), 401, 'INVALID_TOKEN', 'never-existing user');
  expectStatus(await A.get('/collections/vault/documents', tokenOnly(ghost)), 200, 'never-existing user on collections');
});

test('malformed tokens: wrong segment counts, non-base64, non-JSON, garbage', async () => {
  const [h, p, s] = tokenA.split('.');
  const cases = [
    ['abc.def.ghi', 'three garbage segments'],
    [`${h}.${p}`, 'two segments'],
    [`${h}.${p}.${s}.${s}`, 'four segments'],
    [`${tokenA}.`, 'trailing dot'],
    ['a.b.c.d', 'four garbage segments'],
    ['!!!.@@@.###', 'non-base64 segments'],
    [`${h}.${p}!.${s}`, 'a non-base64url character in the payload'],
    [`${h}.${p}.${s}==`, 'padded signature'],
    ['..', 'empty segments'],
    ['garbage', 'one segment'],
    [`${b64('not json')}.${p}.${hmac('sha256', SECRET, `${b64('not json')}.${p}`)}`, 'header not JSON (signed)'],
    [craft(HS256, 'not json'), 'payload not JSON (signed)'],
    [craft(HS256, [1, 2]), 'payload a JSON array (signed)'],
    [craft(HS256, '"str"'), 'payload a JSON string (signed)'],
    [`${'x'.repeat(3000)}.${'y'.repeat(3000)}.${'z'.repeat(3000)}`, '9 KB garbage'],
  ];
  for (const [t, what] of cases) await expectRejected(t, 'INVALID_TOKEN', what);
});

test('an oversized token (20 KB) gives 401 INVALID_TOKEN', async () => {
  const big = craft(HS256, base({ pad: 'p'.repeat(15000) }));
  assert.ok(big.length > 20000);
  await expectRejected(big, 'INVALID_TOKEN', '20 KB signed token');
  await expectRejected(`${'a'.repeat(10000)}.${'b'.repeat(10000)}.${'c'.repeat(43)}`, 'INVALID_TOKEN', '20 KB garbage');
});

test('an issued token expires after --jwt-ttl-s (1 s, leeway 0)', async () => {
  const L = api(shortLived.url, srvL.apiKey);
  const wait = shortLived.at + 2300 - Date.now();
  if (wait > 0) await sleep(wait);
  for (const p of ['/collections/vault/documents', '/auth-collections/user']) {
    const r = await L.get(p, tokenOnly(shortLived.token));
    expectError(r, 401, 'TOKEN_EXPIRED', `${p} with an expired issued token`);
    assert.equal(r.json.detail, DETAIL);
  }
});

test('no server crashed; every error response had the PROTOCOL 1.6 shape', async () => {
  await sleep(300); // let a pending exit event arrive
  assert.equal(srv.proc.signalCode, null, `server died: ${srv.proc.signalCode}`);
  assert.equal(srv.proc.exitCode, null);
  assert.deepEqual(errorShapeViolations, []);
});
