// GET /metrics carries the realtime counters (PROTOCOL 8g): connections, sessions per endpoint,
// live deliveries, replays, resyncs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api } from '../integration/lib/server.mjs';
import { connectAuthed } from './lib/ws.mjs';

let srv;
let a;

before(async () => {
  srv = await startServer();
  a = api(srv.url, srv.apiKey);
});
after(async () => { await stopAll(); });

async function metrics() {
  const r = await a.get('/metrics', { noKey: true });
  assert.equal(r.status, 200);
  const values = {};
  for (const line of r.text.split('\n')) {
    const m = /^(cocobase_\w+) (\d+)$/.exec(line);
    if (m) values[m[1]] = Number(m[2]);
  }
  return values;
}

test('8g realtime counters move with watch sessions, deliveries, replays and resyncs', async () => {
  const before = await metrics();
  for (const name of ['cocobase_ws_connections', 'cocobase_ws_watch_sessions_total', 'cocobase_ws_watch_deliveries_total',
    'cocobase_ws_replayed_events_total', 'cocobase_ws_resyncs_total', 'cocobase_ws_slow_consumer_closes_total',
    'cocobase_ws_broadcast_sessions_total', 'cocobase_ws_room_sessions_total']) {
    assert.equal(typeof before[name], 'number', `${name} is exposed`);
  }

  const w1 = await connectAuthed(srv.url, '/realtime/collections/m1', { api_key: srv.apiKey });
  const w2 = await connectAuthed(srv.url, '/realtime/collections/m1', { api_key: srv.apiKey });
  const b = await connectAuthed(srv.url, '/realtime/broadcast', { api_key: srv.apiKey });
  await a.post('/collections/m1', { n: 1 });
  await w1.c.next();
  await w2.c.next();
  let now = await metrics();
  assert.equal(now.cocobase_ws_connections - before.cocobase_ws_connections, 3);
  assert.equal(now.cocobase_ws_watch_sessions_total - before.cocobase_ws_watch_sessions_total, 2);
  assert.equal(now.cocobase_ws_broadcast_sessions_total - before.cocobase_ws_broadcast_sessions_total, 1);
  assert.equal(now.cocobase_ws_watch_deliveries_total - before.cocobase_ws_watch_deliveries_total, 2, 'one event, two watchers');

  // A resume from seq 0 replays the one event; a resume from beyond the head needs a resync.
  const r = await connectAuthed(srv.url, '/realtime/collections/m1', { api_key: srv.apiKey, resume_from: 0 });
  assert.equal((await r.c.next()).replay, true);
  const s = await connectAuthed(srv.url, '/realtime/collections/m1', { api_key: srv.apiKey, resume_from: 1000 });
  assert.equal((await s.c.next()).event, 'resync_required');
  now = await metrics();
  assert.equal(now.cocobase_ws_replayed_events_total - before.cocobase_ws_replayed_events_total, 1);
  assert.equal(now.cocobase_ws_resyncs_total - before.cocobase_ws_resyncs_total, 1);
  for (const x of [w1, w2, b, r, s]) await x.c.close();
});
