// PROTOCOL 8a: lossless resume (EXT-03), resync_required (EXT-04), slow consumers (EXT-09).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, api, sleep } from '../integration/lib/server.mjs';
import { connectAuthed, expectErrorClose, openWs } from './lib/ws.mjs';
import { rawConnect, readAll } from './lib/raw_ws.mjs';

let srv;
let a;

before(async () => {
  srv = await startServer({ args: ['--ws-max-replay-events', '50'] });
  a = api(srv.url, srv.apiKey);
});
after(async () => { await stopAll(); });

const watch = (coll, extra = {}, s = srv) => connectAuthed(s.url, `/realtime/collections/${coll}`, { api_key: s.apiKey, ...extra });

async function writeN(coll, n, body = (i) => ({ i })) {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await a.post(`/collections/${coll}`, body(i))).json);
  return out;
}

test('EXT-03 resume_from N replays N+1..head with replay:true, then replay_done, then live', async () => {
  await writeN('r1', 5);
  const { c, first } = await watch('r1', { resume_from: 2 });
  assert.equal(first.event, 'connected');
  assert.equal(first.head_seq, 5);
  for (const seq of [3, 4, 5]) {
    const m = await c.next();
    assert.equal(m.event, 'create');
    assert.equal(m.seq, seq);
    assert.equal(m.replay, true);
    assert.equal(m.data.data.i, seq - 1);
  }
  assert.deepEqual(await c.next(), { event: 'replay_done', collection_id: 'r1', head_seq: 5, replayed: 3 });
  await a.post('/collections/r1', { i: 5 });
  const live = await c.next();
  assert.equal(live.seq, 6);
  assert.ok(!('replay' in live));
  await c.close();
});

test('EXT-03 resume at the head replays nothing; resume_from 0 replays all; replay_done has no data', async () => {
  await writeN('r2', 3);
  let { c } = await watch('r2', { resume_from: 3 });
  let m = await c.next();
  assert.deepEqual(m, { event: 'replay_done', collection_id: 'r2', head_seq: 3, replayed: 0 });
  await c.close();
  ({ c } = await watch('r2', { resume_from: 0 }));
  const seqs = [];
  for (let i = 0; i < 3; i++) seqs.push((await c.next()).seq);
  assert.deepEqual(seqs, [1, 2, 3]);
  m = await c.next();
  assert.equal(m.event, 'replay_done');
  assert.equal(m.replayed, 3);
  assert.ok(!('data' in m));
  await c.close();
  // never-written collection
  ({ c } = await watch('r2never', { resume_from: 0 }));
  assert.deepEqual(await c.next(), { event: 'replay_done', collection_id: 'r2never', head_seq: 0, replayed: 0 });
  await c.close();
});

test('8a + 8b: a filtered replay applies the filter rules, left_filter included; replayed counts what passed', async () => {
  const d = (await a.post('/collections/r3', { s: 'a' })).json;                 // 1 in
  await a.post('/collections/r3', { s: 'b' });                                   // 2 out
  await a.patch(`/collections/r3/documents/${d.id}`, { s: 'b' });               // 3 leaves
  await a.patch(`/collections/r3/documents/${d.id}`, { s: 'c' });               // 4 out
  const { c } = await watch('r3', { filters: { s: 'a' }, resume_from: 0 });
  let m = await c.next();
  assert.equal(m.seq, 1);
  m = await c.next();
  assert.equal(m.seq, 3);
  assert.equal(m.left_filter, true);
  assert.equal(m.replay, true);
  assert.deepEqual(await c.next(), { event: 'replay_done', collection_id: 'r3', head_seq: 4, replayed: 2 });
  await c.close();
});

test('EXT-04 resume_from above the head: resync_required ahead, then live events', async () => {
  await writeN('r4', 2);
  const { c } = await watch('r4', { resume_from: 10 });
  const m = await c.next();
  assert.deepEqual(m, { event: 'resync_required', collection_id: 'r4', reason: 'ahead', resume_from: 10, floor_seq: 0, head_seq: 2 });
  await a.post('/collections/r4', {});
  assert.equal((await c.next()).seq, 3);
  await c.close();
});

test('EXT-04 a replay above --ws-max-replay-events: resync_required too_many', async () => {
  await a.post('/collections/r5/batch/documents/create', { documents: Array.from({ length: 60 }, (_, i) => ({ i })) });
  let { c } = await watch('r5', { resume_from: 5 });
  const m = await c.next();
  assert.equal(m.event, 'resync_required');
  assert.equal(m.reason, 'too_many');
  assert.equal(m.head_seq, 60);
  assert.equal(m.resume_from, 5);
  await c.close();
  ({ c } = await watch('r5', { resume_from: 10 }));  // exactly 50: allowed
  const seqs = [];
  for (let i = 0; i < 50; i++) seqs.push((await c.next()).seq);
  assert.equal(seqs[0], 11);
  assert.equal(seqs[49], 60);
  assert.equal((await c.next()).event, 'replay_done');
  await c.close();
});

test('EXT-04 a resume below the retained log: resync_required too_old', async () => {
  const s2 = await startServer({ args: ['--changelog-max-events', '3'] });
  const a2 = api(s2.url, s2.apiKey);
  for (let i = 0; i < 10; i++) await a2.post('/collections/old', { i });
  await sleep(1500);  // pruning runs about once a second
  let { c } = await watch('old', { resume_from: 1 }, s2);
  const m = await c.next();
  assert.equal(m.event, 'resync_required');
  assert.equal(m.reason, 'too_old');
  assert.equal(m.head_seq, 10);
  assert.ok(m.floor_seq >= 7 && m.floor_seq <= 10, JSON.stringify(m));
  await c.close();
  // from the floor itself the replay works
  ({ c } = await watch('old', { resume_from: m.floor_seq }, s2));
  const seqs = [];
  for (let i = m.floor_seq + 1; i <= 10; i++) seqs.push((await c.next()).seq);
  assert.equal((await c.next()).event, 'replay_done');
  await c.close();
  await s2.stop();
});

// A model of what a client that resumes must see: every seq of the collection that passes its
// filter, exactly once, in order, across any number of reconnects.
test('EXT-03 randomized: watchers disconnecting at random while writers run see every seq exactly once, in order', async () => {
  const s2 = await startServer();  // default --ws-max-replay-events: a resume never resyncs here
  const a = api(s2.url, s2.apiKey);
  const coll = 'rnd';
  const ids = [];
  let stop = false;
  let seed = 12345;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const writer = async () => {
    while (!stop) {
      const op = rand(10);
      if (op < 5 || ids.length === 0) {
        const r = await a.post(`/collections/${coll}`, { s: ['a', 'b'][rand(2)], n: rand(100) });
        ids.push(r.json.id);
      } else if (op < 8) {
        await a.patch(`/collections/${coll}/documents/${ids[rand(ids.length)]}`, { s: ['a', 'b'][rand(2)] });
      } else {
        const id = ids.splice(rand(ids.length), 1)[0];
        await a.del(`/collections/${coll}/documents/${id}`);
      }
    }
  };
  // One watcher's life: connect with resume_from = last processed seq, read a random number of
  // messages, drop the socket, repeat.
  const watcher = (filters) => {
    const w = { filters, events: [], last: 0, done: false, reconnects: 0 };
    w.run = (async () => {
      while (!w.done) {
        const { c, first } = await watch(coll, { resume_from: w.last, ...(filters ? { filters } : {}) }, s2);
        assert.equal(first.event, 'connected');
        const budget = rand(40);
        let n = 0;
        try {
          while (n++ < budget && !w.done) {
            const m = await c.next(2000);
            if (m.event === 'resync_required') assert.fail(`unexpected resync: ${JSON.stringify(m)}`);
            if (m.event === 'replay_done') { w.last = Math.max(w.last, m.head_seq); continue; }
            assert.ok(m.seq > w.last, `seq ${m.seq} after ${w.last}: duplicate or out of order`);
            w.events.push(m);
            w.last = m.seq;
          }
        } catch (e) {
          if (!/no message within/.test(e.message)) throw e;
        }
        c.ws.close();
        w.reconnects++;
        if (rand(3) === 0) await sleep(rand(30));
      }
    })();
    return w;
  };
  const writers = [writer(), writer()];
  const all = watcher(null);
  const onlyA = watcher({ s: 'a' });
  await sleep(3000);
  stop = true;
  await Promise.all(writers);
  const head = (await a.get(`/collections/${coll}/documents?limit=0`)).seq;
  const deadline = Date.now() + 15000;
  while ((all.last < head || onlyA.last < head) && Date.now() < deadline) await sleep(50);
  all.done = true;
  onlyA.done = true;
  await Promise.all([all.run, onlyA.run]);
  assert.ok(head > 50, `enough writes happened (${head})`);
  assert.ok(all.reconnects > 5 && onlyA.reconnects > 5, `reconnects ${all.reconnects} ${onlyA.reconnects}`);
  assert.deepEqual(all.events.map((m) => m.seq), Array.from({ length: head }, (_, i) => i + 1), 'unfiltered: every seq once, in order');
  const passes = (m) => m.data.data.s === 'a' || (m.event === 'update' && m.old_data.s === 'a');
  const expected = all.events.filter(passes).map((m) => m.seq);
  assert.deepEqual(onlyA.events.map((m) => m.seq), expected, 'filtered: every matching seq once, in order');
  for (const m of onlyA.events) {
    const left = m.event === 'update' && m.old_data.s === 'a' && m.data.data.s !== 'a';
    assert.equal(m.left_filter === true, left, `left_filter of ${m.seq}`);
  }
  await s2.stop();
});

test('EXT-09 a client that stops reading is closed with 4509; a resume afterwards loses nothing', async () => {
  const s2 = await startServer({ args: ['--ws-max-queue-bytes', '65536'] });
  const a2 = api(s2.url, s2.apiKey);
  const { sock, initial } = await rawConnect(s2.url, '/realtime/collections/slow', { api_key: s2.apiKey });
  await sleep(100);
  const pad = 'p'.repeat(8000);
  let head = 0;
  for (let b = 0; b < 6; b++) {
    const r = await a2.post('/collections/slow/batch/documents/create',
      { documents: Array.from({ length: 400 }, (_, i) => ({ i: b * 400 + i, pad })) });
    assert.equal(r.status, 201, r.text);
    head = r.seq;
  }
  const frames = await readAll(sock, initial);
  const close = frames.find((f) => f.opcode === 8);
  assert.ok(close, 'a close frame arrived');
  assert.equal(close.payload.readUInt16BE(0), 4509);
  const texts = frames.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString('utf8')));
  assert.equal(texts[0].event, 'connected');
  const events = texts.filter((m) => m.event === 'create');
  assert.ok(events.length < head, `some events were dropped (${events.length} of ${head})`);
  events.forEach((m, i) => assert.equal(m.seq, i + 1));
  const last = events.length ? events[events.length - 1].seq : 0;
  // the resume delivers the rest
  const c = await openWs(s2.url, '/realtime/collections/slow');
  c.send({ api_key: s2.apiKey, resume_from: last });
  assert.equal((await c.next()).event, 'connected');
  for (let seq = last + 1; seq <= head; seq++) assert.equal((await c.next(10000)).seq, seq);
  assert.equal((await c.next()).event, 'replay_done');
  await c.close();
  await s2.stop();
});

test('INVALID_RESUME closes 4400', async () => {
  const c = await openWs(srv.url, '/realtime/collections/x');
  c.send({ api_key: srv.apiKey, resume_from: -3 });
  await expectErrorClose(c, 'INVALID_RESUME', 4400);
});

// Issue #12, finding 3: a resume read up to --ws-max-replay-events log entries at once and held
// them while the client did not read (53 MB per watcher with 500 KB documents). It now reads
// a page at a time as the socket drains. Pages of 2 entries (or 300 bytes) make every replay
// here cross many pages: what it sends must be what one big read sent.
test('a replay read page by page sends every event once, in order, filtered, across page edges', async () => {
  const s2 = await startServer({ args: ['--ws-replay-page-events', '2', '--ws-replay-page-bytes', '300'] });
  const b = api(s2.url, s2.apiKey);
  for (let i = 0; i < 25; i++) await b.post('/collections/paged', { i, even: i % 2 === 0, pad: 'x'.repeat(i % 3 ? 10 : 400) });
  const run = async (extra) => {
    const { c, first } = await connectAuthed(s2.url, '/realtime/collections/paged', { api_key: s2.apiKey, ...extra });
    assert.equal(first.head_seq, 25);
    const got = [];
    for (;;) {
      const m = await c.next();
      if (m.event === 'replay_done') { await c.close(); return { got, done: m }; }
      assert.equal(m.replay, true);
      got.push(m.seq);
    }
  };
  let r = await run({ resume_from: 3 });
  assert.deepEqual(r.got, Array.from({ length: 22 }, (_, k) => k + 4));
  assert.equal(r.done.replayed, 22);
  r = await run({ resume_from: 0, filters: { even: true } });
  assert.deepEqual(r.got, Array.from({ length: 13 }, (_, k) => 2 * k + 1));
  assert.equal(r.done.replayed, 13);
  r = await run({ resume_from: 24 });
  assert.deepEqual(r.got, [25]);
  await s2.stop();
});
