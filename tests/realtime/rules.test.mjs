// Access rules (docs/auth.md) on collection watches: the read rule is checked when the watch
// starts (FORBIDDEN, 4403), and under `owner` each user's watch carries only their documents,
// live and replayed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api, cli } from '../integration/lib/server.mjs';
import { connectAuthed, expectErrorClose, openWs } from './lib/ws.mjs';

let srv;
let a;
let adminKey;
const tokens = {};

before(async () => {
  srv = await startServer();
  a = api(srv.url, srv.apiKey);
  for (const [coll, read] of [['secret', 'admin'], ['mine', 'owner'], ['members', 'authenticated']]) {
    const r = cli(['rules', 'set', coll, '--read', read, '--write', read === 'admin' ? 'admin' : read, '--data', srv.dataDir]);
    assert.equal(r.status, 0, r.stderr);
  }
  const k = cli(['project', 'key', 'create', 'default', '--admin', '--data', srv.dataDir, '--json']);
  assert.equal(k.status, 0, k.stderr);
  adminKey = k.json.api_key;
  for (const who of ['ann', 'bob']) {
    const r = await a.post('/auth-collections/signup', { email: `${who}@example.com`, password: 'password123' });
    assert.equal(r.status, 201, r.text);
    tokens[who] = r.json.access_token;
  }
});
after(async () => { await stopAll(); });


async function create(coll, token, data) {
  const res = await fetch(`${srv.url}/collections/${coll}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(data),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text);
}

test('a read rule the caller does not meet closes the watch with FORBIDDEN 4403', async () => {
  for (const [coll, auth] of [['secret', { api_key: srv.apiKey }], ['secret', { token: tokens.ann }],
    ['mine', { api_key: srv.apiKey }], ['members', { api_key: srv.apiKey }]]) {
    const c = await openWs(srv.url, `/realtime/collections/${coll}`);
    c.send(auth);
    const m = await expectErrorClose(c, 'FORBIDDEN', 4403);
    assert.match(m.error_detail, new RegExp(coll));
  }
  for (const [coll, auth] of [['secret', { api_key: adminKey }], ['members', { token: tokens.bob }], ['public', { api_key: srv.apiKey }]]) {
    const { c, first } = await connectAuthed(srv.url, `/realtime/collections/${coll}`, auth);
    assert.equal(first.event, 'connected', `${coll} ${JSON.stringify(first)}`);
    await c.close();
  }
});

test('under owner each user sees only their own documents, live and on resume; an admin key sees all', async () => {
  const { c: ann } = await connectAuthed(srv.url, '/realtime/collections/mine', { token: tokens.ann });
  const { c: bob } = await connectAuthed(srv.url, '/realtime/collections/mine', { token: tokens.bob });
  const { c: admin } = await connectAuthed(srv.url, '/realtime/collections/mine', { api_key: adminKey });
  const d1 = await create('mine', tokens.ann, { t: 'ann-1' });
  const d2 = await create('mine', tokens.bob, { t: 'bob-1' });
  const d3 = await create('mine', tokens.ann, { t: 'ann-2' });
  assert.deepEqual([(await ann.next()).data.id, (await ann.next()).data.id], [d1.id, d3.id]);
  assert.equal((await bob.next()).data.id, d2.id);
  const all = [await admin.next(), await admin.next(), await admin.next()];
  assert.deepEqual(all.map((m) => m.seq), [1, 2, 3]);
  await ann.expectSilence(200);
  await bob.expectSilence(50);
  for (const c of [ann, bob, admin]) await c.close();
  // replay keeps the restriction
  const { c: bob2 } = await connectAuthed(srv.url, '/realtime/collections/mine', { token: tokens.bob, resume_from: 0 });
  const m = await bob2.next();
  assert.equal(m.data.id, d2.id);
  assert.equal(m.replay, true);
  assert.deepEqual(await bob2.next(), { event: 'replay_done', collection_id: 'mine', head_seq: 3, replayed: 1 });
  await bob2.close();
});
