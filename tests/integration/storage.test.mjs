// Storage (issue 12, finding 9): a full disk answers 503 STORAGE_FULL with Retry-After and
// corrupts nothing, writes work again once space is freed; the WAL is truncated after a burst.
//
// The full disk is a real one: a small tmpfs mounted by the test (root only; the test says so
// and skips otherwise), with a filler file that the test deletes to free space.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  startServer, stopAll, api, makeTempDir, expectError, expectStatus, sleep,
} from './lib/server.mjs';

const mounts = [];
after(async () => {
  // Unmounted before stopAll removes the temp dirs (a mount point cannot be removed); lazily,
  // in case a failed test left a server running on it.
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  await stopAll();
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const pad = (n) => 'x'.repeat(n);

test('a full disk answers 503 STORAGE_FULL with Retry-After; nothing acknowledged is lost; writes resume once space is freed',
  { skip: isRoot ? false : 'needs root to mount a tmpfs (tests run as root in CI)' }, async (t) => {
    const mnt = await makeTempDir('cocobase-full-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (e) {
      // Root without CAP_SYS_ADMIN (some containers): say so rather than fail.
      t.skip(`cannot mount a tmpfs here: ${String(e.stderr || e.message).trim()}`);
      return;
    }
    mounts.push(mnt);
    const filler = path.join(mnt, 'filler');
    fs.writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024, 1));
    const dir = path.join(mnt, 'data');
    let srv = await startServer({ dataDir: dir });
    const key = srv.apiKey;
    const a = api(srv.url, key);
    const acked = [];
    let full;
    for (let i = 0; i < 200 && !full; i++) {
      const r = await a.post('/collections/big/documents', { data: { i, pad: pad(100 * 1024) } });
      if (r.status === 201) acked.push(r.json.id);
      else full = r;
    }
    assert.ok(full, `the 6 MiB disk never filled (${acked.length} documents written)`);
    expectError(full, 503, 'STORAGE_FULL', 'write on a full disk');
    assert.match(full.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, 'Retry-After in seconds');
    assert.ok(acked.length > 5, `only ${acked.length} writes before the disk filled`);
    // Still full: refused again the same way, and reads still work.
    expectError(await a.post('/collections/big/documents', { data: { pad: pad(100 * 1024) } }), 503, 'STORAGE_FULL', 'second');
    const c = await a.get('/collections/big/query/documents/count');
    expectStatus(c, 200, 'count on a full disk');
    assert.equal(c.json.count, acked.length);
    // Signup writes through another path: same answer.
    const s = await a.post('/auth-collections/signup', { email: 'full@example.com', password: 'password123', data: { pad: pad(200 * 1024) } });
    if (s.status !== 201) expectError(s, 503, 'STORAGE_FULL', 'signup on a full disk');

    fs.rmSync(filler);
    const after1 = await a.post('/collections/big/documents', { data: { after: true } });
    expectStatus(after1, 201, 'write after space was freed');
    acked.push(after1.json.id);

    await srv.stop();
    const db = path.join(dir, 'cocobase.db');
    assert.equal(execFileSync('sqlite3', [db, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
    srv = await startServer({ dataDir: dir, apiKey: key });
    const b = api(srv.url, key);
    const c2 = await b.get('/collections/big/query/documents/count');
    expectStatus(c2, 200);
    assert.equal(c2.json.count, acked.length, 'every acknowledged write survived, nothing else');
    for (const id of [acked[0], acked[acked.length - 2], acked[acked.length - 1]]) {
      expectStatus(await b.get(`/collections/big/documents/${id}`), 200, `document ${id}`);
    }
    await srv.stop();
  });

test('the WAL is truncated after a burst of writes and a quiet moment', async () => {
  const srv = await startServer();
  const a = api(srv.url, srv.apiKey);
  const wal = path.join(srv.dataDir, 'cocobase.db-wal');
  // ~12 MiB in 48 batch writes: below the 32 MiB checkpoint threshold, so before the fix it
  // stayed in the WAL for good.
  for (let i = 0; i < 48; i++) {
    const docs = Array.from({ length: 4 }, (_, j) => ({ i, j, pad: pad(64 * 1024) }));
    expectStatus(await a.post('/collections/burst/batch/documents/create', { documents: docs }), 201, `batch ${i}`);
  }
  const peak = fs.statSync(wal).size;
  assert.ok(peak > 8 * 1024 * 1024, `WAL after the burst: ${peak} bytes`);
  const BOUND = 1024 * 1024;
  const deadline = Date.now() + 15000;
  let size = peak;
  while (Date.now() < deadline) {
    size = fs.existsSync(wal) ? fs.statSync(wal).size : 0;
    if (size <= BOUND) break;
    await sleep(100);  // polling the observable file size
  }
  assert.ok(size <= BOUND, `WAL still ${size} bytes 15 s after the burst (peak ${peak})`);
  // The data is all there, and writing again works.
  const c = await a.get('/collections/burst/query/documents/count');
  assert.equal(c.json.count, 192);
  expectStatus(await a.post('/collections/burst/documents', { data: { after: 1 } }), 201);
  await srv.stop();
});
