// PROTOCOL 5.3: project broadcast (BC-01..BC-05).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, cli, assertTimestamp } from '../integration/lib/server.mjs';
import { connectAuthed } from './lib/ws.mjs';

let srv;
let keyB;

before(async () => {
  srv = await startServer();
  const r = cli(['project', 'create', 'bcb', '--data', srv.dataDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  keyB = r.json.api_key;
});
after(async () => { await stopAll(); });

const join = (auth) => connectAuthed(srv.url, '/realtime/broadcast', auth);

test('BC-01 connected carries project_id, user_id, user_name', async () => {
  const { c, first } = await join({ api_key: srv.apiKey, user_id: 'user_123', user_name: 'Alice' });
  assert.deepEqual(first, { event: 'connected', project_id: 'default', user_id: 'user_123', user_name: 'Alice' });
  await c.close();
});

test('BC-04 without user_id: anon- + 12 hex; user_name defaults to user_id; numbers become text', async () => {
  let { c, first } = await join({ api_key: srv.apiKey });
  assert.match(first.user_id, /^anon-[0-9a-f]{12}$/);
  assert.equal(first.user_name, first.user_id);
  await c.close();
  ({ c, first } = await join({ api_key: srv.apiKey, user_id: 42, user_name: '' }));
  assert.equal(first.user_id, '42');
  assert.equal(first.user_name, '42');
  await c.close();
});

test('BC-02 a message reaches every connection of the project, sender included', async () => {
  const { c: alice } = await join({ api_key: srv.apiKey, user_id: 'a', user_name: 'Alice' });
  const { c: bob } = await join({ api_key: srv.apiKey, user_id: 'b', user_name: 'Bob' });
  alice.send({ type: 'message', data: { text: 'Hello everyone!' } });
  for (const c of [alice, bob]) {
    const m = await c.next();
    assert.deepEqual(Object.keys(m).sort(), ['data', 'timestamp', 'type', 'user_id', 'user_name']);
    assert.equal(m.type, 'message');
    assert.equal(m.user_id, 'a');
    assert.equal(m.user_name, 'Alice');
    assert.deepEqual(m.data, { text: 'Hello everyone!' });
    assertTimestamp(m.timestamp);
  }
  bob.send({ type: 'message' });  // absent data is null
  for (const c of [alice, bob]) {
    const m = await c.next();
    assert.equal(m.data, null);
    assert.equal(m.user_id, 'b');
  }
  await alice.close();
  await bob.close();
});

test('BC-03 broadcasts never reach another project', async () => {
  const { c: a1 } = await join({ api_key: srv.apiKey, user_id: 'a1' });
  const { c: b1 } = await join({ api_key: keyB, user_id: 'b1' });
  assert.equal((await join({ api_key: keyB })).first.project_id, 'bcb');
  a1.send({ type: 'message', data: 'for default' });
  assert.equal((await a1.next()).data, 'for default');
  await b1.expectSilence(300);
  b1.send({ type: 'message', data: 'for bcb' });
  assert.equal((await b1.next()).data, 'for bcb');
  await a1.expectSilence(300);
  await a1.close();
  await b1.close();
});

test('BC-05 all recipients observe the same order, with several senders at once', async () => {
  const clients = [];
  for (let i = 0; i < 4; i++) clients.push((await join({ api_key: srv.apiKey, user_id: `u${i}` })).c);
  const PER = 25;
  for (let k = 0; k < PER; k++) for (const [i, c] of clients.entries()) c.send({ type: 'message', data: `${i}:${k}` });
  const seen = [];
  for (const c of clients) {
    const got = [];
    while (got.length < PER * clients.length) got.push((await c.next()).data);
    seen.push(got);
  }
  for (const got of seen.slice(1)) assert.deepEqual(got, seen[0]);
  // each sender's own messages stay in its order
  for (let i = 0; i < clients.length; i++) {
    const mine = seen[0].filter((d) => d.startsWith(`${i}:`));
    assert.deepEqual(mine, Array.from({ length: PER }, (_, k) => `${i}:${k}`));
  }
  for (const c of clients) await c.close();
});

test('a closed broadcast connection receives nothing and others carry on', async () => {
  const { c: x } = await join({ api_key: srv.apiKey, user_id: 'x' });
  const { c: y } = await join({ api_key: srv.apiKey, user_id: 'y' });
  await x.close();
  y.send({ type: 'message', data: 1 });
  assert.equal((await y.next()).data, 1);
  await y.close();
});
