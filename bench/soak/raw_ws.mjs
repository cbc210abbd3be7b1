// A WebSocket client over node:net for what the WebSocket API cannot do: drop the TCP connection
// without a close frame (FIN or RST) and stop reading while the server keeps sending.

import net from 'node:net';
import crypto from 'node:crypto';

function encodeFrame(payload, opcode) {
  const mask = crypto.randomBytes(4);
  let head;
  if (payload.length < 126) {
    head = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
  } else if (payload.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode; head[1] = 0x80 | 126; head.writeUInt16BE(payload.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode; head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  const masked = Buffer.allocUnsafe(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, masked]);
}

// Incoming bytes as a list of chunks; they are joined only once a whole frame is there, so a
// large frame arriving in many reads costs one copy, not one per read.
class FrameReader {
  constructor() { this.chunks = []; this.len = 0; this.need = 2; }

  push(b) { this.chunks.push(b); this.len += b.length; }

  #flatten() {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.len)];
    return this.chunks[0];
  }

  /** The next complete frame {opcode, payload}, or null. */
  next() {
    if (this.len < this.need) return null;
    const buf = this.#flatten();
    let len = buf[1] & 0x7f;
    let hdr = 2;
    if (len === 126) { if (buf.length < 4) { this.need = 4; return null; } len = buf.readUInt16BE(2); hdr = 4; }
    else if (len === 127) { if (buf.length < 10) { this.need = 10; return null; } len = Number(buf.readBigUInt64BE(2)); hdr = 10; }
    if (buf.length < hdr + len) { this.need = hdr + len; return null; }
    const frame = { opcode: buf[0] & 0x0f, payload: buf.subarray(hdr, hdr + len) };
    const rest = buf.subarray(hdr + len);
    this.chunks = rest.length ? [rest] : [];
    this.len = rest.length;
    this.need = 2;
    return frame;
  }
}

/**
 * Connects, upgrades and calls onMessage(text) per text message and onClose({code, how}) once.
 * how: 'server-close' (the server's close frame), 'echo' (its answer to ours), 'eof', 'error', 'local'.
 */
export function rawWs({ host, port, path, onMessage, onClose, timeoutMs = 10000 }) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    const reader = new FrameReader();
    let upgraded = false;
    let head = Buffer.alloc(0);
    let closed = false;
    let closeSent = false;
    const finish = (info) => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      onClose?.(info);
    };
    const timer = setTimeout(() => {
      if (!upgraded) { sock.destroy(); reject(new Error('upgrade timeout')); }
    }, timeoutMs);

    const client = {
      sock,
      get closed() { return closed; },
      send(obj) { if (!closed && !sock.destroyed) sock.write(encodeFrame(Buffer.from(JSON.stringify(obj)), 1)); },
      pause() { sock.pause(); },
      resume() { sock.resume(); },
      /** FIN without a close frame */
      drop() { sock.destroy(); finish({ code: 1006, how: 'local' }); },
      /** RST without a close frame */
      reset() { if (typeof sock.resetAndDestroy === 'function') sock.resetAndDestroy(); else sock.destroy(); finish({ code: 1006, how: 'local' }); },
      /** close frame 1000, then wait (bounded) for the server's close or EOF */
      closeClean(waitMs = 5000) {
        if (closed || sock.destroyed) return Promise.resolve();
        const code = Buffer.from([0x03, 0xe8]);
        closeSent = true;
        sock.resume();
        sock.write(encodeFrame(code, 8));
        return new Promise((r) => {
          const t = setTimeout(() => { sock.destroy(); finish({ code: 1006, how: 'local' }); r(); }, waitMs);
          sock.once('close', () => { clearTimeout(t); r(); });
        });
      },
    };

    const onFrames = () => {
      for (;;) {
        const f = reader.next();
        if (!f) return;
        if (f.opcode === 1 || f.opcode === 0) onMessage?.(f.payload.toString('utf8'));
        else if (f.opcode === 9) { if (!closeSent) sock.write(encodeFrame(Buffer.from(f.payload), 10)); }
        else if (f.opcode === 8) {
          const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
          // 'echo': the answer to our own close; 'server-close': the server closed first
          const how = closeSent ? 'echo' : 'server-close';
          if (!closeSent) { closeSent = true; sock.write(encodeFrame(Buffer.from(f.payload.subarray(0, 2)), 8)); }
          sock.end();
          finish({ code, how, reason: f.payload.subarray(2).toString('utf8') });
          return;
        }
      }
    };

    sock.on('data', (d) => {
      if (upgraded) { reader.push(d); onFrames(); return; }
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = head.subarray(0, end).toString('latin1');
      if (!/^HTTP\/1\.1 101/.test(status)) {
        sock.destroy();
        clearTimeout(timer);
        reject(new Error(`upgrade refused: ${status.split('\r\n')[0]}`));
        return;
      }
      upgraded = true;
      clearTimeout(timer);
      const rest = head.subarray(end + 4);
      head = null;
      resolve(client);
      if (rest.length) { reader.push(rest); onFrames(); }
    });
    sock.on('error', (e) => {
      if (!upgraded) { clearTimeout(timer); reject(e); return; }
      finish({ code: 1006, how: 'error' });
    });
    sock.on('close', () => finish({ code: 1006, how: 'eof' }));
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}
