// Issue 12, 8: with idle connections beyond the descriptor limit the accept loop spun at 87% of
// a core, logged 9 MB/s, and /health timed out. Now HTTP connections are capped below the
// limit (--http-max-connections, clamped): over it a connection is answered 503 and closed; when
// descriptors run out anyway (WebSockets hold them), the listener backs off and logs once per
// interval; /health answers again once the flood goes. The server runs under a low fd limit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { startServer, stopAll, sleep, SANITIZED } from './lib/server.mjs';

after(async () => { await stopAll(); });

const FD_LIMIT = 256;
const FLOOD = 320;  // more connections than the process can have descriptors
const prlimit = ['prlimit', `--nofile=${FD_LIMIT}:${FD_LIMIT}`];

function connectIdle(url) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    sock.received = '';
    sock.ended = false;
    sock.on('data', (d) => { sock.received += d.toString('latin1'); });
    sock.on('end', () => { sock.ended = true; });
    sock.on('close', () => { sock.ended = true; });
    sock.on('error', () => {});
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}

async function waitFor(what, cond, ms = 30000) {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function healthEventually(url) {
  let last = '';
  const until = Date.now() + 30000;
  for (;;) {
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
      if (r.status === 200) return;
      last = `status ${r.status}`;
    } catch (e) { last = e.message; }
    if (Date.now() > until) throw new Error(`/health never answered 200 after the flood: ${last}`);
    await sleep(100);
  }
}

function logLines(srv) {
  return (srv.stdout() + srv.stderr()).split('\n').filter((l) => /accept/i.test(l)).length;
}

test('idle HTTP connections past the cap are answered 503 and closed; /health recovers', async () => {
  const srv = await startServer({ wrap: prlimit });
  const socks = [];
  for (let i = 0; i < FLOOD; i++) socks.push(await connectIdle(srv.url));
  // At most FD_LIMIT can be open at once, so at least FLOOD - FD_LIMIT were refused.
  const refused = () => socks.filter((s) => s.ended && s.received.startsWith('HTTP/1.1 503'));
  await waitFor(`${FLOOD - FD_LIMIT} refusals`, () => refused().length >= FLOOD - FD_LIMIT);
  const text = refused()[0].received;
  assert.match(text, /\r\nRetry-After: \d+\r\n/i);
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
  assert.equal(body.code, 'UNAVAILABLE');
  assert.equal(typeof body.detail, 'string');

  for (const s of socks) s.destroy();
  await healthEventually(srv.url);
  assert.ok(logLines(srv) <= 5, `log lines about accept: ${logLines(srv)}`);
});

function upgrade(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    sock.upgraded = false;
    sock.on('data', (d) => { if (/^HTTP\/1\.1 101/.test(d.toString('latin1'))) sock.upgraded = true; });
    sock.on('error', () => {});
    sock.once('connect', () => {
      sock.write(`GET /realtime/broadcast HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      resolve(sock);
    });
  });
}

test('out of descriptors (WebSockets hold them), the listener backs off and logs once per interval', { skip: SANITIZED ? `UBSan reports false errors without descriptors (${SANITIZED})` : false }, async () => {
  // Unauthenticated sockets stay: they hold their descriptors for the whole test.
  const srv = await startServer({ wrap: prlimit, args: ['--ws-auth-timeout-ms', '600000'] });
  const socks = [];
  for (let i = 0; i < FLOOD; i++) socks.push(await upgrade(srv.url));
  // The descriptors ran out: the server says so (once).
  await waitFor('the out-of-descriptors log line', () => logLines(srv) >= 1);
  const upgraded = socks.filter((s) => s.upgraded).length;
  assert.ok(upgraded < FLOOD, `${upgraded} of ${FLOOD} upgraded under a limit of ${FD_LIMIT}`);
  // A window to see what it does meanwhile: the old loop wrote thousands of lines in it.
  await sleep(3000);
  assert.ok(logLines(srv) <= 2, `log lines about accept while out of descriptors: ${logLines(srv)}`);

  for (const s of socks) s.destroy();
  await healthEventually(srv.url);
});
