// App-user authentication over HTTP (PROTOCOL 1.5, 1.6, 7; checklist AU-01..AU-15,
// CONV-03, CONV-04, CONV-13).
//
// Two servers:
//  - srv:  default flags (roles from clients ignored, min password 8, ttl 30 days, generated
//          secret); project `default` plus project `projb` created with the CLI while it runs.
//  - srvR: --allow-signup-roles true --min-password-length 10 --jwt-ttl-s 3600; four users
//          with roles, used for the listing tests (filters, sort, paging).
//
// Every HTTP response of this file goes through `tapi`, which keeps its text; the last test
// checks that no password and no password hash ever appeared in a response, in the servers'
// stdout/stderr or in the change log (AU-15, PROTOCOL 7.1 / 7.8).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  startServer, stopAll, api, cli, errorShapeViolations, expectError, expectStatus, assertTimestamp, UUID4_RE, sleep,
} from './lib/server.mjs';

// ---------------------------------------------------------------------------
// helpers

const seen = []; // every response: {what, text, headers}
const PASSWORDS = new Set(); // every password this file sent (valid or not)

function pw(len = 16) {
  // unique, recognisable passwords; length exactly `len` (ASCII)
  let s = `P!w${crypto.randomBytes(16).toString('hex')}`;
  while (s.length < len) s += crypto.randomBytes(16).toString('hex');
  s = s.slice(0, len);
  PASSWORDS.add(s);
  return s;
}

// api() that records every response, so later tests can check none leaked a password.
function tapi(url, key) {
  return api(url, key, {
    onResponse: (method, p, r) => seen.push({
      what: `${method} ${url}${p} -> ${r.status}`, text: r.text, headers: [...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n'),
    }),
  });
}

const bearer = (t) => ({ headers: { authorization: `Bearer ${t}` } });
const tokenOnly = (t) => ({ noKey: true, headers: { authorization: `Bearer ${t}` } });

function b64urlJson(seg) {
  assert.match(seg, /^[A-Za-z0-9_-]+$/, `JWT segment is not unpadded base64url: ${seg}`);
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
}

/** PROTOCOL 7.7: three segments, header {alg: HS256, typ: JWT}; returns {header, payload}. */
function decodeJwt(token) {
  assert.equal(typeof token, 'string', `access_token is not a string: ${JSON.stringify(token)}`);
  const parts = token.split('.');
  assert.equal(parts.length, 3, `JWT must have three segments: ${token}`);
  const header = b64urlJson(parts[0]);
  const payload = b64urlJson(parts[1]);
  assert.match(parts[2], /^[A-Za-z0-9_-]{43}$/, 'HS256 signature is 32 bytes, unpadded base64url');
  return { header, payload };
}

/** PROTOCOL 7.1 AppUser: exact members (phone_number only when given). */
function assertAppUser(u, { email, data, roles, clientId, phone } = {}) {
  assert.ok(u && typeof u === 'object' && !Array.isArray(u), `not an AppUser: ${JSON.stringify(u)}`);
  const keys = ['client_id', 'created_at', 'data', 'email', 'id', 'roles', 'updated_at'];
  if (phone !== undefined) keys.push('phone_number');
  assert.deepEqual(Object.keys(u).sort(), keys.sort(), `AppUser members: ${JSON.stringify(u)}`);
  assert.match(u.id, UUID4_RE, 'user id is a lowercase UUID v4');
  assert.equal(typeof u.email, 'string');
  assert.ok(u.data && typeof u.data === 'object' && !Array.isArray(u.data), 'data is an object');
  assert.ok(Array.isArray(u.roles) && u.roles.every((r) => typeof r === 'string'), 'roles is an array of strings');
  assert.equal(typeof u.client_id, 'string');
  assertTimestamp(u.created_at, 'user created_at');
  assertTimestamp(u.updated_at, 'user updated_at');
  assert.ok(u.updated_at >= u.created_at, 'updated_at >= created_at');
  if (email !== undefined) assert.equal(u.email, email);
  if (data !== undefined) assert.deepEqual(u.data, data);
  if (roles !== undefined) assert.deepEqual(u.roles, roles);
  if (clientId !== undefined) assert.equal(u.client_id, clientId);
  if (phone !== undefined) assert.equal(u.phone_number, phone);
}

/** 201/200 {access_token, token_type: "bearer", user} */
function assertAuthBody(res, status, what) {
  expectStatus(res, status, what);
  assert.match(res.headers.get('content-type') || '', /^application\/json\b/i, `${what}: content-type`);
  assert.deepEqual(Object.keys(res.json).sort(), ['access_token', 'token_type', 'user'], `${what}: members ${res.text}`);
  assert.equal(res.json.token_type, 'bearer', `${what}: token_type`);
  assert.equal(typeof res.json.access_token, 'string');
  assert.ok(!('requires_2fa' in res.json), 'no requires_2fa member');
  decodeJwt(res.json.access_token);
}

/** 422 VALIDATION_ERROR whose errors name body.<field> */
function expect422(res, field, what) {
  expectError(res, 422, 'VALIDATION_ERROR', what);
  assert.ok(res.json.errors.some((e) => e.loc[0] === 'body' && e.loc[1] === field),
    `${what}: errors should name ["body", "${field}"]: ${JSON.stringify(res.json.errors)}`);
}

const TOKEN_DETAIL = 'Invalid token or token expired';
function expectAuthError(res, status, code, detail, what) {
  expectError(res, status, code, what);
  assert.equal(res.json.detail, detail, `${what}: detail`);
}

function sqlite(dbFile, sql) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', dbFile, sql], { encoding: 'utf8' });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
  return r.stdout;
}

const ids = (list) => list.map((u) => u.id);
const NOW = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------
// setup

let srv; let A; // default project
let projB; let B; // project projb on the same server
let srvR; let R; // --allow-signup-roles server
const U = {}; // name -> {res, body, password, user, token}
const RU = {}; // srvR users u1..u4

before(async () => {
  [srv, srvR] = await Promise.all([
    startServer(),
    startServer({ args: ['--allow-signup-roles', 'true', '--min-password-length', '10', '--jwt-ttl-s', '3600'] }),
  ]);
  A = tapi(srv.url, srv.apiKey);
  R = tapi(srvR.url, srvR.apiKey);
  const r = cli(['project', 'create', 'projb', '--data', srv.dataDir, '--json']);
  assert.equal(r.status, 0, `project create failed: ${r.stderr}`);
  projB = r.json;
  B = tapi(srv.url, projB.api_key);

  const signups = {
    alice: { body: { email: 'Alice.Smith@Example.COM', password: pw(20), data: { name: 'Alice', age: 30 } } },
    // exactly 8 characters (the default minimum), client roles (ignored), phone, a garbage token
    // on a key-class route (ignored), name claim from data.username
    bob: {
      body: { email: 'bob@example.com', password: pw(8), data: { username: 'bobby' }, roles: ['admin'], phone_number: '+15550100' },
      opts: bearer('not.a.token'),
    },
    // docs form: top-level extras go into data unless data has them
    carol: { body: { email: 'carol@example.com', password: pw(), name: 'Top', age: 41, data: { name: 'Carol' } } },
    dave: { body: { email: 'dave@example.com', password: pw(), city: 'Oslo', tags: ['x'] } },
  };
  await Promise.all(Object.entries(signups).map(async ([name, s]) => {
    const res = await A.post('/auth-collections/signup', s.body, s.opts);
    U[name] = { res, body: s.body, password: s.body.password, user: res.json?.user, token: res.json?.access_token };
  }));

  // srvR: sequential, so created_at order is u1 < u2 < u3 < u4
  const rs = [
    ['u1', { email: 'u1@r.io', password: pw(10), roles: ['admin'], data: { name: 'Uno', age: 40, team: 'red' } }],
    ['u2', { email: 'u2@r.io', password: pw(10), roles: ['editor', 'admin'], data: { name: 'Dos', age: 25, team: 'blue' } }],
    ['u3', { email: 'u3@r.io', password: pw(1024), roles: [], data: { name: 'Tres', team: 'red' } }], // 1024 bytes: the maximum
    ['u4', { email: 'u4@r.io', password: pw(12), roles: ['editor'], data: { name: 'Cuatro', age: 33 } }],
  ];
  for (const [name, body] of rs) {
    if (name === 'u4') body.data.friend_id = RU.u1.user?.id;
    const res = await R.post('/auth-collections/signup', body);
    RU[name] = { res, body, password: body.password, user: res.json?.user, token: res.json?.access_token };
    await sleep(3);
  }
});

after(async () => { await stopAll(); });

// ---------------------------------------------------------------------------
// signup

test('AU-01 signup gives 201 {access_token, token_type: "bearer", user} with a full AppUser', () => {
  const { alice, bob } = U;
  assertAuthBody(alice.res, 201, 'signup alice');
  assertAppUser(alice.user, { email: 'alice.smith@example.com', data: { name: 'Alice', age: 30 }, roles: [], clientId: 'default' });
  assert.equal(alice.user.created_at, alice.user.updated_at, 'a new user has updated_at == created_at');
  assert.equal(alice.user.phone_number, undefined, 'no phone_number when none was given');
  assertAuthBody(bob.res, 201, 'signup bob (8-character password, garbage Bearer on a key route)');
  assertAppUser(bob.user, { email: 'bob@example.com', data: { username: 'bobby' }, clientId: 'default', phone: '+15550100' });
  assert.notEqual(alice.user.id, bob.user.id);
});

test('AU-02 extra top-level signup members are stored in data (data wins on a clash)', async () => {
  const { carol, dave } = U;
  assertAuthBody(carol.res, 201, 'signup carol');
  assertAppUser(carol.user, { email: 'carol@example.com', data: { name: 'Carol', age: 41 }, roles: [] });
  assertAuthBody(dave.res, 201, 'signup dave');
  assertAppUser(dave.user, { email: 'dave@example.com', data: { city: 'Oslo', tags: ['x'] }, roles: [] });
  for (const u of [carol, dave]) {
    const g = await A.get(`/auth-collections/users/${u.user.id}`);
    expectStatus(g, 200, 'users/{id}');
    assert.deepEqual(g.json, u.user, 'stored user equals the signup response');
  }
});

test('AU-12 the token is an HS256 JWT with sub, project_id, email, roles, name, iat, exp = iat + ttl, iss', () => {
  for (const name of ['alice', 'bob', 'carol', 'dave']) {
    const { header, payload } = decodeJwt(U[name].token);
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' }, `${name}: header`);
    assert.equal(payload.sub, U[name].user.id, `${name}: sub`);
    assert.equal(payload.project_id, 'default', `${name}: project_id`);
    assert.equal(payload.email, U[name].user.email, `${name}: email claim (lowercased)`);
    assert.deepEqual(payload.roles, [], `${name}: roles claim`);
    assert.ok(Number.isInteger(payload.iat), `${name}: iat integer seconds: ${payload.iat}`);
    assert.ok(Math.abs(payload.iat - NOW()) < 120, `${name}: iat is now (Unix seconds): ${payload.iat}`);
    assert.ok(Number.isInteger(payload.exp), `${name}: exp integer`);
    assert.equal(payload.exp, payload.iat + 2592000, `${name}: exp = iat + 2592000 (default --jwt-ttl-s)`);
    assert.equal(payload.iss, 'cocobase', `${name}: iss`);
  }
  assert.equal(decodeJwt(U.alice.token).payload.name, 'Alice', 'name from data.name');
  assert.equal(decodeJwt(U.bob.token).payload.name, 'bobby', 'name from data.username when there is no data.name');
  assert.equal(decodeJwt(U.carol.token).payload.name, 'Carol');
  assert.ok(!('name' in decodeJwt(U.dave.token).payload), 'no name claim without data.name/username');
  // --jwt-ttl-s 3600 on srvR; roles honoured there
  const { payload } = decodeJwt(RU.u2.token);
  assert.equal(payload.exp, payload.iat + 3600, 'exp = iat + --jwt-ttl-s');
  assert.deepEqual(payload.roles, ['editor', 'admin'], 'roles claim with --allow-signup-roles');
  assert.equal(payload.name, 'Dos');
});

test('AU-14 client roles are ignored without --allow-signup-roles', async () => {
  const { bob } = U;
  assert.deepEqual(bob.user.roles, [], 'roles in the signup response');
  assert.deepEqual(decodeJwt(bob.token).payload.roles, [], 'roles claim');
  const g = await A.get(`/auth-collections/users/${bob.user.id}`);
  expectStatus(g, 200);
  assert.deepEqual(g.json.roles, []);
  const me = await A.get('/auth-collections/user', tokenOnly(bob.token));
  expectStatus(me, 200);
  assert.deepEqual(me.json.roles, []);
});

test('AU-14 with --allow-signup-roles the client roles are stored', async () => {
  for (const [name, roles] of [['u1', ['admin']], ['u2', ['editor', 'admin']], ['u3', []], ['u4', ['editor']]]) {
    assertAuthBody(RU[name].res, 201, `srvR signup ${name}`);
    assertAppUser(RU[name].user, { email: `${name}@r.io`, roles, data: RU[name].body.data });
    const g = await R.get(`/auth-collections/users/${RU[name].user.id}`);
    expectStatus(g, 200);
    assert.deepEqual(g.json, RU[name].user);
  }
});

test('AU-03 a duplicate email in another letter case gives 409 ALREADY_EXISTS', async () => {
  const r = await A.post('/auth-collections/signup', { email: 'ALICE.SMITH@example.com', password: pw() });
  expectAuthError(r, 409, 'ALREADY_EXISTS', 'Email already registered', 'duplicate signup');
  // alice is unchanged and still logs in
  const li = await A.post('/auth-collections/login', { email: 'alice.smith@example.com', password: U.alice.password });
  assertAuthBody(li, 200, 'alice still logs in');
  assert.deepEqual(li.json.user, U.alice.user);
});

test('AU-04 invalid signups give 422 VALIDATION_ERROR with errors [{loc, msg, type}] and create nobody', async () => {
  const ok = () => ({ email: `v${crypto.randomBytes(4).toString('hex')}@example.com`, password: pw() });
  const cases = [
    ['password', { ...ok(), password: pw(7) }, 'password of 7 characters'],
    ['password', { ...ok(), password: 'ééééééé' }, '7 characters (14 bytes)'],
    ['password', { ...ok(), password: pw(1025) }, 'password over 1024 bytes'],
    ['password', { ...ok(), password: 12345678 }, 'non-string password'],
    ['password', { email: ok().email }, 'missing password'],
    ['email', { ...ok(), email: 'no-at-sign.example.com' }, 'email without @'],
    ['email', { ...ok(), email: 'a@nodot' }, 'email without a dot in the domain'],
    ['email', { ...ok(), email: 'a b@example.com' }, 'email with a space'],
    ['email', { ...ok(), email: '@example.com' }, 'empty local part'],
    ['email', { ...ok(), email: 'a@b@example.com' }, 'two @'],
    ['email', { ...ok(), email: 42 }, 'non-string email'],
    ['email', { password: pw() }, 'missing email'],
    ['data', { ...ok(), data: 5 }, 'data a number'],
    ['data', { ...ok(), data: ['a'] }, 'data an array'],
    ['data', { ...ok(), data: 'x' }, 'data a string'],
    ['roles', { ...ok(), roles: 'admin' }, 'roles not an array'],
    ['roles', { ...ok(), roles: [1] }, 'roles with a non-string'],
    ['phone_number', { ...ok(), phone_number: 15550100 }, 'non-string phone_number'],
  ];
  for (const [field, body, what] of cases) {
    expect422(await A.post('/auth-collections/signup', body), field, what);
  }
  // nobody was created: the rejected bodies with a usable email and password do not log in
  for (const [field, body] of cases) {
    if (field === 'email' || field === 'password') continue;
    expectError(await A.post('/auth-collections/login', { email: body.email, password: body.password }), 401, 'INVALID_CREDENTIALS',
      `rejected signup (${field}) created no user`);
  }
  // several problems are all reported
  const multi = await A.post('/auth-collections/signup', { email: 'bad', password: 'x', data: 1 });
  expect422(multi, 'email', 'multi');
  expect422(multi, 'password', 'multi');
  expect422(multi, 'data', 'multi');
  // wrong body shapes
  expectError(await A.post('/auth-collections/signup', ['a']), 422, 'VALIDATION_ERROR', 'array body');
  expectError(await A.req('POST', '/auth-collections/signup', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } }),
    400, 'INVALID_JSON', 'not JSON');
  expectError(await A.req('POST', '/auth-collections/signup'), 422, 'VALIDATION_ERROR', 'no body');
});

test('--min-password-length is honoured (10 on srvR: 9 characters give 422, 10 pass)', async () => {
  expect422(await R.post('/auth-collections/signup', { email: 'short@r.io', password: pw(9) }), 'password', '9 < 10');
  assertAuthBody(RU.u1.res, 201, 'a 10-character password');
  assertAuthBody(RU.u3.res, 201, 'a 1024-byte password');
});

// ---------------------------------------------------------------------------
// login

test('AU-05 login gives 200 with the signup body shape; email compared lowercased', async () => {
  const { alice } = U;
  const r = await A.post('/auth-collections/login', { email: 'ALICE.smith@EXAMPLE.com', password: alice.password });
  assertAuthBody(r, 200, 'login');
  assert.deepEqual(r.json.user, alice.user, 'login user equals the stored user');
  const { payload } = decodeJwt(r.json.access_token);
  assert.equal(payload.sub, alice.user.id);
  assert.equal(payload.exp, payload.iat + 2592000);
  const me = await A.get('/auth-collections/user', tokenOnly(r.json.access_token));
  expectStatus(me, 200, 'the login token opens GET /auth-collections/user');
  assert.equal(me.json.id, alice.user.id);
  // an 8-character password (the boundary) and a 1024-byte one log in
  assertAuthBody(await A.post('/auth-collections/login', { email: 'bob@example.com', password: U.bob.password }), 200, 'login bob');
  const r3 = await R.post('/auth-collections/login', { email: 'u3@r.io', password: RU.u3.password });
  assertAuthBody(r3, 200, 'login with a 1024-byte password');
  assert.deepEqual(r3.json.user, RU.u3.user);
});

test('AU-05 wrong password and unknown email both give the same 401 INVALID_CREDENTIALS', async () => {
  const wrong = await A.post('/auth-collections/login', { email: 'alice.smith@example.com', password: pw() });
  expectAuthError(wrong, 401, 'INVALID_CREDENTIALS', 'Invalid email or password', 'wrong password');
  const unknown = await A.post('/auth-collections/login', { email: 'nobody@example.com', password: pw() });
  expectAuthError(unknown, 401, 'INVALID_CREDENTIALS', 'Invalid email or password', 'unknown email');
  assert.equal(unknown.text, wrong.text, 'identical bodies (no account enumeration)');
  // a user of another project does not log in with this project's key
  const otherProject = await A.post('/auth-collections/login', { email: 'u1@r.io', password: RU.u1.password });
  expectError(otherProject, 401, 'INVALID_CREDENTIALS', 'user of another server');
});

test('AU-05 login with missing or non-string members gives 422', async () => {
  expect422(await A.post('/auth-collections/login', { email: 'alice.smith@example.com' }), 'password', 'no password');
  expect422(await A.post('/auth-collections/login', { password: 'whatever1' }), 'email', 'no email');
  expect422(await A.post('/auth-collections/login', { email: 5, password: 'whatever1' }), 'email', 'numeric email');
  expect422(await A.post('/auth-collections/login', { email: 'alice.smith@example.com', password: ['x'] }), 'password', 'array password');
});

// ---------------------------------------------------------------------------
// credentials per route class

test('AU-11 signup and login need an API key (a token does not help): 401 AUTH_REQUIRED "API key required"', async () => {
  const body = { email: 'nokey@example.com', password: pw() };
  for (const [p, b] of [['/auth-collections/signup', body], ['/auth-collections/login', { email: 'alice.smith@example.com', password: U.alice.password }]]) {
    expectAuthError(await A.post(p, b, { noKey: true }), 401, 'AUTH_REQUIRED', 'API key required', `${p} without credentials`);
    expectAuthError(await A.post(p, b, tokenOnly(U.alice.token)), 401, 'AUTH_REQUIRED', 'API key required', `${p} with only a token`);
    expectAuthError(await A.post(p, b, { key: 'cb_unknownunknownunknownunknownunknown1234' }), 401, 'INVALID_API_KEY', 'Invalid API key', `${p} unknown key`);
  }
  // the key class ignores Authorization: bob signed up with a garbage Bearer token
  assert.equal(U.bob.res.status, 201, 'signup with a valid key and a garbage token succeeds');
});

test('AU-11 user listing with only a token gives 403 FORBIDDEN; without credentials 401', async () => {
  for (const p of ['/auth-collections/users', `/auth-collections/users/${U.alice.user.id}`]) {
    expectAuthError(await A.get(p, tokenOnly(U.alice.token)), 403, 'FORBIDDEN', 'API key required', `${p} token only`);
    expectAuthError(await A.get(p, { noKey: true }), 401, 'AUTH_REQUIRED', 'API key required', `${p} nothing`);
    expectAuthError(await A.get(p, { key: 'cb_nope' }), 401, 'INVALID_API_KEY', 'Invalid API key', `${p} unknown key`);
    // (filtered to one user: the auth class is under test here, the listing itself below)
    const q = p.endsWith('/users') ? `${p}?email=${encodeURIComponent(U.alice.user.email)}` : p;
    expectStatus(await A.get(q, bearer('garbage.garbage.garbage')), 200, `${q} valid key + garbage token`);
  }
});

test('AU-06 GET /auth-collections/user returns the AppUser; scheme case-insensitive; x-api-key ignored', async () => {
  const { carol } = U;
  const r = await A.get('/auth-collections/user', tokenOnly(carol.token));
  expectStatus(r, 200, 'GET user');
  assertAppUser(r.json, { email: 'carol@example.com', clientId: 'default' });
  assert.deepEqual(r.json, carol.user);
  for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
    const s = await A.get('/auth-collections/user', { noKey: true, headers: { authorization: `${scheme} ${carol.token}` } });
    expectStatus(s, 200, `scheme ${scheme}`);
    assert.equal(s.json.id, carol.user.id);
  }
  const withBadKey = await A.get('/auth-collections/user', { key: 'cb_definitelynotakey', headers: { authorization: `Bearer ${carol.token}` } });
  expectStatus(withBadKey, 200, 'an invalid x-api-key is ignored on the user class');
  assert.equal(withBadKey.json.id, carol.user.id);
  // with a key but no token: the key is ignored, so there is no credential at all
  expectAuthError(await A.get('/auth-collections/user'), 401, 'AUTH_REQUIRED', 'Authentication required', 'key only');
  expectAuthError(await A.get('/auth-collections/user', tokenOnly('garbage')), 401, 'INVALID_TOKEN', TOKEN_DETAIL, 'garbage token');
  expectAuthError(await A.get('/auth-collections/user', bearer('garbage')), 401, 'INVALID_TOKEN', TOKEN_DETAIL, 'garbage token + valid key');
});

// ---------------------------------------------------------------------------
// updates (dave)

test('AU-07 PATCH /auth-collections/user merges data shallowly and sets updated_at', async () => {
  const { dave } = U;
  await sleep(5);
  const r = await A.patch('/auth-collections/user', { data: { bio: 'Dev', tags: null, nested: { a: 1 } } }, tokenOnly(dave.token));
  expectStatus(r, 200, 'PATCH user');
  assertAppUser(r.json, { email: 'dave@example.com', data: { city: 'Oslo', tags: null, bio: 'Dev', nested: { a: 1 } }, roles: [] });
  assert.equal(r.json.id, dave.user.id);
  assert.equal(r.json.created_at, dave.user.created_at, 'created_at kept');
  assert.ok(r.json.updated_at > dave.user.updated_at, 'updated_at advances');
  const g = await A.get('/auth-collections/user', tokenOnly(dave.token));
  assert.deepEqual(g.json, r.json, 'GET returns the updated user');
  // nested objects are replaced whole; the SDK form (already merged object) gives the same result
  const r2 = await A.patch('/auth-collections/user', { data: { ...r.json.data, nested: { b: 2 } } }, tokenOnly(dave.token));
  expectStatus(r2, 200);
  assert.deepEqual(r2.json.data, { city: 'Oslo', tags: null, bio: 'Dev', nested: { b: 2 } });
  // docs form: other top-level members are merged into data
  const r3 = await A.patch('/auth-collections/user', { mood: 'happy' }, tokenOnly(dave.token));
  expectStatus(r3, 200);
  assert.deepEqual(r3.json.data, { city: 'Oslo', tags: null, bio: 'Dev', nested: { b: 2 }, mood: 'happy' });
  // null counts as absent
  await sleep(5);
  const r4 = await A.patch('/auth-collections/user', { data: null, email: null, password: null }, tokenOnly(dave.token));
  expectStatus(r4, 200, 'all-null PATCH');
  assert.deepEqual(r4.json.data, r3.json.data);
  assert.equal(r4.json.email, 'dave@example.com');
  assert.ok(r4.json.updated_at > r3.json.updated_at, 'updated_at set to now even for an empty change');
  const stored = await A.get(`/auth-collections/users/${dave.user.id}`);
  assert.deepEqual(stored.json, r4.json);
});

test('AU-07 PATCH validation: bad data / email / password give 422 and change nothing', async () => {
  const { dave } = U;
  const beforeRes = await A.get('/auth-collections/user', tokenOnly(dave.token));
  expect422(await A.patch('/auth-collections/user', { data: 5 }, tokenOnly(dave.token)), 'data', 'data 5');
  expect422(await A.patch('/auth-collections/user', { email: 'not-an-email' }, tokenOnly(dave.token)), 'email', 'bad email');
  expect422(await A.patch('/auth-collections/user', { email: 7 }, tokenOnly(dave.token)), 'email', 'numeric email');
  expect422(await A.patch('/auth-collections/user', { password: pw(5) }, tokenOnly(dave.token)), 'password', 'short password');
  expect422(await A.patch('/auth-collections/user', { password: pw(5), data: { x: 1 } }, tokenOnly(dave.token)), 'password', 'short password with data');
  const afterRes = await A.get('/auth-collections/user', tokenOnly(dave.token));
  assert.deepEqual(afterRes.json, beforeRes.json, 'nothing changed');
  expectAuthError(await A.patch('/auth-collections/user', { data: { x: 1 } }, { noKey: true }), 401, 'AUTH_REQUIRED', 'Authentication required', 'PATCH without token');
  expectAuthError(await A.patch('/auth-collections/user', { data: { x: 1 } }), 401, 'AUTH_REQUIRED', 'Authentication required', 'PATCH with only a key');
});

test('AU-07 email change: lowercased, 409 when taken by another user, own email allowed, login by the new email', async () => {
  const { dave } = U;
  const r = await A.patch('/auth-collections/user', { email: 'Dave.New@Example.COM' }, tokenOnly(dave.token));
  expectStatus(r, 200, 'email change');
  assert.equal(r.json.email, 'dave.new@example.com');
  expectAuthError(await A.patch('/auth-collections/user', { email: 'BOB@example.com' }, tokenOnly(dave.token)),
    409, 'ALREADY_EXISTS', 'Email already registered', 'email taken');
  expectAuthError(await A.put('/auth-collections/user', { email: 'carol@example.com' }, tokenOnly(dave.token)),
    409, 'ALREADY_EXISTS', 'Email already registered', 'email taken via PUT');
  const same = await A.patch('/auth-collections/user', { email: 'DAVE.NEW@example.com' }, tokenOnly(dave.token));
  expectStatus(same, 200, 'own email in another case');
  assert.equal(same.json.email, 'dave.new@example.com');
  // an email used in another project is not taken here
  const g = await A.get(`/auth-collections/users/${dave.user.id}`);
  assert.equal(g.json.email, 'dave.new@example.com');
  expectError(await A.post('/auth-collections/login', { email: 'dave@example.com', password: dave.password }), 401, 'INVALID_CREDENTIALS', 'old email');
  const li = await A.post('/auth-collections/login', { email: 'dave.new@example.com', password: dave.password });
  assertAuthBody(li, 200, 'login with the new email');
  assert.equal(decodeJwt(li.json.access_token).payload.email, 'dave.new@example.com', 'new tokens carry the new email');
});

test('AU-07 password change: old password refused, new accepted, earlier tokens stay valid', async () => {
  const { dave } = U;
  const newPw = pw(24);
  const r = await A.patch('/auth-collections/user', { password: newPw }, tokenOnly(dave.token));
  expectStatus(r, 200, 'password change');
  assertAppUser(r.json, { email: 'dave.new@example.com' });
  expectError(await A.post('/auth-collections/login', { email: 'dave.new@example.com', password: dave.password }), 401, 'INVALID_CREDENTIALS', 'old password');
  assertAuthBody(await A.post('/auth-collections/login', { email: 'dave.new@example.com', password: newPw }), 200, 'new password');
  expectStatus(await A.get('/auth-collections/user', tokenOnly(dave.token)), 200, 'the signup token is still valid');
  dave.password = newPw;
});

test('AU-08 PUT /auth-collections/user behaves like PATCH', async () => {
  const { dave } = U;
  const before = (await A.get('/auth-collections/user', tokenOnly(dave.token))).json;
  await sleep(5);
  const r = await A.put('/auth-collections/user', { data: { level: 3, city: 'Bergen' }, extra: true }, tokenOnly(dave.token));
  expectStatus(r, 200, 'PUT user');
  assert.deepEqual(r.json.data, { ...before.data, city: 'Bergen', level: 3, extra: true }, 'merged, not replaced');
  assert.equal(r.json.created_at, before.created_at);
  assert.ok(r.json.updated_at > before.updated_at);
  expect422(await A.put('/auth-collections/user', { data: [] }, tokenOnly(dave.token)), 'data', 'PUT data array');
});

test('wrong methods on auth routes give 405 with Allow', async () => {
  for (const [m, p] of [['DELETE', '/auth-collections/user'], ['POST', '/auth-collections/user'], ['GET', '/auth-collections/signup'],
    ['GET', '/auth-collections/login'], ['POST', '/auth-collections/users'], ['DELETE', `/auth-collections/users/${U.alice.user.id}`]]) {
    const r = await A.req(m, p, tokenOnly(U.alice.token));
    expectError(r, 405, 'METHOD_NOT_ALLOWED', `${m} ${p}`);
    assert.ok(r.headers.get('allow'), `${m} ${p}: Allow header`);
  }
});

// ---------------------------------------------------------------------------
// users/{id}

test('AU-10 GET /auth-collections/users/{id} returns the AppUser; unknown id 404 NOT_FOUND', async () => {
  const r = await A.get(`/auth-collections/users/${U.alice.user.id}`);
  expectStatus(r, 200);
  assert.deepEqual(r.json, U.alice.user);
  const bob = await A.get(`/auth-collections/users/${U.bob.user.id}`);
  assertAppUser(bob.json, { phone: '+15550100' });
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', RU.u1.user.id]) {
    expectAuthError(await A.get(`/auth-collections/users/${id}`), 404, 'NOT_FOUND', 'User not found', `users/${id}`);
  }
});

// ---------------------------------------------------------------------------
// listing (srvR)

/** GET on srvR; a dropped connection is reported with the server's fate */
async function rget(p) {
  try {
    return await R.get(p);
  } catch (e) {
    await sleep(200);
    assert.fail(`GET ${p} failed (${e.cause?.message || e.message}); server signal=${srvR.proc.signalCode} exit=${srvR.proc.exitCode}`);
  }
}

async function list(query, what) {
  const r = await rget(`/auth-collections/users${query ? `?${query}` : ''}`);
  expectStatus(r, 200, `list ${query} ${what || ''}`);
  assert.deepEqual(Object.keys(r.json).sort(), ['data', 'has_more', 'limit', 'offset', 'total'], `envelope: ${r.text.slice(0, 200)}`);
  assert.ok(Array.isArray(r.json.data));
  for (const u of r.json.data) assertAppUser(u);
  assert.equal(r.json.has_more, r.json.offset + r.json.data.length < r.json.total, 'has_more = offset + len(data) < total');
  return r.json;
}

test('AU-09 user listing: envelope {data,total,limit,offset,has_more}, newest first by default', async () => {
  const l = await list('');
  assert.equal(l.total, 4);
  assert.equal(l.limit, 100);
  assert.equal(l.offset, 0);
  assert.equal(l.has_more, false);
  assert.deepEqual(ids(l.data), ids([RU.u4.user, RU.u3.user, RU.u2.user, RU.u1.user]));
  assert.deepEqual(l.data, [RU.u4.user, RU.u3.user, RU.u2.user, RU.u1.user], 'listed users equal the stored users');
  // the JS SDK's query form
  const sdk = await list('limit=100&offset=0');
  assert.equal(sdk.total, 4);
});

test('AU-09 user listing honours filters (roles membership, record fields, data fields, OR groups)', async () => {
  const { u1, u2, u3, u4 } = Object.fromEntries(Object.entries(RU).map(([k, v]) => [k, v.user]));
  const cases = [
    ['roles=admin', [u2, u1]],
    ['roles=editor', [u4, u2]],
    ['roles_ne=admin', [u4, u3]],
    ['roles_in=editor,nobody', [u4, u2]],
    ['team=red', [u3, u1]],
    ['age_gte=30', [u4, u1]],
    ['age_isnull=true', [u3]],
    ['email=u2%40r.io', [u2]],
    ['email_startswith=u1', [u1]],
    [`id=${u3.id}`, [u3]],
    [`created_at_gt=${encodeURIComponent(u2.created_at)}`, [u4, u3]],
    ['name_contains=TRE', [u3]],
    ['%5Bor%5Dteam=blue&%5Bor%5Dage_gt=35', [u2, u1]],
    ['roles=admin&team=red', [u1]],
    ['roles=nobody', []],
  ];
  for (const [q, want] of cases) {
    const l = await list(q);
    assert.deepEqual(ids(l.data), ids(want), `filter ${q}`);
    assert.equal(l.total, want.length, `total for ${q}`);
  }
});

test('AU-09 user listing: sort/order (and aliases), paging, limit clamping, errors', async () => {
  const { u1, u2, u3, u4 } = Object.fromEntries(Object.entries(RU).map(([k, v]) => [k, v.user]));
  const sorts = [
    ['sort=age&order=asc', [u2, u4, u1, u3]], // missing last
    ['sort=age', [u1, u4, u2, u3]], // desc default, missing still last
    ['sort=email&order=ASC', [u1, u2, u3, u4]],
    ['sort_by=name&sort_order=asc', [u4, u2, u3, u1]],
    ['sort=created_at&order=asc', [u1, u2, u3, u4]],
    ['order=asc', [u1, u2, u3, u4]],
  ];
  for (const [q, want] of sorts) assert.deepEqual(ids((await list(q)).data), ids(want), `sort ${q}`);

  let l = await list('limit=2&offset=1');
  assert.deepEqual(ids(l.data), ids([u3, u2]));
  assert.deepEqual([l.total, l.limit, l.offset, l.has_more], [4, 2, 1, true]);
  l = await list('limit=2&offset=2');
  assert.deepEqual(ids(l.data), ids([u2, u1]));
  assert.deepEqual([l.total, l.limit, l.offset, l.has_more], [4, 2, 2, false]);
  l = await list('offset=9');
  assert.deepEqual([l.data.length, l.total, l.has_more], [0, 4, false]);
  l = await list('limit=0');
  assert.deepEqual([l.data.length, l.total, l.has_more], [0, 4, true]);
  l = await list('limit=5000');
  assert.equal(l.limit, 1000, 'limit above the maximum is clamped');
  l = await list('roles=admin&limit=1');
  assert.deepEqual([ids(l.data), l.total, l.has_more], [[u2.id], 2, true]);

  expectError(await R.get('/auth-collections/users?limit=-1'), 400, 'INVALID_QUERY', 'limit=-1');
  expectError(await R.get('/auth-collections/users?offset=x'), 400, 'INVALID_QUERY', 'offset=x');
  expectError(await R.get('/auth-collections/users?order=sideways'), 400, 'INVALID_QUERY', 'bad order');
  expectError(await R.get('/auth-collections/users?sort='), 400, 'INVALID_SORT_FIELD', 'empty sort');
  expectError(await R.get('/auth-collections/users?age_isnull=maybe'), 400, 'INVALID_QUERY', 'bad isnull operand');
});

test('AU-09 select acts on the user data; metadata stays', async () => {
  const l = await list('select=name&sort=email&order=asc');
  assert.deepEqual(l.data.map((u) => u.data), [{ name: 'Uno' }, { name: 'Dos' }, { name: 'Tres' }, { name: 'Cuatro' }]);
  assert.deepEqual(l.data.map((u) => u.email), ['u1@r.io', 'u2@r.io', 'u3@r.io', 'u4@r.io']);
  assert.deepEqual(l.data[1].roles, ['editor', 'admin']);
  const l2 = await list('select=age,team&sort=email&order=asc');
  assert.deepEqual(l2.data.map((u) => u.data), [{ age: 40, team: 'red' }, { age: 25, team: 'blue' }, { team: 'red' }, { age: 33 }]);
});

test('AU-09 populate acts on the user data (7.5 / 4.10): friend_id resolves to the user', async () => {
  const { u1, u4 } = Object.fromEntries(Object.entries(RU).map(([k, v]) => [k, v.user]));
  const r = await rget(`/auth-collections/users?populate=friend&id=${u4.id}`);
  expectStatus(r, 200, 'populate on the user listing');
  const got = r.json.data[0];
  assert.equal(got.data.friend_id, u1.id, 'the reference is kept');
  // A populated user is private (docs/auth.md, issue 12): the listing runs as the API key, so
  // only the user's id and creation time, not the {id, email, roles, ...data} of PROTOCOL 4.10.
  assert.deepEqual(got.data.friend, { id: u1.id, created_at: u1.created_at });
});

// ---------------------------------------------------------------------------
// tokens on collections

test('CONV-04 a user token alone opens every /collections route of its project; an invalid one gets 401', async () => {
  const t = tokenOnly(U.alice.token);
  const c = await A.post('/collections/documents?collection=notes', { data: { t: 1, by: 'token' } }, t);
  expectStatus(c, 201, 'create with token only');
  const viaKey = await A.get(`/collections/notes/documents/${c.json.id}`);
  expectStatus(viaKey, 200, 'the document is in the key project');
  assert.deepEqual(viaKey.json, c.json);
  const l = await A.get('/collections/notes/documents', t);
  expectStatus(l, 200, 'list with token');
  assert.deepEqual(ids(l.json), [c.json.id]);
  expectStatus(await A.patch(`/collections/notes/documents/${c.json.id}`, { data: { t: 2 } }, t), 200, 'patch with token');
  const cnt = await A.get('/collections/notes/query/documents/count', t);
  expectStatus(cnt, 200);
  assert.deepEqual(cnt.json, { count: 1 });
  expectStatus(await A.post('/collections/notes/batch/documents/create', { documents: [{ t: 3 }] }, t), 201, 'batch with token');
  expectStatus(await A.get('/collections', t), 200, 'list collections with token');
  expectStatus(await A.get('/realtime/rooms', t), 200, 'GET /realtime/rooms with token');
  expectStatus(await A.del(`/collections/notes/documents/${c.json.id}`, t), 200, 'delete with token');
  expectAuthError(await A.get('/collections/notes/documents', tokenOnly('garbage')), 401, 'INVALID_TOKEN', TOKEN_DETAIL, 'garbage token');
  expectAuthError(await A.get('/collections/notes/documents', tokenOnly(`${U.alice.token}x`)), 401, 'INVALID_TOKEN', TOKEN_DETAIL, 'altered token');
  // a token of another server (other secret) is invalid here
  expectAuthError(await A.get('/collections/notes/documents', tokenOnly(RU.u1.token)), 401, 'INVALID_TOKEN', TOKEN_DETAIL, 'foreign server token');
});

test('CONV-03 with a valid API key the Authorization header is ignored (garbage or foreign token)', async () => {
  const d = await A.post('/collections/documents?collection=conv03', { data: { k: 1 } });
  expectStatus(d, 201);
  for (const auth of ['Bearer garbage', 'Bearer a.b.c', `Bearer ${RU.u1.token}`, 'Basic dXNlcjpwYXNz', 'Bearer']) {
    const r = await A.get('/collections/conv03/documents', { headers: { authorization: auth } });
    expectStatus(r, 200, `key + ${auth.slice(0, 20)}`);
    assert.equal(ids(r.json).at(-1), d.json.id, 'the key project\'s documents');
    const w = await A.post('/collections/documents?collection=conv03', { data: { k: 2 } }, { headers: { authorization: auth } });
    expectStatus(w, 201, 'write');
    expectStatus(await A.get(`/collections/conv03/documents/${w.json.id}`), 200, 'the write landed in the key project');
  }
});

test('CONV-13 no credentials: 401 AUTH_REQUIRED; unknown API key: 401 INVALID_API_KEY even beside a valid token', async () => {
  expectAuthError(await A.get('/collections/notes/documents', { noKey: true }), 401, 'AUTH_REQUIRED', 'Authentication required', 'nothing');
  expectAuthError(await A.get('/collections/notes/documents', { key: 'cb_bogus', headers: { authorization: `Bearer ${U.alice.token}` } }),
    401, 'INVALID_API_KEY', 'Invalid API key', 'unknown key + valid token');
  expectAuthError(await A.post('/auth-collections/login', { email: 'bob@example.com', password: U.bob.password }, { key: 'cb_bogus', headers: { authorization: `Bearer ${U.alice.token}` } }),
    401, 'INVALID_API_KEY', 'Invalid API key', 'login, unknown key + valid token');
  expectAuthError(await A.get('/collections/notes/documents', { key: '', headers: { authorization: `Bearer ${U.alice.token}` } }),
    401, 'INVALID_API_KEY', 'Invalid API key', 'empty x-api-key header + valid token');
});

test('a token of one project only ever sees its own project (project B created with the CLI)', async () => {
  // same email as alice: unique per project only
  const sb = await B.post('/auth-collections/signup', { email: 'alice.smith@example.com', password: pw() });
  assertAuthBody(sb, 201, 'signup in B with an email used in A');
  assertAppUser(sb.json.user, { email: 'alice.smith@example.com', data: {}, roles: [], clientId: 'projb' });
  const tB = sb.json.access_token;
  assert.equal(decodeJwt(tB).payload.project_id, 'projb');
  const meB = await A.get('/auth-collections/user', tokenOnly(tB));
  expectStatus(meB, 200);
  assert.deepEqual(meB.json, sb.json.user);

  const a = await A.post('/collections/documents?collection=iso', { data: { owner: 'A' } });
  const b = await B.post('/collections/documents?collection=iso', { data: { owner: 'B' } });
  expectStatus(a, 201); expectStatus(b, 201);
  const seeB = await A.get('/collections/iso/documents', tokenOnly(tB));
  expectStatus(seeB, 200);
  assert.deepEqual(ids(seeB.json), [b.json.id], 'B token sees only B');
  expectError(await A.get(`/collections/iso/documents/${a.json.id}`, tokenOnly(tB)), 404, 'NOT_FOUND', 'B token, A doc');
  expectError(await A.patch(`/collections/iso/documents/${a.json.id}`, { data: { x: 1 } }, tokenOnly(tB)), 404, 'NOT_FOUND', 'B token patches A doc');
  const seeA = await A.get('/collections/iso/documents', tokenOnly(U.alice.token));
  assert.deepEqual(ids(seeA.json), [a.json.id], 'A token sees only A');
  expectError(await A.get(`/collections/iso/documents/${b.json.id}`, tokenOnly(U.alice.token)), 404, 'NOT_FOUND', 'A token, B doc');
  // a key and a token of different projects: the key decides
  const keyB = await B.get('/collections/iso/documents', bearer(U.alice.token));
  assert.deepEqual(ids(keyB.json), [b.json.id], 'B key + A token sees B');
  // writes through a B token land in B
  const w = await A.post('/collections/documents?collection=iso', { data: { owner: 'B-by-token' } }, tokenOnly(tB));
  expectStatus(w, 201);
  expectError(await A.get(`/collections/iso/documents/${w.json.id}`), 404, 'NOT_FOUND', 'A key does not see the B-token write');
  expectStatus(await B.get(`/collections/iso/documents/${w.json.id}`), 200, 'B key sees it');
  // user records are per project too
  expectError(await A.get(`/auth-collections/users/${sb.json.user.id}`), 404, 'NOT_FOUND', 'B user via A key');
  const gB = await B.get(`/auth-collections/users/${sb.json.user.id}`);
  assert.deepEqual(gB.json, sb.json.user);
  const la = await A.get(`/auth-collections/users?email=${encodeURIComponent('alice.smith@example.com')}`);
  assert.deepEqual(ids(la.json.data), [U.alice.user.id]);
  const lb = await B.get('/auth-collections/users');
  assert.deepEqual(ids(lb.json.data), [sb.json.user.id]);
  // login with B's key finds B's alice only with B's password
  expectError(await B.post('/auth-collections/login', { email: 'alice.smith@example.com', password: U.alice.password }), 401, 'INVALID_CREDENTIALS', 'A password on B');
});

// ---------------------------------------------------------------------------
// AU-15 (last: it checks everything seen above)

test('AU-15 no password or hash in any response, in the server logs, or in the change log; hashes are argon2id', async () => {
  assert.ok(seen.length > 100, `responses were recorded (${seen.length})`);
  const leaks = [];
  const hashes = [];
  for (const s of [srv, srvR]) {
    const db = path.join(s.dataDir, 'cocobase.db');
    const rows = sqlite(db, 'select email, password_hash from users').trim().split('\n').filter(Boolean);
    assert.ok(rows.length >= 4, `users stored in ${db}`);
    for (const row of rows) {
      const i = row.indexOf('|');
      const email = row.slice(0, i);
      const hash = row.slice(i + 1);
      assert.match(hash, /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/, `${email}: argon2id hash`);
      for (const p of PASSWORDS) assert.ok(!hash.includes(p), `${email}: the stored hash contains a password`);
      hashes.push(hash);
    }
    assert.equal(new Set(hashes).size, hashes.length, 'salted: hashes are distinct');
    const changelog = sqlite(db, 'select * from changelog');
    const documents = sqlite(db, 'select * from documents');
    assert.ok(changelog.length > 0 || s === srvR, 'the change log has entries');
    for (const [where, text] of [['changelog', changelog], ['documents', documents]]) {
      for (const p of PASSWORDS) if (text.includes(p)) leaks.push(`${where} contains password ${p.slice(0, 12)}...`);
      if (text.includes('$argon2')) leaks.push(`${where} contains an argon2 hash`);
    }
  }
  const needles = [...PASSWORDS].map((p) => ['password', p]);
  for (const h of hashes) {
    needles.push(['hash', h]);
    needles.push(['hash digest', h.split('$').pop()]);
    needles.push(['hash salt', h.split('$').at(-2)]);
  }
  needles.push(['argon2 marker', '$argon2']);
  const hay = [
    ...seen.map((s) => [s.what, `${s.headers}\n${s.text}`]),
    ['srv stdout', srv.stdout()], ['srv stderr', srv.stderr()],
    ['srvR stdout', srvR.stdout()], ['srvR stderr', srvR.stderr()],
  ];
  for (const [where, text] of hay) {
    for (const [kind, n] of needles) {
      if (text.includes(n)) leaks.push(`${kind} ${n.slice(0, 16)}... appears in ${where}`);
    }
    if (/password_hash|"password"\s*:/.test(text)) leaks.push(`a password member appears in ${where}`);
  }
  assert.deepEqual(leaks, []);
});

test('no server crashed during this file', async () => {
  await sleep(300); // let a pending exit event arrive
  assert.equal(srv.proc.signalCode, null, `srv died: ${srv.proc.signalCode}`);
  assert.equal(srvR.proc.signalCode, null, `srvR died: ${srvR.proc.signalCode}`);
  assert.equal(srv.proc.exitCode, null);
  assert.equal(srvR.proc.exitCode, null);
});

test('every error response had the PROTOCOL 1.6 shape', () => {
  assert.deepEqual(errorShapeViolations, []);
});
