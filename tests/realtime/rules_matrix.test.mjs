// Access rules × principals on collection watches, live and on resume (docs/auth.md):
// (API key, owner's token, another user's token, admin key) × (public, authenticated, owner,
// admin). A watcher never receives an event for a document it may not read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api, cli } from '../integration/lib/server.mjs';
import { connectAuthed, expectErrorClose, openWs } from './lib/ws.mjs';

let srv, http, adminKey;
const tokens = {};

before(async () => {
  srv = await startServer();
  http = api(srv.url, srv.apiKey);
  const k = cli(['project', 'key', 'create', 'default', '--admin', '--data', srv.dataDir, '--json']);
  assert.equal(k.status, 0, k.stderr);
  adminKey = k.json.api_key;
  for (const who of ['owner', 'other']) {
    const r = await http.post('/auth-collections/signup', { email: `${who}@m.io`, password: 'password123' });
    assert.equal(r.status, 201, r.text);
    tokens[who] = r.json.access_token;
  }
});
after(stopAll);

const auth = {
  key: () => ({ api_key: srv.apiKey }),
  owner: () => ({ token: tokens.owner }),
  other: () => ({ token: tokens.other }),
  admin: () => ({ api_key: adminKey }),
};

// 'see': connected and receives the owner's document; 'blind': connected, receives nothing;
// 'forbidden': FORBIDDEN 4403 at auth.
const EXPECT = {
  public: { key: 'see', owner: 'see', other: 'see', admin: 'see' },
  authenticated: { key: 'forbidden', owner: 'see', other: 'see', admin: 'see' },
  owner: { key: 'forbidden', owner: 'see', other: 'blind', admin: 'see' },
  admin: { key: 'forbidden', owner: 'forbidden', other: 'forbidden', admin: 'see' },
};

for (const [rule, row] of Object.entries(EXPECT)) {
  test(`watch and resume under read rule ${rule}`, async () => {
    const coll = `m_${rule}`;
    const set = cli(['rules', 'set', coll, '--read', rule, '--write', 'public', '--data', srv.dataDir]);
    assert.equal(set.status, 0, set.stderr);
    const live = {};
    for (const [who, outcome] of Object.entries(row)) {
      if (outcome === 'forbidden') {
        for (const resume of [undefined, 0]) {
          const c = await openWs(srv.url, `/realtime/collections/${coll}`);
          c.send({ ...auth[who](), ...(resume === undefined ? {} : { resume_from: resume }) });
          await expectErrorClose(c, 'FORBIDDEN', 4403);
        }
      } else {
        const { c, first } = await connectAuthed(srv.url, `/realtime/collections/${coll}`, auth[who]());
        assert.equal(first.event, 'connected', `${who}: ${JSON.stringify(first)}`);
        live[who] = c;
      }
    }
    // The owner creates a document with a token (owned), then the other user one of theirs.
    const mine = await http.post(`/collections/${coll}`, { v: 'owner' }, { noKey: true, headers: { authorization: `Bearer ${tokens.owner}` } });
    assert.equal(mine.status, 201, mine.text);
    const theirs = await http.post(`/collections/${coll}`, { v: 'other' }, { noKey: true, headers: { authorization: `Bearer ${tokens.other}` } });
    assert.equal(theirs.status, 201, theirs.text);

    for (const [who, c] of Object.entries(live)) {
      const outcome = row[who];
      const seen = [];
      for (;;) {
        try { seen.push((await c.next(400)).data.id); } catch { break; }
      }
      const expected = outcome === 'blind' ? [theirs.json.id]  // 'other' under owner: only its own
        : rule === 'owner' && who === 'owner' ? [mine.json.id]
          : [mine.json.id, theirs.json.id];
      assert.deepEqual(seen, expected, `live ${rule}/${who}`);
      await c.close();
      // Resume from 0 replays exactly what the principal may read.
      const { c: r } = await connectAuthed(srv.url, `/realtime/collections/${coll}`, { ...auth[who](), resume_from: 0 });
      const replayed = [];
      for (;;) {
        const m = await r.next();
        if (m.event === 'replay_done') { assert.equal(m.replayed, expected.length); break; }
        assert.equal(m.replay, true);
        replayed.push(m.data.id);
      }
      assert.deepEqual(replayed, expected, `resume ${rule}/${who}`);
      await r.close();
    }
  });
}
