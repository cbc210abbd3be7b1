// PROTOCOL 5.1: rules common to the three realtime endpoints (RT-01..RT-15).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, stopAll, api, expectError, sleep } from '../integration/lib/server.mjs';
import { openWs, connectAuthed, expectErrorClose, withTimeout } from './lib/ws.mjs';
import { rawConnect, readAll, encodeFrame } from './lib/raw_ws.mjs';

let srv;
let key;
const ENDPOINTS = [
  ['/realtime/collections/users', 'connected', {}],
  ['/realtime/broadcast', 'connected', {}],
  ['/realtime/rooms/general', 'joined', { action: 'create' }],
];

before(async () => {
  srv = await startServer({ args: ['--ws-auth-timeout-ms', '400', '--ws-max-message-bytes', '1024'] });
  key = srv.apiKey;
});
after(async () => { await stopAll(); });

test('RT-01 RT-02 RT-06 each endpoint confirms first and answers ping with pong, on the REST port', async () => {
  for (const [path, event, extra] of ENDPOINTS) {
    const { c, first } = await connectAuthed(srv.url, path, { api_key: key, ...extra });
    assert.equal(first.event, event, `${path}: ${JSON.stringify(first)}`);
    c.send({ type: 'ping' });
    assert.deepEqual(await c.next(), { type: 'pong' }, path);
    await c.close();
  }
});

test('RT-03 no auth message in time: AUTH_TIMEOUT and close 4408', async () => {
  for (const [path] of ENDPOINTS) {
    const c = await openWs(srv.url, path);
    const m = await expectErrorClose(c, 'AUTH_TIMEOUT', 4408, 3000);
    assert.equal(m.error, 'Authentication timeout');
  }
});

test('RT-04 auth without api_key (absent, null, empty): AUTH_REQUIRED 4401', async () => {
  for (const auth of [{}, { api_key: null }, { api_key: '' }, { filters: {} }]) {
    const c = await openWs(srv.url, '/realtime/collections/users');
    c.send(auth);
    const m = await expectErrorClose(c, 'AUTH_REQUIRED', 4401);
    assert.equal(m.error, 'API key is required');
  }
});

test('RT-05 unknown api_key: Invalid API key / Project not found, 4401', async () => {
  for (const [path, , extra] of ENDPOINTS) {
    const c = await openWs(srv.url, path);
    c.send({ api_key: 'cb_' + 'x'.repeat(40), ...extra });
    const m = await expectErrorClose(c, 'INVALID_API_KEY', 4401);
    assert.equal(m.error, 'Invalid API key');
    assert.equal(m.error_detail, 'Project not found');
  }
});

test('EXT-07 (part) a token is refused with INVALID_TOKEN 4401, even beside a valid key', async () => {
  for (const auth of [{ token: 'garbage' }, { api_key: key, token: 'garbage' }]) {
    const c = await openWs(srv.url, '/realtime/broadcast');
    c.send(auth);
    await expectErrorClose(c, 'INVALID_TOKEN', 4401);
  }
});

test('auth message that is not JSON: INVALID_JSON 4400; not an object or wrong types: INVALID_MESSAGE 4400', async () => {
  let c = await openWs(srv.url, '/realtime/broadcast');
  c.send('not json');
  await expectErrorClose(c, 'INVALID_JSON', 4400);
  c = await openWs(srv.url, '/realtime/broadcast');  // deeper than --max-json-depth (64)
  c.send(`{"api_key":"${key}","x":${'['.repeat(100)}${']'.repeat(100)}}`);
  await expectErrorClose(c, 'INVALID_JSON', 4400);
  for (const auth of [[1, 2], 'str', 5, { api_key: 5 }, { api_key: key, user_id: {} }, { api_key: key, user_name: 'x'.repeat(129) },
    { api_key: key, room_title: 7 }]) {
    c = await openWs(srv.url, '/realtime/broadcast');
    c.send(JSON.stringify(auth));
    const m = await expectErrorClose(c, 'INVALID_MESSAGE', 4400);
    assert.equal(m.error, 'Invalid auth message');
  }
});

test('RT-07 unknown or missing type after auth: UNKNOWN_TYPE, socket stays open; bad JSON: INVALID_JSON, stays open', async () => {
  for (const [path, , extra] of ENDPOINTS) {
    const { c } = await connectAuthed(srv.url, path, { api_key: key, ...extra });
    c.send({ type: 'nope' });
    let m = await c.next();
    assert.equal(m.type, 'error');
    assert.equal(m.code, 'UNKNOWN_TYPE');
    assert.equal(m.received_type, 'nope');
    c.send({ hello: 1 });
    m = await c.next();
    assert.equal(m.code, 'UNKNOWN_TYPE');
    assert.equal(m.received_type, null);
    c.send('{oops');
    m = await c.next();
    assert.equal(m.code, 'INVALID_JSON');
    c.send('[1]');
    m = await c.next();
    assert.equal(m.code, 'INVALID_JSON');
    c.send({ type: 'ping' });
    assert.deepEqual(await c.next(), { type: 'pong' });
    assert.equal(c.closeInfo, null);
    await c.close();
  }
});

test('RT-08 a binary message closes with 1003 and no error message', async () => {
  const { c } = await connectAuthed(srv.url, '/realtime/broadcast', { api_key: key });
  c.send(new Uint8Array([1, 2, 3]));
  const info = await withTimeout(c.closed, 3000, 'close');
  assert.equal(info.code, 1003);
  assert.ok(!c.all.some((m) => m.type === 'error'), JSON.stringify(c.all));
});

test('RT-09 a message over --ws-max-message-bytes: MESSAGE_TOO_LARGE with limit, close 1009', async () => {
  // before auth and after auth
  let c = await openWs(srv.url, '/realtime/broadcast');
  c.send(JSON.stringify({ api_key: key, pad: 'x'.repeat(2000) }));
  let m = await expectErrorClose(c, 'MESSAGE_TOO_LARGE', 1009);
  assert.equal(m.limit, 1024);
  ({ c } = await connectAuthed(srv.url, '/realtime/broadcast', { api_key: key }));
  c.send({ type: 'message', data: 'y'.repeat(5000) });
  m = await expectErrorClose(c, 'MESSAGE_TOO_LARGE', 1009);
  // a message just under the limit is fine
  ({ c } = await connectAuthed(srv.url, '/realtime/broadcast', { api_key: key }));
  c.send({ type: 'message', data: 'z'.repeat(900) });
  m = await c.next();
  assert.equal(m.type, 'message');
  await c.close();
});

test('RT-10 invalid path parameters are reported after the upgrade, before auth: 4400', async () => {
  let c = await openWs(srv.url, '/realtime/collections/bad%20name!');
  await expectErrorClose(c, 'INVALID_COLLECTION_NAME', 4400);
  c = await openWs(srv.url, '/realtime/collections/documents');
  await expectErrorClose(c, 'INVALID_COLLECTION_NAME', 4400);
  c = await openWs(srv.url, '/realtime/rooms/bad%20room');
  await expectErrorClose(c, 'INVALID_ROOM_ID', 4400);
});

test('RT-13 reconnecting repeatedly with the same auth message succeeds every time', async () => {
  for (let i = 0; i < 20; i++) {
    const { c, first } = await connectAuthed(srv.url, '/realtime/collections/users', { api_key: key });
    assert.equal(first.event, 'connected');
    await c.close();
  }
});

test('RT-14 a plain GET on a WebSocket route gives 400 WEBSOCKET_REQUIRED; unknown /realtime paths 404', async () => {
  const a = api(srv.url, key);
  for (const p of ['/realtime/collections/users', '/realtime/broadcast', '/realtime/rooms/general']) {
    expectError(await a.get(p), 400, 'WEBSOCKET_REQUIRED', p);
  }
  expectError(await a.get('/realtime/nothing'), 404, 'NOT_FOUND');
  expectError(await a.get('/realtime/collections/a/b'), 404, 'NOT_FOUND');
});

test('an upgrade on an unknown /realtime path is not upgraded (404)', async () => {
  const u = new URL(srv.url);
  const text = await new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    let buf = '';
    sock.on('data', (d) => { buf += d; if (buf.includes('\r\n\r\n')) { sock.destroy(); resolve(buf); } });
    sock.on('error', reject);
    sock.write('GET /realtime/nothing HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  });
  assert.match(text, /^HTTP\/1\.1 404/);
});

test('RT-11 (shape) on a collection socket, errors and pong never carry event or data', async () => {
  const { c } = await connectAuthed(srv.url, '/realtime/collections/users', { api_key: key });
  c.send({ type: 'ping' });
  c.send({ type: 'zzz' });
  const msgs = [await c.next(), await c.next()];
  for (const m of msgs) {
    assert.ok(!('event' in m) && !('data' in m), JSON.stringify(m));
  }
  await c.close();
});

test('RT-12 server sends pings; a silent client is closed with IDLE_TIMEOUT 4408', async () => {
  // Pings every 100 ms, idle cut-off 600 ms: the client's automatic pongs keep it open,
  // which shows both that pings are sent and that pongs count as activity.
  const s2 = await startServer({ args: ['--ws-ping-interval-ms', '100', '--ws-idle-timeout-ms', '600'] });
  const { c } = await connectAuthed(s2.url, '/realtime/broadcast', { api_key: s2.apiKey });
  await sleep(1500);
  assert.equal(c.closeInfo, null, 'a client answering pings stays open');
  await c.close();
  const s3 = await startServer({ args: ['--ws-ping-interval-ms', '100000', '--ws-idle-timeout-ms', '500'] });
  const { c: c3 } = await connectAuthed(s3.url, '/realtime/broadcast', { api_key: s3.apiKey });
  await expectErrorClose(c3, 'IDLE_TIMEOUT', 4408, 3000);
  assert.equal((await s2.stop()).forced, false, 'clean shutdown with open sockets');
  await s3.stop();
});

test('RT-15 more messages than the rate allows: RATE_LIMITED 4429', async () => {
  const s2 = await startServer({ args: ['--ws-rate-per-sec', '1', '--ws-rate-burst', '5'] });
  const { c } = await connectAuthed(s2.url, '/realtime/broadcast', { api_key: s2.apiKey });
  for (let i = 0; i < 10; i++) c.send({ type: 'ping' });
  const m = await c.nextWhere((x) => x.type === 'error');
  assert.equal(m.code, 'RATE_LIMITED');
  const info = await withTimeout(c.closed, 3000, 'close');
  assert.equal(info.code, 4429);
  assert.equal(info.reason, 'RATE_LIMITED');
  assert.equal(c.all.filter((x) => x.type === 'pong').length, 5);
  await s2.stop();
});

test('--ws-max-connections refuses the upgrade over the limit', async () => {
  const s2 = await startServer({ args: ['--ws-max-connections', '2'] });
  const a1 = await connectAuthed(s2.url, '/realtime/broadcast', { api_key: s2.apiKey });
  const a2 = await connectAuthed(s2.url, '/realtime/broadcast', { api_key: s2.apiKey });
  await assert.rejects(openWs(s2.url, '/realtime/broadcast'));
  await a1.c.close();
  await sleep(100);
  const a3 = await connectAuthed(s2.url, '/realtime/broadcast', { api_key: s2.apiKey });
  assert.equal(a3.first.event, 'connected');
  await a2.c.close();
  await a3.c.close();
  await s2.stop();
});

test('shutdown closes every socket with 1001 (going away) and exits cleanly', async () => {
  const s2 = await startServer();
  const { c } = await connectAuthed(s2.url, '/realtime/collections/users', { api_key: s2.apiKey });
  const { c: b } = await connectAuthed(s2.url, '/realtime/broadcast', { api_key: s2.apiKey });
  const stopped = s2.stop();
  assert.equal((await withTimeout(c.closed, 5000, 'close')).code, 1001);
  assert.equal((await withTimeout(b.closed, 5000, 'close')).code, 1001);
  const r = await stopped;
  assert.equal(r.forced, false);
  assert.equal(r.code, 0);
});

test('5.1.2 fragmented client messages are reassembled; invalid UTF-8 closes 1007', async () => {
  const { sock, initial } = await rawConnect(srv.url, '/realtime/broadcast', { api_key: key, user_id: 'frag' });
  const text = JSON.stringify({ type: 'message', data: 'in three parts' });
  sock.write(encodeFrame(Buffer.from(text.slice(0, 5)), { opcode: 1, fin: false }));
  sock.write(encodeFrame(Buffer.from(text.slice(5, 12)), { opcode: 0, fin: false }));
  sock.write(encodeFrame(Buffer.from(text.slice(12)), { opcode: 0, fin: true }));
  // A protocol violation drops what is still queued, so let the fan-out go out first.
  await sleep(200);
  sock.write(encodeFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));  // '{' invalid bytes '}'
  const frames = await readAll(sock, initial, 5000);
  const texts = frames.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload));
  assert.equal(texts[0].event, 'connected');
  assert.equal(texts[1].data, 'in three parts');
  const close = frames.find((f) => f.opcode === 8);
  assert.equal(close.payload.readUInt16BE(0), 1007);
  // every server message is one unfragmented text frame
  assert.ok(frames.every((f) => f.fin));
});

test('5.1.6 a client that never answers the close frame is dropped after 5 s', async () => {
  const { sock } = await rawConnect(srv.url, '/realtime/broadcast', { api_key: 'cb_bad' });
  const t0 = Date.now();
  let bytes = 0;
  sock.on('data', (d) => { bytes += d.length; });  // reads, but never replies to the close
  sock.resume();
  await withTimeout(new Promise((r) => sock.on('close', r)), 9000, 'TCP close');
  const took = Date.now() - t0;
  assert.ok(bytes > 0, 'the error and the close frame arrived');
  assert.ok(took >= 4500 && took < 8000, `dropped after ${took} ms`);
});
