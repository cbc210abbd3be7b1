// A raw WebSocket client over a TCP socket, for what the WebSocket API cannot do: stop reading
// (slow consumer) and see every frame, close frames included.

import net from 'node:net';
import crypto from 'node:crypto';

/** A masked client frame: opcode 1 text, 0 continuation, 2 binary. */
export function encodeFrame(payload, { opcode = 1, fin = true } = {}) {
  const b0 = (fin ? 0x80 : 0) | opcode;
  const mask = crypto.randomBytes(4);
  let head;
  if (payload.length < 126) {
    head = Buffer.from([b0, 0x80 | payload.length]);
  } else if (payload.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = b0; head[1] = 0x80 | 126; head.writeUInt16BE(payload.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = b0; head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i % 4];
  return Buffer.concat([head, mask, masked]);
}

function encodeText(text) {
  return encodeFrame(Buffer.from(text, 'utf8'));
}

/** Parses complete server frames (unmasked) from buf; returns {frames, rest}. */
export function parseFrames(buf) {
  const frames = [];
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    const b0 = buf[off]; const b1 = buf[off + 1];
    let len = b1 & 0x7f;
    let p = off + 2;
    if (len === 126) { if (buf.length - off < 4) break; len = buf.readUInt16BE(off + 2); p = off + 4; }
    else if (len === 127) { if (buf.length - off < 10) break; len = Number(buf.readBigUInt64BE(off + 2)); p = off + 10; }
    if (buf.length < p + len) break;
    frames.push({ fin: !!(b0 & 0x80), opcode: b0 & 0x0f, payload: buf.subarray(p, p + len) });
    off = p + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/** Opens a socket, upgrades, sends `auth`. The caller decides when to read (sock.pause()). */
export function rawConnect(httpUrl, path, auth) {
  const u = new URL(httpUrl);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    let buf = Buffer.alloc(0);
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      const head = buf.subarray(0, end).toString('latin1');
      if (!/^HTTP\/1\.1 101/.test(head)) { sock.destroy(); reject(new Error(head)); return; }
      sock.pause();
      sock.write(encodeText(JSON.stringify(auth)));
      resolve({ sock, initial: buf.subarray(end + 4) });
    };
    sock.on('data', onData);
    sock.on('error', reject);
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

/** Reads every remaining frame until the server closes the TCP connection. */
export function readAll(sock, initial = Buffer.alloc(0), timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    const chunks = [initial];
    const t = setTimeout(() => { sock.destroy(); reject(new Error('readAll timed out')); }, timeoutMs);
    sock.on('data', (d) => {
      chunks.push(d);
      // once the close frame arrived, answer nothing and hang up
      const { frames } = parseFrames(Buffer.concat(chunks));
      if (frames.some((f) => f.opcode === 8)) { clearTimeout(t); sock.destroy(); resolve(parseFrames(Buffer.concat(chunks)).frames); }
    });
    sock.on('end', () => { clearTimeout(t); resolve(parseFrames(Buffer.concat(chunks)).frames); });
    sock.on('error', (e) => { clearTimeout(t); reject(e); });
    sock.resume();
  });
}
