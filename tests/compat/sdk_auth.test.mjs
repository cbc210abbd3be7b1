// The official npm SDK `cocobase@1.6.0` app-user API against our server (PROTOCOL 7, 1.5):
// db.auth.register / login / getCurrentUser / updateUser / listUsers / getUserById /
// initAuth / logout, and collection calls from a client that has only the user's token.
//
// Every value the SDK returns is compared with what the server stores, read back with
// plain fetch and the API key.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  Cocobase, memoryStorageAdapter, UnauthorizedError, ForbiddenError, ValidationError, CocobaseError,
} from 'cocobase';
import { startServer, stopAll, api, assertDocument, expectStatus, assertTimestamp, UUID4_RE } from '../integration/lib/server.mjs';

const SECRET = `sdk-auth-secret-${crypto.randomBytes(8).toString('hex')}`;
let srv;
let raw;
let db; // SDK with the API key; registers sdk1
let token1;
let user1;
const PW1 = 'P!w-sdk-one-1';

const newClient = (opts = {}) => new Cocobase({ baseURL: srv.url, storage: memoryStorageAdapter(), timeout: 10000, ...opts });

before(async () => {
  srv = await startServer({ args: ['--jwt-secret', SECRET] });
  raw = api(srv.url, srv.apiKey);
  db = newClient({ apiKey: srv.apiKey });
});

after(async () => { await stopAll(); });

async function storedUser(id) {
  const r = await raw.get(`/auth-collections/users/${id}`);
  expectStatus(r, 200, `raw users/${id}`);
  return r.json;
}

async function rejectsWith(promise, Cls, status, code) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(e instanceof CocobaseError);
    assert.equal(e.statusCode, status);
    assert.equal(typeof e.detail?.detail, 'string', `error body: ${JSON.stringify(e.detail)}`);
    if (code) assert.equal(e.detail.code, code, `error code: ${JSON.stringify(e.detail)}`);
    return true;
  });
}

function craft(payload) {
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${h}.${p}.${crypto.createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')}`;
}

test('auth.register stores the user, the token and the AppUser the server holds', async () => {
  const events = [];
  db.auth.onAuthEvent({ onRegister: (u, t) => events.push(['register', u?.id, t]) });
  const res = await db.auth.register({
    email: 'SDK.One@Example.com', password: PW1, data: { name: 'Sdk One', plan: 'free' }, roles: ['admin'], phone_number: '+15550199',
  });
  assert.equal(res.requires_2fa, false);
  user1 = res.user;
  token1 = db.auth.getToken();
  assert.equal(typeof token1, 'string');
  assert.equal(token1.split('.').length, 3);
  assert.match(user1.id, UUID4_RE);
  assert.equal(user1.email, 'sdk.one@example.com');
  assert.deepEqual(user1.data, { name: 'Sdk One', plan: 'free' });
  assert.deepEqual(user1.roles, [], 'client roles ignored without --allow-signup-roles');
  assert.equal(user1.client_id, 'default');
  assert.equal(user1.phone_number, '+15550199');
  assertTimestamp(user1.created_at); assertTimestamp(user1.updated_at);
  assert.deepEqual(await storedUser(user1.id), user1, 'the SDK user equals the stored user');
  assert.deepEqual(db.auth.getUser(), user1);
  assert.equal(db.auth.isAuthenticated(), true);
  assert.deepEqual(events, [['register', user1.id, token1]]);
  // the SDK reads exp itself (Unix seconds)
  const exp = db.auth.getTokenExpiry();
  assert.ok(exp instanceof Date);
  assert.ok(Math.abs(exp.getTime() - (Date.now() + 2592000 * 1000)) < 120000, `expiry ~30 days ahead: ${exp.toISOString()}`);
  assert.equal(db.auth.isTokenExpired(), false);
  // the token is signed with the configured secret
  const [h, p, s] = token1.split('.');
  assert.equal(s, crypto.createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url'));
});

test('register errors: duplicate email 409 ALREADY_EXISTS, invalid input ValidationError 422', async () => {
  const other = newClient({ apiKey: srv.apiKey });
  await rejectsWith(other.auth.register({ email: 'sdk.ONE@example.com', password: 'P!w-whatever-9' }), CocobaseError, 409, 'ALREADY_EXISTS');
  await assert.rejects(other.auth.register({ email: 'not-an-email', password: 'P!w-whatever-9' }), (e) => {
    assert.ok(e instanceof ValidationError, e?.constructor?.name);
    assert.equal(e.statusCode, 422);
    assert.ok(Array.isArray(e.detail.errors) && e.detail.errors.some((x) => x.loc.join('.') === 'body.email'), JSON.stringify(e.detail));
    return true;
  });
  await rejectsWith(other.auth.register({ email: 'short@example.com', password: 'short' }), ValidationError, 422, 'VALIDATION_ERROR');
  assert.equal(other.auth.isAuthenticated(), false, 'no token after a failed register');
  // without an API key
  await rejectsWith(newClient().auth.register({ email: 'nokey@example.com', password: 'P!w-whatever-9' }), UnauthorizedError, 401, 'AUTH_REQUIRED');
});

test('auth.login (and Cocobase.login) return the stored user and a working token; wrong password is UnauthorizedError', async () => {
  const c = newClient({ apiKey: srv.apiKey });
  let fired = null;
  c.auth.onAuthEvent({ onLogin: (u) => { fired = u?.id; } });
  const res = await c.auth.login({ email: 'SDK.ONE@example.com', password: PW1 });
  assert.equal(res.requires_2fa, false);
  assert.deepEqual(res.user, await storedUser(user1.id));
  assert.equal(fired, user1.id);
  assert.notEqual(c.auth.getToken(), undefined);
  const me = await c.auth.getCurrentUser();
  assert.deepEqual(me, res.user);
  const c2 = newClient({ apiKey: srv.apiKey });
  const res2 = await c2.login({ email: 'sdk.one@example.com', password: PW1 });
  assert.equal(res2.user.id, user1.id);
  assert.equal(c2.isAuthenticated(), true);
  await rejectsWith(newClient({ apiKey: srv.apiKey }).auth.login({ email: 'sdk.one@example.com', password: 'P!w-wrong-pass' }),
    UnauthorizedError, 401, 'INVALID_CREDENTIALS');
  await rejectsWith(newClient({ apiKey: srv.apiKey }).auth.login({ email: 'nobody@example.com', password: PW1 }),
    UnauthorizedError, 401, 'INVALID_CREDENTIALS');
});

test('auth.getCurrentUser returns the stored AppUser', async () => {
  const me = await db.auth.getCurrentUser();
  assert.deepEqual(me, await storedUser(user1.id));
  assert.deepEqual(await db.getCurrentUser(), me);
});

test('auth.updateUser merges data, changes email and password; the stored user matches', async () => {
  const up = await db.auth.updateUser({ data: { bio: 'Developer', plan: null } }); // the SDK drops nulls and sends the merged object
  assert.deepEqual(up.data, { name: 'Sdk One', plan: 'free', bio: 'Developer' });
  assert.ok(up.updated_at >= user1.updated_at, "updated_at set to now");
  assert.equal(up.created_at, user1.created_at);
  assert.deepEqual(await storedUser(user1.id), up);
  assert.deepEqual(db.auth.getUser(), up);

  const up2 = await db.auth.updateUser({ email: 'Sdk.One.New@Example.com' });
  assert.equal(up2.email, 'sdk.one.new@example.com');
  assert.deepEqual(up2.data, up.data);
  assert.deepEqual(await storedUser(user1.id), up2);

  const NEW_PW = 'P!w-sdk-one-2-new';
  const up3 = await db.auth.updateUser({ password: NEW_PW });
  assert.equal(up3.id, user1.id);
  assert.ok(!JSON.stringify(up3).includes(NEW_PW));
  await rejectsWith(newClient({ apiKey: srv.apiKey }).auth.login({ email: 'sdk.one.new@example.com', password: PW1 }), UnauthorizedError, 401, 'INVALID_CREDENTIALS');
  const c = newClient({ apiKey: srv.apiKey });
  const li = await c.auth.login({ email: 'sdk.one.new@example.com', password: NEW_PW });
  assert.deepEqual(li.user, await storedUser(user1.id));
  // the earlier token still works
  assert.equal((await db.auth.getCurrentUser()).id, user1.id);

  // validation errors surface as ValidationError / 409
  await rejectsWith(db.auth.updateUser({ email: 'broken' }), ValidationError, 422, 'VALIDATION_ERROR');
  const other = newClient({ apiKey: srv.apiKey });
  await other.register({ email: 'sdk.two@example.com', password: 'P!w-sdk-two-2', data: { username: 'two' } });
  await rejectsWith(db.auth.updateUser({ email: 'SDK.TWO@example.com' }), CocobaseError, 409, 'ALREADY_EXISTS');
});

test('a client holding only the user token (no apiKey) uses the collections API of the project', async () => {
  const t = newClient();
  const init = await t.auth.initAuth(token1);
  assert.equal(init.isAuthenticated, true);
  assert.equal(init.user.id, user1.id, 'initAuth fetched the current user with the token');
  assert.deepEqual(init.user, await storedUser(user1.id));

  const doc = await t.createDocument('sdk_auth_notes', { title: 'by token', n: 1 });
  assertDocument(doc, { collection: 'sdk_auth_notes' });
  const viaKey = await raw.get(`/collections/sdk_auth_notes/documents/${doc.id}`);
  expectStatus(viaKey, 200, 'the document is in the key project');
  assert.deepEqual(viaKey.json, doc);
  assert.deepEqual(await t.getDocument('sdk_auth_notes', doc.id), doc);

  const batch = await t.createDocuments('sdk_auth_notes', [{ title: 'b1', n: 2 }, { title: 'b2', n: 3 }]);
  assert.equal(batch.length, 2);
  const listed = await t.listDocuments('sdk_auth_notes', { sort: 'n', order: 'asc' });
  assert.deepEqual(listed.map((d) => d.data.title), ['by token', 'b1', 'b2']);
  const rawList = await raw.get('/collections/sdk_auth_notes/documents?sort=n&order=asc');
  assert.deepEqual(listed, rawList.json);
  assert.deepEqual(await t.countDocuments('sdk_auth_notes', { filters: { n_gte: 2 } }), { count: 2 });

  const up = await t.updateDocument('sdk_auth_notes', doc.id, { n: 10 });
  assert.deepEqual(up.data, { title: 'by token', n: 10 });
  assert.deepEqual((await raw.get(`/collections/sdk_auth_notes/documents/${doc.id}`)).json, up);
  const del = await t.deleteDocument('sdk_auth_notes', doc.id);
  assert.equal(del.success, true);
  expectStatus(await raw.get(`/collections/sdk_auth_notes/documents/${doc.id}`), 404, 'deleted through the token');

  // key-class routes refuse a token-only client
  await rejectsWith(t.auth.listUsers(), ForbiddenError, 403, 'FORBIDDEN');
  await rejectsWith(t.auth.getUserById(user1.id), ForbiddenError, 403, 'FORBIDDEN');
  await rejectsWith(t.auth.login({ email: 'sdk.one.new@example.com', password: 'x' }), UnauthorizedError, 401, 'AUTH_REQUIRED');
  // the user routes work with the token alone
  const me = await t.auth.updateUser({ data: { via: 'token-only client' } });
  assert.equal(me.data.via, 'token-only client');
  assert.deepEqual(await storedUser(user1.id), me);
});

test('with an API key, a stale or expired stored token is ignored (CONV-03); without a key it is refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  const expired = craft({ sub: user1.id, project_id: 'default', email: 'x@example.com', roles: [], iat: now - 7200, exp: now - 3600, iss: 'cocobase' });
  for (const stale of ['garbage', expired]) {
    const k = newClient({ apiKey: srv.apiKey });
    k.auth.setToken(stale);
    const docs = await k.listDocuments('sdk_auth_notes');
    assert.equal(docs.length, 2);
    const created = await k.createDocument('sdk_auth_notes', { stale: true });
    assertDocument(created);
    await k.deleteDocument('sdk_auth_notes', created.id);
  }
  const t = newClient();
  t.auth.setToken(expired);
  await rejectsWith(t.listDocuments('sdk_auth_notes'), UnauthorizedError, 401, 'TOKEN_EXPIRED');
  await rejectsWith(t.auth.getCurrentUser(), UnauthorizedError, 401, 'TOKEN_EXPIRED');
  const g = newClient();
  g.auth.setToken('garbage');
  await rejectsWith(g.listDocuments('sdk_auth_notes'), UnauthorizedError, 401, 'INVALID_TOKEN');
  // initAuth with an expired token clears it locally (the SDK reads exp)
  const e = newClient();
  const init = await e.auth.initAuth(expired);
  assert.equal(init.isAuthenticated, false);
});

test('logout clears the token; the API key client keeps working', async () => {
  const c = newClient({ apiKey: srv.apiKey });
  await c.auth.login({ email: 'sdk.two@example.com', password: 'P!w-sdk-two-2' });
  assert.equal(c.isAuthenticated(), true);
  c.logout();
  assert.equal(c.isAuthenticated(), false);
  assert.equal(c.auth.getToken(), undefined);
  assert.ok(Array.isArray(await c.listDocuments('sdk_auth_notes')));
});

test('auth.getUserById returns the stored AppUser; an unknown id is NotFoundError', async () => {
  const u = await db.auth.getUserById(user1.id);
  assert.deepEqual(u, await storedUser(user1.id));
  await assert.rejects(db.auth.getUserById('00000000-0000-4000-8000-000000000000'), (e) => {
    assert.equal(e.statusCode, 404);
    assert.equal(e.detail.code, 'NOT_FOUND');
    return true;
  });
});

// last: it lists every user of the project
test('auth.listUsers returns {data, total, limit, offset, has_more} equal to the stored users', async () => {
  const one = await db.auth.listUsers({ filters: { email: 'sdk.two@example.com' } });
  assert.deepEqual(Object.keys(one).sort(), ['data', 'has_more', 'limit', 'offset', 'total']);
  assert.equal(one.total, 1);
  assert.equal(one.data[0].email, 'sdk.two@example.com');
  assert.deepEqual(one.data[0], await storedUser(one.data[0].id));

  const all = await db.auth.listUsers();
  assert.deepEqual(Object.keys(all).sort(), ['data', 'has_more', 'limit', 'offset', 'total']);
  assert.equal(all.total, 2);
  assert.equal(all.limit, 100);
  assert.equal(all.offset, 0);
  assert.equal(all.has_more, false);
  assert.deepEqual(all.data.map((u) => u.email), ['sdk.two@example.com', 'sdk.one.new@example.com'], 'newest first');
  for (const u of all.data) assert.deepEqual(u, await storedUser(u.id));
  const page = await db.auth.listUsers({ limit: 1, offset: 1, sort: 'email', order: 'asc' });
  assert.deepEqual(page.data.map((u) => u.email), ['sdk.two@example.com']);
  assert.equal(page.has_more, false);
  assert.equal(page.total, 2);
  const sel = await db.auth.listUsers({ select: 'name', filters: { email: 'sdk.one.new@example.com' } });
  assert.deepEqual(sel.data[0].data, { name: 'Sdk One' });
});

test('the server did not crash', async () => {
  await new Promise((r) => setTimeout(r, 300)); // let a pending exit event arrive
  assert.equal(srv.proc.signalCode, null, `server died: ${srv.proc.signalCode}`);
  assert.equal(srv.proc.exitCode, null);
});
