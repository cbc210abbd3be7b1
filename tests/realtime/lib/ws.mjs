// Test support for the realtime tests: a small WebSocket client over Node's global WebSocket
// (node --experimental-websocket), with a message queue and awaitable close.

import assert from 'node:assert/strict';

export const DEFAULT_TIMEOUT_MS = 5000;

export function wsUrl(httpUrl, path) {
  return httpUrl.replace(/^http/, 'ws') + path;
}

/**
 * Open a socket and wait for it to be open.
 * @returns client with send(obj|string), next(ms), nextWhere(pred, ms), closed (Promise<{code, reason}>),
 *          all (every message received so far), close()
 */
export async function openWs(httpUrl, path) {
  const ws = new WebSocket(wsUrl(httpUrl, path));
  const queue = [];
  const all = [];
  let waiter = null;
  let closeInfo = null;
  let resolveClosed;
  const closed = new Promise((r) => { resolveClosed = r; });
  ws.addEventListener('message', (ev) => {
    let msg;
    try { msg = JSON.parse(ev.data); } catch { msg = { __raw: ev.data }; }
    all.push(msg);
    queue.push(msg);
    if (waiter) { const w = waiter; waiter = null; w(); }
  });
  ws.addEventListener('close', (ev) => {
    closeInfo = { code: ev.code, reason: ev.reason };
    resolveClosed(closeInfo);
    if (waiter) { const w = waiter; waiter = null; w(); }
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error(`cannot open ${path}`)), { once: true });
  });
  const client = {
    ws,
    all,
    closed,
    get closeInfo() { return closeInfo; },
    send(m) { ws.send(typeof m === 'string' || m instanceof Uint8Array ? m : JSON.stringify(m)); },
    /** next message, or throws on timeout / close */
    async next(ms = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + ms;
      while (queue.length === 0) {
        if (closeInfo) throw new Error(`socket closed (${closeInfo.code} ${closeInfo.reason}) while waiting for a message`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no message within ${ms} ms`);
        await new Promise((r) => {
          const t = setTimeout(() => { waiter = null; r(); }, left);
          waiter = () => { clearTimeout(t); r(); };
        });
      }
      return queue.shift();
    },
    /** skip messages until pred(msg) holds */
    async nextWhere(pred, ms = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = await client.next(Math.max(1, deadline - Date.now()));
        if (pred(m)) return m;
      }
    },
    /** resolves with no message queued within ms (asserts none arrives) */
    async expectSilence(ms = 300) {
      await new Promise((r) => setTimeout(r, ms));
      assert.deepEqual(queue, [], `unexpected messages: ${JSON.stringify(queue).slice(0, 500)}`);
    },
    pending() { return queue.length; },
    close(code = 1000) { try { ws.close(code); } catch { /* already closing */ } return closed; },
  };
  return client;
}

/** Opens, sends the auth message, and returns the client with the confirmation message. */
export async function connectAuthed(httpUrl, path, auth) {
  const c = await openWs(httpUrl, path);
  c.send(auth);
  const first = await c.next();
  return { c, first };
}

/** Expects an error message with `code` and then a close with closeCode and reason = code. */
export async function expectErrorClose(c, code, closeCode, ms = DEFAULT_TIMEOUT_MS) {
  const m = await c.next(ms);
  assert.equal(m.type, 'error', `expected an error, got ${JSON.stringify(m)}`);
  assert.equal(m.code, code, `expected ${code}, got ${JSON.stringify(m)}`);
  assert.equal(typeof m.error, 'string');
  const info = await withTimeout(c.closed, ms, 'close');
  assert.equal(info.code, closeCode, `close code for ${code}`);
  assert.equal(info.reason, code, 'close reason equals the code');
  return m;
}

export function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]);
}
