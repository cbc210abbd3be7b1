// The official npm SDK `cocobase@1.6.0` realtime helpers against our server (CW-13, BC-06,
// RM-11, LR-01 through listRooms). Its helpers use the hard-coded origin
// https://api.cocobase.cc (PROTOCOL 1.1): this file rewrites that origin by wrapping the global
// WebSocket and fetch before any helper connects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Cocobase, memoryStorageAdapter } from 'cocobase';
import { startServer, stopAll, sleep } from '../integration/lib/server.mjs';

const SDK_ORIGIN = 'https://api.cocobase.cc';
let srv;
let db;
const opened = [];  // every SDK socket, to check what it was pointed at

function redirectSdkOrigin(httpUrl) {
  const wsBase = httpUrl.replace(/^http/, 'ws');
  const NativeWebSocket = globalThis.WebSocket;
  globalThis.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) {
      const target = String(url).replace(SDK_ORIGIN.replace(/^http/, 'ws'), wsBase);
      super(target, protocols);
      opened.push(target);
    }
  };
  const nativeFetch = globalThis.fetch;
  globalThis.fetch = (input, init) =>
    nativeFetch(typeof input === 'string' ? input.replace(SDK_ORIGIN, httpUrl) : input, init);
}

/** Resolves with the first value pushed by `register(cb)` that satisfies pred. */
function waitFor(register, pred = () => true, ms = 5000, what = 'callback') {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} not called within ${ms} ms`)), ms);
    register((v) => { if (pred(v)) { clearTimeout(t); resolve(v); } });
  });
}

before(async () => {
  srv = await startServer();
  redirectSdkOrigin(srv.url);
  db = new Cocobase({ apiKey: srv.apiKey, baseURL: srv.url, storage: memoryStorageAdapter(), timeout: 10000 });
});
after(async () => { await stopAll(); });

test('CW-13 CollectionWatcher fires onConnected, onCreate, onUpdate, onDelete for real writes', async () => {
  const w = db.realtime.collection('sdkposts');
  const events = [];
  const connected = waitFor((cb) => w.onConnected(cb), undefined, 5000, 'onConnected');
  w.onCreate((e) => events.push(['create', e]));
  w.onUpdate((e) => events.push(['update', e]));
  w.onDelete((e) => events.push(['delete', e]));
  let errors = 0;
  w.onError(() => { errors++; });
  w.connect();
  const c = await connected;
  assert.equal(c.collection_id, 'sdkposts');
  assert.ok(opened.some((u) => u.endsWith('/realtime/collections/sdkposts') && u.startsWith('ws://127.0.0.1')));
  const doc = await db.createDocument('sdkposts', { title: 'Hello', published: true });
  await db.updateDocument('sdkposts', doc.id, { title: 'Hello again' });
  await db.deleteDocument('sdkposts', doc.id);
  const deadline = Date.now() + 5000;
  while (events.length < 3 && Date.now() < deadline) await sleep(20);
  w.disconnect();
  assert.deepEqual(events.map(([k]) => k), ['create', 'update', 'delete']);
  const [[, created], [, updated], [, deleted]] = events;
  // the shapes the npm typings and examples read
  assert.equal(created.document?.data.title, 'Hello');
  assert.equal(created.data.id, doc.id);
  assert.equal(updated.document?.data.title, 'Hello again');
  assert.equal(updated.old_data.title, 'Hello');
  assert.equal(deleted.document?.id, doc.id);
  assert.equal(errors, 0);
});

test('CW-13 a filtered CollectionWatcher (db.realtime.collection(name, filters)) only sees matches', async () => {
  const w = db.realtime.collection('sdkfiltered', { published: true });
  const created = [];
  const connected = waitFor((cb) => w.onConnected(cb), undefined, 5000, 'onConnected');
  w.onCreate((e) => created.push(e.data.data.n));
  w.connect();
  assert.deepEqual((await connected).filters, { published: true });
  await db.createDocument('sdkfiltered', { n: 1, published: false });
  await db.createDocument('sdkfiltered', { n: 2, published: true });
  await sleep(300);
  w.disconnect();
  assert.deepEqual(created, [2]);
});

test('onSnapshot re-reads the list after each realtime event', async () => {
  const lists = [];
  const unsub = db.onSnapshot('sdksnap', (docs) => lists.push(docs.length));
  await sleep(300);
  await db.createDocument('sdksnap', { a: 1 });
  const deadline = Date.now() + 5000;
  while (!lists.includes(1) && Date.now() < deadline) await sleep(20);
  unsub();
  assert.ok(lists.includes(1), `lists seen: ${JSON.stringify(lists)}`);
});

test('BC-06 ProjectBroadcast onMessage receives exactly the fan-outs', async () => {
  const alice = db.realtime.broadcast('alice', 'Alice');
  const bob = db.realtime.broadcast('bob', 'Bob');
  const gotA = [];
  const gotB = [];
  alice.onMessage((m) => gotA.push(m));
  bob.onMessage((m) => gotB.push(m));
  alice.connect();
  bob.connect();
  await sleep(300);
  alice.send({ text: 'Hello everyone!' });
  const deadline = Date.now() + 5000;
  while ((gotA.length < 1 || gotB.length < 1) && Date.now() < deadline) await sleep(20);
  await sleep(100);
  alice.disconnect();
  bob.disconnect();
  for (const got of [gotA, gotB]) {
    assert.equal(got.length, 1, JSON.stringify(got));
    assert.equal(got[0].type, 'message');
    assert.equal(got[0].user_id, 'alice');
    assert.equal(got[0].user_name, 'Alice');
    assert.deepEqual(got[0].data, { text: 'Hello everyone!' });
  }
});

test('RM-11 RoomChat: joined, message, user_joined, user_left, error reach their listeners; listRooms', async () => {
  const host = db.realtime.room('sdkroom', 'u1', 'Alice');
  const guest = db.realtime.room('sdkroom', 'u2', 'Bob');
  const log = [];
  for (const ev of ['joined', 'message', 'user_joined', 'user_left', 'error']) {
    host.on(ev, (d) => log.push(['host', ev, d]));
    guest.on(ev, (d) => log.push(['guest', ev, d]));
  }
  host.create('SDK Room');
  const until = async (pred) => {
    const deadline = Date.now() + 5000;
    while (!log.some(pred) && Date.now() < deadline) await sleep(20);
    assert.ok(log.some(pred), JSON.stringify(log.map(([w, e]) => `${w}:${e}`)));
  };
  await until(([w, e]) => w === 'host' && e === 'joined');
  guest.join();
  await until(([w, e]) => w === 'guest' && e === 'joined');
  await until(([w, e]) => w === 'host' && e === 'user_joined');
  const rooms = await db.realtime.listRooms();
  const listed = rooms.rooms.find((r) => r.id === 'sdkroom');
  assert.equal(listed.title, 'SDK Room');
  assert.equal(listed.participants, 2);
  guest.sendMessage({ text: 'hi' });
  await until(([w, e, d]) => w === 'host' && e === 'message' && d.content.text === 'hi');
  await until(([w, e, d]) => w === 'guest' && e === 'message' && d.content.text === 'hi');
  guest.leave();
  await until(([w, e]) => w === 'host' && e === 'user_left');
  host.leave();
  const hostJoined = log.find(([w, e]) => w === 'host' && e === 'joined')[2];
  assert.equal(hostJoined.room_title, 'SDK Room');
  assert.equal(hostJoined.participants, 1);

  // a join of a missing room: the error listener gets it (the SDK then reconnects; we leave)
  const lost = db.realtime.room('sdk-missing', 'u3', 'Eve');
  const err = waitFor((cb) => lost.on('error', cb), undefined, 5000, 'error listener');
  lost.join();
  const e = await err;
  lost.leave();
  assert.equal(e.code, 'ROOM_NOT_FOUND');
  assert.equal(e.error, 'Room not found');
});
