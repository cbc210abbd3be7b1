// PROTOCOL 5.4, 6, 8c, 8e: rooms and GET /realtime/rooms (RM-*, LR-*, EXT-06, EXT-08).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api, cli, expectError, assertTimestamp, sleep } from '../integration/lib/server.mjs';
import { connectAuthed, expectErrorClose, openWs } from './lib/ws.mjs';

let srv;
let a;
let keyB;

before(async () => {
  srv = await startServer({ args: ['--max-rooms-per-project', '5', '--max-room-participants', '3', '--room-history-size', '4'] });
  a = api(srv.url, srv.apiKey);
  const r = cli(['project', 'create', 'rmb', '--data', srv.dataDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  keyB = r.json.api_key;
});
after(async () => { await stopAll(); });

const room = (id, auth, key = srv.apiKey) => connectAuthed(srv.url, `/realtime/rooms/${id}`, { api_key: key, ...auth });

test('RM-01 EXT-08 create gives joined with title, participants, user, created, participant_list', async () => {
  const { c, first } = await room('general', { user_id: 'user_123', user_name: 'Alice', action: 'create', room_title: 'General Chat' });
  assert.deepEqual(first, {
    event: 'joined', room_id: 'general', room_title: 'General Chat', participants: 1, user_id: 'user_123',
    user_name: 'Alice', created: true, participant_list: [{ id: 'user_123', name: 'Alice' }],
  });
  await c.close();
});

test('RM-02 RM-04 RM-05 RM-06 second user: create joins, user_joined to others, messages to all, user_left', async () => {
  const { c: alice } = await room('r2', { user_id: 'a', user_name: 'Alice', action: 'create', room_title: 'Two' });
  const { c: bob, first } = await room('r2', { user_id: 'b', user_name: 'Bob', action: 'create', room_title: 'Ignored' });
  assert.equal(first.created, false);
  assert.equal(first.room_title, 'Two');
  assert.equal(first.participants, 2);
  assert.deepEqual(first.participant_list, [{ id: 'a', name: 'Alice' }, { id: 'b', name: 'Bob' }]);
  const joined = await alice.next();
  assert.equal(joined.type, 'user_joined');
  assert.ok(!('event' in joined));
  assert.equal(joined.user_id, 'b');
  assert.equal(joined.user_name, 'Bob');
  assertTimestamp(joined.timestamp);
  assert.deepEqual(joined.room_info, { id: 'r2', title: 'Two', participants: 2 });

  bob.send({ type: 'message', content: { text: 'hi' } });
  for (const c of [alice, bob]) {
    const m = await c.next();
    assert.deepEqual(Object.keys(m).sort(), ['content', 'room_info', 'timestamp', 'type', 'user_id', 'user_name']);
    assert.equal(m.type, 'message');
    assert.equal(m.user_id, 'b');
    assert.deepEqual(m.content, { text: 'hi' });
    assert.deepEqual(m.room_info, { id: 'r2', title: 'Two', participants: 2 });
  }
  await bob.expectSilence(100);  // the joiner got no user_joined about itself

  await bob.close();
  const left = await alice.next();
  assert.equal(left.type, 'user_left');
  assert.equal(left.user_id, 'b');
  assert.deepEqual(left.room_info, { id: 'r2', title: 'Two', participants: 1 });
  await alice.close();
});

test('RM-03 RM-09 join of a missing room: Room not found + room_id, 4404; missing action means join; bad action 4400', async () => {
  let c = await openWs(srv.url, '/realtime/rooms/nowhere');
  c.send({ api_key: srv.apiKey, action: 'join' });
  const m = await expectErrorClose(c, 'ROOM_NOT_FOUND', 4404);
  assert.equal(m.error, 'Room not found');
  assert.equal(m.room_id, 'nowhere');
  c = await openWs(srv.url, '/realtime/rooms/nowhere');
  c.send({ api_key: srv.apiKey });
  await expectErrorClose(c, 'ROOM_NOT_FOUND', 4404);
  c = await openWs(srv.url, '/realtime/rooms/nowhere');
  c.send({ api_key: srv.apiKey, action: 'foo' });
  await expectErrorClose(c, 'INVALID_ACTION', 4400);
  c = await openWs(srv.url, '/realtime/rooms/nowhere');
  c.send({ api_key: srv.apiKey, action: 'create', history: -1 });
  await expectErrorClose(c, 'INVALID_HISTORY', 4400);
});

test('RM-07 LR-04 the same room id in two projects names two rooms', async () => {
  const { c: a1 } = await room('same', { user_id: 'a', action: 'create', room_title: 'A' });
  const { c: b1, first } = await room('same', { user_id: 'b', action: 'create', room_title: 'B' }, keyB);
  assert.equal(first.created, true);
  assert.equal(first.room_title, 'B');
  assert.equal(first.participants, 1);
  b1.send({ type: 'message', content: 'x' });
  assert.equal((await b1.next()).content, 'x');
  await a1.expectSilence(200);
  const listA = (await a.get('/realtime/rooms')).json;
  const listB = (await api(srv.url, keyB).get('/realtime/rooms')).json;
  assert.deepEqual(listA.rooms.filter((r) => r.id === 'same').map((r) => r.title), ['A']);
  assert.deepEqual(listB.rooms.map((r) => r.title), ['B']);
  await a1.close();
  await b1.close();
});

test('RM-08 a second connection of the same user_id: no user_joined, same count, user_left after the last', async () => {
  const { c: host } = await room('r8', { user_id: 'h', action: 'create' });
  const { c: u1 } = await room('r8', { user_id: 'u', user_name: 'First' });
  assert.equal((await host.next()).type, 'user_joined');
  const { c: u2, first } = await room('r8', { user_id: 'u', user_name: 'Second' });
  assert.equal(first.participants, 2);
  assert.equal(first.user_name, 'First', 'the participant keeps the name of its first connection');
  await host.expectSilence(200);
  await u1.close();
  await host.expectSilence(200);
  await u2.close();
  const left = await host.next();
  assert.equal(left.type, 'user_left');
  assert.equal(left.room_info.participants, 1);
  await host.close();
});

test('RM-10 create without room_title titles the room with its id', async () => {
  const { c, first } = await room('untitled', { user_id: 'x', action: 'create' });
  assert.equal(first.room_title, 'untitled');
  await c.close();
});

test('RM-12 all participants see messages, joins and leaves in the same order', async () => {
  const clients = [];
  clients.push((await room('r12', { user_id: 'p0', action: 'create' })).c);
  for (let i = 1; i < 3; i++) clients.push((await room('r12', { user_id: `p${i}` })).c);
  // drain the user_joined messages so far
  await clients[0].next(); await clients[0].next(); await clients[1].next();
  for (let k = 0; k < 10; k++) for (const [i, c] of clients.entries()) c.send({ type: 'message', content: `${i}:${k}` });
  const logs = [];
  for (const c of clients) {
    const got = [];
    while (got.length < 30) got.push((await c.next()).content);
    logs.push(got);
  }
  assert.deepEqual(logs[1], logs[0]);
  assert.deepEqual(logs[2], logs[0]);
  for (const c of clients) await c.close();
});

test('RM-13 ROOM_FULL beyond --max-room-participants and ROOM_LIMIT beyond --max-rooms-per-project', async () => {
  const open = [];
  open.push((await room('full', { user_id: 'f0', action: 'create' })).c);
  open.push((await room('full', { user_id: 'f1' })).c);
  open.push((await room('full', { user_id: 'f2' })).c);
  let c = await openWs(srv.url, '/realtime/rooms/full');
  c.send({ api_key: srv.apiKey, user_id: 'f3' });
  let m = await expectErrorClose(c, 'ROOM_FULL', 4429);
  assert.equal(m.limit, 3);
  // an existing participant may still open another connection
  const again = await room('full', { user_id: 'f1' });
  assert.equal(again.first.event, 'joined');
  open.push(again.c);
  for (const x of open) await x.close();

  await sleep(100);
  const existing = (await a.get('/realtime/rooms')).json.total;
  const held = [];
  for (let i = existing; i < 5; i++) held.push((await room(`lim${i}`, { user_id: 'l', action: 'create' })).c);
  c = await openWs(srv.url, '/realtime/rooms/one-too-many');
  c.send({ api_key: srv.apiKey, user_id: 'l', action: 'create' });
  m = await expectErrorClose(c, 'ROOM_LIMIT', 4429);
  assert.equal(m.limit, 5);
  for (const x of held) await x.close();
});

test('EXT-06 history: N replays the last N messages with replay:true after joined, clamped to the kept size', async () => {
  const { c: host } = await room('hist', { user_id: 'h', action: 'create' });
  const sent = [];
  for (let i = 0; i < 6; i++) {
    host.send({ type: 'message', content: i });
    sent.push(await host.next());
  }
  let { c, first } = await room('hist', { user_id: 'late', history: 2 });
  assert.equal(first.event, 'joined');
  let h = [await c.next(), await c.next()];
  assert.deepEqual(h, sent.slice(4).map((m) => ({ ...m, replay: true })));
  assert.equal((await host.next()).type, 'user_joined');
  host.send({ type: 'message', content: 'live' });
  const live = await c.next();
  assert.equal(live.content, 'live');
  assert.ok(!('replay' in live));
  await c.close();
  await host.next();  // user_left
  // more than kept (4): clamped
  ({ c, first } = await room('hist', { user_id: 'late2', history: 100 }));
  h = [];
  for (let i = 0; i < 4; i++) h.push(await c.next());
  assert.deepEqual(h.map((m) => m.content), [3, 4, 5, 'live']);
  assert.ok(h.every((m) => m.replay === true));
  await c.expectSilence(200);
  await c.close();
  await host.close();
});

test('LR-01 LR-02 GET /realtime/rooms lists rooms with presence; a room disappears when its last participant leaves', async () => {
  const { c: x } = await room('listed', { user_id: 'ux', user_name: 'X', action: 'create', room_title: 'Listed' });
  const { c: y } = await room('listed', { user_id: 'uy', user_name: 'Y' });
  const r = await a.get('/realtime/rooms', { headers: { 'X-API-Key': srv.apiKey } });
  assert.equal(r.status, 200);
  assert.equal(r.json.total, r.json.rooms.length);
  const e = r.json.rooms.find((q) => q.id === 'listed');
  assert.deepEqual(Object.keys(e).sort(), ['created_at', 'created_by', 'id', 'participant_list', 'participants', 'title']);
  assert.equal(e.title, 'Listed');
  assert.equal(e.created_by, 'ux');
  assert.equal(e.participants, 2);
  assert.deepEqual(e.participant_list, [{ id: 'ux', name: 'X' }, { id: 'uy', name: 'Y' }]);
  assert.ok(Number.isInteger(e.created_at) && Math.abs(e.created_at - Date.now() / 1000) < 60);
  await x.close();
  await sleep(100);
  let again = (await a.get('/realtime/rooms')).json.rooms.find((q) => q.id === 'listed');
  assert.equal(again.created_by, 'ux', 'created_by is kept after the creator leaves');
  assert.equal(again.participants, 1);
  await y.close();
  await sleep(100);
  again = (await a.get('/realtime/rooms')).json.rooms.find((q) => q.id === 'listed');
  assert.equal(again, undefined);
  const c = await openWs(srv.url, '/realtime/rooms/listed');
  c.send({ api_key: srv.apiKey, action: 'join' });
  await expectErrorClose(c, 'ROOM_NOT_FOUND', 4404);
});

test('LR-03 the listing needs credentials; rooms are sorted by created_at then id', async () => {
  expectError(await a.get('/realtime/rooms', { noKey: true }), 401, 'AUTH_REQUIRED');
  expectError(await a.get('/realtime/rooms', { key: 'cb_nope' }), 401, 'INVALID_API_KEY');
  expectError(await a.post('/realtime/rooms', {}), 405, 'METHOD_NOT_ALLOWED');
  const held = [];
  for (const id of ['s-b', 's-a']) held.push((await room(id, { user_id: 'u', action: 'create' }, keyB)).c);
  const list = (await api(srv.url, keyB).get('/realtime/rooms')).json.rooms;
  const sorted = [...list].sort((p, q) => p.created_at - q.created_at || (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
  assert.deepEqual(list.map((r) => r.id), sorted.map((r) => r.id));
  for (const c of held) await c.close();
});
