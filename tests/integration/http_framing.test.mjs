// Issue 12, 3-chunk and 9: HTTP framing the server used to take too kindly.
// - A chunked body's extensions and trailers were buffered without limit before anything was
//   authenticated (400 MB sent -> 737 MB RSS): they count against the 64 KiB header limit now,
//   431 and the connection closes.
// - A bare-LF chunk line held the connection until the 120 s idle timer: 400 at once now.
// - HEAD /health was 405; a request without Host, or with two, was served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, stopAll, expectError } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await stopAll(); });

// Far below the 120 s idle timer the old server waited for; an answer comes in milliseconds.
const ANSWER_WITHIN_MS = 15000;

/**
 * Writes `parts` (in order) on one connection and reads until the server closes it.
 * Resolves {text, closed}; `closed` is false when the server neither answered nor closed in time.
 */
function exchange(parts, { timeoutMs = ANSWER_WITHIN_MS } = {}) {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    const chunks = [];
    const done = (closed) => { clearTimeout(timer); sock.destroy(); resolve({ text: Buffer.concat(chunks).toString('latin1'), closed }); };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => done(true));
    sock.on('error', (e) => (chunks.length ? done(true) : reject(e)));
    sock.on('connect', async () => {
      for (const p of parts) {
        if (sock.destroyed) return;
        await new Promise((r) => sock.write(p, r));
      }
    });
  });
}

/** The status, headers and body of the first response in `text`. */
function firstResponse(text) {
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no response: ${JSON.stringify(text.slice(0, 200))}`);
  const lines = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])[1]);
  const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const length = Number(headers.get('content-length') ?? 0);
  const text2 = text.slice(end + 4, end + 4 + length);
  let json;
  try { json = JSON.parse(text2); } catch { json = undefined; }
  return { status, headers: { get: (n) => headers.get(n.toLowerCase()) ?? null }, text: text2, json, rest: text.slice(end + 4 + length) };
}

function chunkedHead(extra = '') {
  return `POST /collections/documents?collection=framing HTTP/1.1\r\nHost: x\r\nx-api-key: ${srv.apiKey}\r\n` +
    `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n${extra}\r\n`;
}

test('a chunk extension over 64 KiB gets 431 and the connection closes', async () => {
  const r = await exchange([chunkedHead(), `1;ext=${'a'.repeat(100 * 1024)}`]);
  assert.ok(r.closed, `no answer within ${ANSWER_WITHIN_MS} ms: ${r.text.slice(0, 200)}`);
  expectError(firstResponse(r.text), 431, 'PAYLOAD_TOO_LARGE', 'long chunk extension');
});

test('chunk extensions count together: many small ones past 64 KiB get 431', async () => {
  // A valid body in one-byte chunks, each with a 10 KiB extension: 70 KiB in all.
  const body = '{"a":1}';
  const parts = [chunkedHead()];
  for (const ch of body) parts.push(`1;e=${'b'.repeat(10 * 1024)}\r\n${ch}\r\n`);
  parts.push('0\r\n\r\n');
  const r = await exchange(parts);
  assert.ok(r.closed, 'the connection closes');
  expectError(firstResponse(r.text), 431, 'PAYLOAD_TOO_LARGE', 'extensions adding up');
});

test('a trailer section over 64 KiB gets 431 and the connection closes', async () => {
  const r = await exchange([chunkedHead(), '7\r\n{"a":1}\r\n0\r\n', `X-Trailer: ${'c'.repeat(100 * 1024)}`]);
  assert.ok(r.closed, `no answer within ${ANSWER_WITHIN_MS} ms`);
  expectError(firstResponse(r.text), 431, 'PAYLOAD_TOO_LARGE', 'long trailer');
});

test('small extensions and trailers are still accepted', async () => {
  const r = await exchange([chunkedHead('Connection: close\r\n'), '7;name=value\r\n{"a":1}\r\n0\r\nX-Trailer: ok\r\n\r\n']);
  assert.equal(firstResponse(r.text).status, 201, r.text.slice(0, 300));
});

test('a bare-LF chunk-size line gets 400 at once, not the idle timer', async () => {
  const r = await exchange([chunkedHead(), '7\n{"a":1}\n0\n\n']);
  assert.ok(r.closed, `held open for ${ANSWER_WITHIN_MS} ms`);
  expectError(firstResponse(r.text), 400, 'INVALID_QUERY', 'bare LF');
});

test('a chunk line that cannot be valid gets 400 at once', async () => {
  for (const bad of ['zz', '7\r\n{"a":1}x']) {
    const r = await exchange([chunkedHead(), bad]);
    assert.ok(r.closed, `${JSON.stringify(bad)}: held open for ${ANSWER_WITHIN_MS} ms`);
    expectError(firstResponse(r.text), 400, 'INVALID_QUERY', JSON.stringify(bad));
  }
});

test('HEAD /health is 200 with the headers of GET and no body', async () => {
  const res = await fetch(`${srv.url}/health`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
  // On one connection: if HEAD sent a body, the next response would not start where it should.
  const r = await exchange(['HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  const head = firstResponse(r.text);
  assert.equal(head.status, 200);
  const afterHead = r.text.slice(r.text.indexOf('\r\n\r\n') + 4);
  assert.match(afterHead, /^HTTP\/1\.1 200/, `HEAD carried a body: ${JSON.stringify(r.text.slice(0, 400))}`);
  const get = firstResponse(afterHead);
  assert.equal(get.json?.status, 'ok');
  assert.equal(head.headers.get('content-length'), String(get.text.length), 'HEAD announces the GET length');
});

test('an HTTP/1.1 request without Host gets 400', async () => {
  const r = await exchange(['GET /health HTTP/1.1\r\nConnection: close\r\n\r\n']);
  expectError(firstResponse(r.text), 400, 'INVALID_QUERY', 'no Host');
});

test('a request with two Host headers gets 400', async () => {
  for (const version of ['1.1', '1.0']) {
    const r = await exchange([`GET /health HTTP/${version}\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n`]);
    expectError(firstResponse(r.text), 400, 'INVALID_QUERY', `two Hosts, HTTP/${version}`);
  }
});

test('a WebSocket upgrade without Host gets 400', async () => {
  const r = await exchange(['GET /realtime/broadcast HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n']);
  expectError(firstResponse(r.text), 400, 'INVALID_QUERY', 'upgrade without Host');
});

test('HTTP/1.0 without Host is still served (it predates Host)', async () => {
  const r = await exchange(['GET /health HTTP/1.0\r\n\r\n']);
  const res = firstResponse(r.text);
  assert.equal(res.status, 200, r.text.slice(0, 300));
  assert.equal(res.json?.status, 'ok');
});

test('fetch sends one Host: ordinary requests are unaffected', async () => {
  const res = await fetch(`${srv.url}/collections/framing/documents`, { headers: { 'x-api-key': srv.apiKey } });
  assert.equal(res.status, 200);
});
