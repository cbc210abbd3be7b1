// Realtime options of PROTOCOL 1.7, 5.1.2 and 6.2: --ws-allowed-origins, --ws-deflate,
// --room-empty-grace-ms.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, stopAll, api, sleep } from '../integration/lib/server.mjs';
import { connectAuthed, expectErrorClose, openWs } from './lib/ws.mjs';

after(async () => { await stopAll(); });

/** The status line of an upgrade request sent with the given Origin (or none). */
function upgradeStatus(httpUrl, path, origin) {
  const u = new URL(httpUrl);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    let buf = '';
    sock.on('data', (d) => { buf += d; if (buf.includes('\r\n')) { sock.destroy(); resolve(buf.split('\r\n')[0]); } });
    sock.on('error', reject);
    sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      (origin ? `Origin: ${origin}\r\n` : '') +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  });
}

test('1.7 --ws-allowed-origins: upgrades from other Origins get 403, listed ones upgrade', async () => {
  const s = await startServer({ args: ['--ws-allowed-origins', 'https://app.example, https://b.example'] });
  assert.match(await upgradeStatus(s.url, '/realtime/broadcast', 'https://evil.example'), / 403 /);
  assert.match(await upgradeStatus(s.url, '/realtime/broadcast'), / 403 /);
  assert.match(await upgradeStatus(s.url, '/realtime/broadcast', 'https://b.example'), / 101 /);
  const open = await startServer();
  assert.match(await upgradeStatus(open.url, '/realtime/broadcast', 'https://evil.example'), / 101 /);
  await s.stop();
  await open.stop();
});

test('5.1.2 --ws-deflate: events still arrive intact (compressed when the client offers it)', async () => {
  const s = await startServer({ args: ['--ws-deflate=true'] });
  const { c } = await connectAuthed(s.url, '/realtime/collections/z', { api_key: s.apiKey });
  const big = 'x'.repeat(5000);
  await api(s.url, s.apiKey).post('/collections/z', { big });
  const m = await c.next();
  assert.equal(m.data.data.big, big);
  assert.match(c.ws.extensions, /permessage-deflate/);
  await c.close();
  await s.stop();
  const plain = await startServer();  // off by default
  const p = await connectAuthed(plain.url, '/realtime/broadcast', { api_key: plain.apiKey });
  assert.equal(p.c.ws.extensions, '');
  await p.c.close();
  await plain.stop();
});

test('6.2 --room-empty-grace-ms keeps an empty room (participants 0) with its history, then removes it', async () => {
  const s = await startServer({ args: ['--room-empty-grace-ms', '700'] });
  const a = api(s.url, s.apiKey);
  let { c } = await connectAuthed(s.url, '/realtime/rooms/g', { api_key: s.apiKey, user_id: 'u', action: 'create', room_title: 'Kept' });
  c.send({ type: 'message', content: 'before' });
  await c.next();
  await c.close();
  await sleep(100);
  const listed = (await a.get('/realtime/rooms')).json.rooms.find((r) => r.id === 'g');
  assert.equal(listed.participants, 0);
  assert.deepEqual(listed.participant_list, []);
  let first;
  ({ c, first } = await connectAuthed(s.url, '/realtime/rooms/g', { api_key: s.apiKey, user_id: 'v', history: 5 }));
  assert.equal(first.event, 'joined');
  assert.equal(first.created, false);
  assert.equal(first.room_title, 'Kept');
  assert.equal((await c.next()).content, 'before');
  await c.close();
  await sleep(1000);
  assert.equal((await a.get('/realtime/rooms')).json.total, 0);
  const j = await openWs(s.url, '/realtime/rooms/g');
  j.send({ api_key: s.apiKey });
  await expectErrorClose(j, 'ROOM_NOT_FOUND', 4404);
  await s.stop();
});
