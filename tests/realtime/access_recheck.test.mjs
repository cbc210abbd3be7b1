// Tightened rules and revoked keys reach open sockets (issue 12, finding 6; docs/auth.md,
// docs/realtime.md). The real CLI changes the store while the server runs; the server notices
// within --access-recheck-ms (default 1 s) and re-checks every open socket. The tests wait for
// the close frame (observable state), never for a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api, cli } from '../integration/lib/server.mjs';
import { connectAuthed, expectErrorClose } from './lib/ws.mjs';

let srv, http, adminKey;
const tokens = {};

before(async () => {
  srv = await startServer();
  http = api(srv.url, srv.apiKey);
  const k = cli(['project', 'key', 'create', 'default', '--admin', '--data', srv.dataDir, '--json']);
  assert.equal(k.status, 0, k.stderr);
  adminKey = k.json.api_key;
  for (const who of ['ann', 'bob']) {
    const r = await http.post('/auth-collections/signup', { email: `${who}@recheck.io`, password: 'password123' });
    assert.equal(r.status, 201, r.text);
    tokens[who] = r.json.access_token;
  }
});
after(stopAll);

const asUser = (who) => ({ noKey: true, headers: { authorization: `Bearer ${tokens[who]}` } });

async function watch(coll, auth) {
  const { c, first } = await connectAuthed(srv.url, `/realtime/collections/${coll}`, auth);
  assert.equal(first.event, 'connected', JSON.stringify(first));
  return c;
}

async function create(coll, who, data) {
  const r = await http.post(`/collections/${coll}`, data, asUser(who));
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

test('rules set --read owner while watches are open: the key watch closes 4403, user watches filter per owner', async () => {
  const coll = 'feed';
  const ann = await watch(coll, { token: tokens.ann });
  const bob = await watch(coll, { token: tokens.bob });
  const keyWatch = await watch(coll, { api_key: srv.apiKey });
  const admin = await watch(coll, { api_key: adminKey });
  // Before: everyone sees everyone's documents.
  const before = await create(coll, 'bob', { t: 'before' });
  for (const c of [ann, bob, keyWatch, admin]) assert.equal((await c.next()).data.id, before);

  const set = cli(['rules', 'set', coll, '--read', 'owner', '--data', srv.dataDir]);
  assert.equal(set.status, 0, set.stderr);
  // A plain key is no longer admitted: error first, then close 4403. A pass restricts every
  // watch before it closes any, so from here on the user watches are restricted too.
  const m = await expectErrorClose(keyWatch, 'FORBIDDEN', 4403);
  assert.match(m.error_detail, /feed.*owner/);

  const bobs = await create(coll, 'bob', { t: 'bob-after' });
  const anns = await create(coll, 'ann', { t: 'ann-after' });
  // Ann's next event is her own document: Bob's, written first, never reached her.
  assert.equal((await ann.next()).data.id, anns);
  assert.equal((await bob.next()).data.id, bobs);
  assert.deepEqual([(await admin.next()).data.id, (await admin.next()).data.id], [bobs, anns]);
  for (const c of [ann, bob, admin]) await c.close();
});

test('rules set --read admin: an open user watch closes with FORBIDDEN 4403', async () => {
  const coll = 'staff';
  const ann = await watch(coll, { token: tokens.ann });
  const admin = await watch(coll, { api_key: adminKey });
  assert.equal(cli(['rules', 'set', coll, '--read', 'admin', '--data', srv.dataDir]).status, 0);
  await expectErrorClose(ann, 'FORBIDDEN', 4403);
  const id = await create(coll, 'bob', { t: 'x' });  // write rule still public
  assert.equal((await admin.next()).data.id, id, 'the admin watch stays open');
  await admin.close();
});

test('project key revoke: open watch, broadcast and room sockets of that key close with API_KEY_REVOKED 4401', async () => {
  const k = cli(['project', 'key', 'create', 'default', '--data', srv.dataDir, '--json']);
  assert.equal(k.status, 0, k.stderr);
  const doomed = k.json.api_key;
  const w = await watch('revoked', { api_key: doomed });
  const b = await connectAuthed(srv.url, '/realtime/broadcast', { api_key: doomed });
  assert.equal(b.first.event, 'connected');
  const r = await connectAuthed(srv.url, '/realtime/rooms/lobby', { api_key: doomed, action: 'create' });
  assert.equal(r.first.event, 'joined', JSON.stringify(r.first));
  // Another key's socket is not affected.
  const survivor = await watch('revoked', { api_key: srv.apiKey });

  const rev = cli(['project', 'key', 'revoke', k.json.key_id, '--project', 'default', '--data', srv.dataDir]);
  assert.equal(rev.status, 0, rev.stderr);
  await expectErrorClose(w, 'API_KEY_REVOKED', 4401);
  await expectErrorClose(b.c, 'API_KEY_REVOKED', 4401);
  // The room socket may first see its own presence events; skip to the error.
  const err = await r.c.nextWhere((m) => m.type === 'error');
  assert.equal(err.code, 'API_KEY_REVOKED');
  assert.equal((await r.c.closed).code, 4401);

  const id = await create('revoked', 'ann', { t: 'still here' });
  assert.equal((await survivor.next()).data.id, id);
  await survivor.close();
  // And the key is refused from now on, as before.
  const again = await connectAuthed(srv.url, '/realtime/broadcast', { api_key: doomed });
  assert.equal(again.first.code, 'INVALID_API_KEY');
});
