// Issue 12, 3-pong: a client that sends ping frames and never reads was owed one pong per ping,
// queued without bound (~180 MB/s; 1.6 GB on one socket). Only the latest pong is owed now
// (RFC 6455 5.5.3): the server's peak memory stays far below what it was sent, and the latest
// ping is still answered. The bound is generous; the baseline went past it several times over.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startServer, stopAll, SANITIZED } from '../integration/lib/server.mjs';
import { rawConnect, encodeFrame, parseFrames } from './lib/raw_ws.mjs';

after(async () => { await stopAll(); });

const SENT_BYTES = 320 * 1024 * 1024;
const PEAK_RSS_BOUND = 160 * 1024 * 1024;

function statusKb(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

function write(sock, buf) {
  return new Promise((resolve, reject) => {
    sock.write(buf, (e) => (e ? reject(e) : resolve()));
  });
}

test('a ping flood from a client that does not read is owed one pong, not one per ping', async (t) => {
  const srv = await startServer();
  const { sock, initial } = await rawConnect(srv.url, '/realtime/collections/pongs', { api_key: srv.apiKey });
  // The largest control payload (125 bytes), so the pongs fill the kernel's buffers quickly and
  // the rest would have to queue in the server.
  const ping = encodeFrame(Buffer.alloc(125, 0x61), { opcode: 0x9 });
  const block = Buffer.concat(Array(8192).fill(ping));  // ~1 MB per write
  let pings = 1;  // the last one below
  for (let sent = 0; sent < SENT_BYTES; sent += block.length) {
    await write(sock, block);
    pings += 8192;
  }
  const token = crypto.randomBytes(8).toString('hex');
  await write(sock, encodeFrame(Buffer.from(`last-${token}`), { opcode: 0x9 }));

  // Read now: pongs arrive in order, so the one for the last ping means all were processed.
  let buf = initial;
  let pongs = 0;
  const last = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no pong for the last ping (${pongs} pongs read)`)), 120000);
    sock.on('data', (d) => {
      const { frames, rest } = parseFrames(Buffer.concat([buf, d]));
      buf = rest;
      for (const f of frames) {
        if (f.opcode === 0x8) { clearTimeout(t); reject(new Error(`closed: ${f.payload.subarray(2)}`)); }
        if (f.opcode !== 0xA) continue;
        pongs++;
        if (f.payload.toString() === `last-${token}`) { clearTimeout(t); resolve(f); }
      }
    });
    sock.on('error', reject);
    sock.resume();
  });
  assert.equal(last.payload.toString(), `last-${token}`);
  // One pong per ping (the old queue) would be every ping; the kernel's buffers hold a few
  // tens of thousands of pongs, and only the latest ping is owed one beyond them.
  assert.ok(pongs < pings / 10, `${pongs} pongs for ${pings} pings`);
  const peak = statusKb(srv.proc.pid, 'VmHWM');
  t.diagnostic(`${pings} pings, ${pongs} pongs read, peak RSS ${(peak / 1048576).toFixed(1)} MB, RSS now ${(statusKb(srv.proc.pid, 'VmRSS') / 1048576).toFixed(1)} MB`);
  if (SANITIZED) return t.diagnostic(`peak RSS not checked: ${SANITIZED}`);
  assert.ok(peak < PEAK_RSS_BOUND,
    `peak RSS ${(peak / 1048576).toFixed(0)} MB after ${SENT_BYTES / 1048576} MB of pings (bound ${PEAK_RSS_BOUND / 1048576} MB)`);
  sock.destroy();
});
