// Crash durability: SIGKILL the server while 8 keep-alive clients create
// documents, restart it on the same data dir, and check that every
// acknowledged (201) create survived and that the collection's change-log
// seqs are dense (PROTOCOL 3.15, 8a, 8g). Done twice, then a clean SIGTERM.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopAll, api, makeTempDir, errorShapeViolations, expectStatus, sleep,
} from './lib/server.mjs';

const LOOPS = 8;
const RUN_MS = 1500;
const KILL_AFTER_MS = 750;
const KILLS = 2;
const C = 'dur';

let dataDir;
let apiKey;
let srv;
const acked = new Map(); // id -> { data, seq }
const unexpected = []; // non-201 answers received while the server was alive

before(async () => {
  dataDir = await makeTempDir('cocobase-dur-');
  srv = await startServer({ dataDir });
  apiKey = srv.apiKey;
  assert.match(apiKey ?? '', /^cb_[A-Za-z0-9]{40}$/);
});

after(async () => { await stopAll(); });

async function runLoopsAndKill(round) {
  const a = api(srv.url, apiKey);
  const deadline = Date.now() + RUN_MS;
  let killed = false;
  let attempts = 0;
  const loops = Array.from({ length: LOOPS }, (_, loop) => (async () => {
    for (let i = 0; Date.now() < deadline; i++) {
      const data = { round, loop, i, pad: 'p'.repeat(i % 50) };
      let r;
      attempts++;
      try {
        r = await a.post(`/collections/documents?collection=${C}`, { data });
      } catch {
        return; // the connection died with the server: outcome unknown
      }
      if (r.status === 201) {
        acked.set(r.json.id, { data, seq: r.seqRaw });
      } else if (!killed) {
        unexpected.push(`${r.status} ${r.text.slice(0, 200)}`);
      } else {
        return;
      }
    }
  })());
  await sleep(KILL_AFTER_MS);
  await srv.kill('SIGKILL');
  killed = true;
  await Promise.all(loops);
  return attempts;
}

async function verify(what) {
  const a = api(srv.url, apiKey);
  const l = await a.get(`/collections/${C}/documents?limit=0`);
  expectStatus(l, 200, `${what}: list`);
  assert.match(l.seqRaw ?? '', /^\d+$/, `${what}: list carries X-Cocobase-Seq`);
  const head = Number(l.seqRaw);
  const cnt = await a.get(`/collections/${C}/query/documents/count`);
  expectStatus(cnt, 200, `${what}: count`);
  const n = cnt.json.count;
  // only creates happened: a dense change log has head == number of documents
  assert.equal(head, n, `${what}: head seq ${head} != document count ${n} (gap or lost write in the change log)`);
  assert.ok(n >= acked.size, `${what}: ${n} documents but ${acked.size} creates were acknowledged`);
  const seqs = new Set();
  for (const [id, { seq }] of acked) {
    assert.match(seq ?? '', /^\d+$/, `${what}: 201 without X-Cocobase-Seq for ${id}`);
    const s = Number(seq);
    assert.ok(s >= 1 && s <= head, `${what}: acknowledged seq ${s} outside 1..${head}`);
    assert.ok(!seqs.has(s), `${what}: seq ${s} acknowledged twice`);
    seqs.add(s);
  }
  // every acknowledged create is readable, with its data (in parallel, bounded)
  const ids = [...acked.keys()];
  for (let i = 0; i < ids.length; i += 32) {
    await Promise.all(ids.slice(i, i + 32).map(async (id) => {
      const g = await a.get(`/collections/${C}/documents/${id}`);
      assert.equal(g.status, 200, `${what}: acknowledged document ${id} lost after SIGKILL (${g.status})`);
      assert.deepEqual(g.json.data, acked.get(id).data, `${what}: document ${id} data`);
    }));
  }
  return head;
}

test('SIGKILL during concurrent creates loses no acknowledged write; seqs stay dense (twice)', async (t) => {
  let prevHead = 0;
  for (let round = 1; round <= KILLS; round++) {
    const before = acked.size;
    const attempts = await runLoopsAndKill(round);
    assert.ok(acked.size > before, `round ${round}: no create succeeded before the kill (${attempts} attempts)`);
    assert.deepEqual(unexpected, [], `round ${round}: non-201 answers while the server was up`);

    srv = await startServer({ dataDir, apiKey });
    assert.ok(!/API key:/.test(srv.stdout()), 'the default key is printed only on the first start');
    const head = await verify(`after kill ${round}`);
    assert.ok(head >= prevHead, `round ${round}: head went back from ${prevHead} to ${head}`);
    t.diagnostic(`round ${round}: ${acked.size - before} creates acknowledged of ${attempts} attempted; head after restart ${head}`);

    // the next write continues right after the recovered head
    const a = api(srv.url, apiKey);
    const data = { round, after: true };
    const r = await a.post(`/collections/documents?collection=${C}`, { data });
    expectStatus(r, 201, 'create after restart');
    assert.equal(r.seqRaw, String(head + 1), `round ${round}: first seq after restart`);
    acked.set(r.json.id, { data, seq: r.seqRaw });
    prevHead = head + 1;
  }
});

test('SIGTERM stops the server cleanly and everything is there after a restart', async () => {
  const res = await srv.stop();
  assert.equal(res.forced, false, 'server did not exit on SIGTERM within 10 s');
  srv = await startServer({ dataDir, apiKey });
  await verify('after SIGTERM');
});

test('CONV-07 every non-2xx response seen in this file had the error body shape', () => {
  assert.deepEqual(errorShapeViolations, []);
});
