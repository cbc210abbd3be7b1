// The official npm SDK's own reconnect (cocobase@1.6.0, ReconnectingWebSocket: 1 s, then
// doubling) brings a CollectionWatcher back after the server restarts on the same address and
// data dir, and the watcher then sees new writes. Origin rewriting as in sdk_realtime.test.mjs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Cocobase, memoryStorageAdapter } from 'cocobase';
import { startServer, stopAll, makeTempDir, sleep } from '../integration/lib/server.mjs';

const SDK_ORIGIN = 'https://api.cocobase.cc';
after(stopAll);

function redirectSdkOrigin(httpUrl) {
  const wsBase = httpUrl.replace(/^http/, 'ws');
  const NativeWebSocket = globalThis.WebSocket;
  globalThis.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) { super(String(url).replace(SDK_ORIGIN.replace(/^http/, 'ws'), wsBase), protocols); }
  };
}

async function until(pred, ms, what) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await sleep(25);
  }
}

test('a CollectionWatcher reconnects by itself after a server restart and sees new writes', async () => {
  const dataDir = await makeTempDir();
  let srv = await startServer({ dataDir });
  const port = new URL(srv.url).port;
  redirectSdkOrigin(srv.url);
  const db = new Cocobase({ apiKey: srv.apiKey, baseURL: srv.url, storage: memoryStorageAdapter(), timeout: 10000 });
  const w = db.realtime.collection('restarts');
  let connected = 0, reconnected = 0;
  const created = [];
  w.onConnected(() => { connected++; });
  w.onReconnect(() => { reconnected++; });
  w.onCreate((e) => created.push(e.data.data.n));
  w.connect();
  await until(() => connected === 1, 5000, 'first connected');
  await db.createDocument('restarts', { n: 1 });
  await until(() => created.length === 1, 5000, 'first create event');

  const key = srv.apiKey;
  await srv.stop();
  srv = await startServer({ dataDir, apiKey: key, args: ['--listen', `127.0.0.1:${port}`] });
  await until(() => connected === 2, 15000, 'connected again after the restart');
  assert.equal(reconnected, 1, 'onReconnect fired once');
  await db.createDocument('restarts', { n: 2 });
  await until(() => created.length === 2, 5000, 'create event after the restart');
  w.disconnect();
  assert.deepEqual(created, [1, 2]);
});
