// PROTOCOL 8d: app-user JWTs on realtime connections (EXT-07). Tokens are signed here with the
// server's --jwt-secret, so that expired and cross-project tokens can be made at will.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, stopAll, cli } from '../integration/lib/server.mjs';
import { connectAuthed, expectErrorClose, openWs } from './lib/ws.mjs';

const SECRET = 'realtime-test-secret-0123456789abcdef';
let srv;
let keyB;

const b64url = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
function sign(claims, secret = SECRET) {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url({ alg: 'HS256', typ: 'JWT' });
  const body = b64url({ iss: 'cocobase', iat: now, exp: now + 3600, roles: [], ...claims });
  const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

before(async () => {
  srv = await startServer({ args: ['--jwt-secret', SECRET] });
  const r = cli(['project', 'create', 'tokb', '--data', srv.dataDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  keyB = r.json.api_key;
});
after(async () => { await stopAll(); });

test('EXT-07 a token alone authenticates a watch and sets user_id/user_name on broadcast and rooms', async () => {
  const token = sign({ sub: 'user-1', project_id: 'default', name: 'Ann' });
  let { c, first } = await connectAuthed(srv.url, '/realtime/collections/users', { token });
  assert.equal(first.event, 'connected');
  await c.close();
  ({ c, first } = await connectAuthed(srv.url, '/realtime/broadcast', { token, user_id: 'spoof', user_name: 'Spoof' }));
  assert.deepEqual(first, { event: 'connected', project_id: 'default', user_id: 'user-1', user_name: 'Ann' });
  await c.close();
  const noName = sign({ sub: 'user-2', project_id: 'default' });
  ({ c, first } = await connectAuthed(srv.url, '/realtime/rooms/tok', { token: noName, api_key: srv.apiKey, action: 'create' }));
  assert.equal(first.user_id, 'user-2');
  assert.equal(first.user_name, 'user-2');
  await c.close();
});

test('EXT-07 a bad token closes 4401 even with a valid api_key; expired gives TOKEN_EXPIRED', async () => {
  const cases = [
    [{ token: 'garbage', api_key: srv.apiKey }, 'INVALID_TOKEN'],
    [{ token: sign({ sub: 'u', project_id: 'default' }, 'other-secret'), api_key: srv.apiKey }, 'INVALID_TOKEN'],
    [{ token: sign({ sub: 'u', project_id: 'no-such-project' }) }, 'INVALID_TOKEN'],
    [{ token: sign({ sub: 'u', project_id: 'default', exp: Math.floor(Date.now() / 1000) - 3600 }) }, 'TOKEN_EXPIRED'],
  ];
  for (const [auth, code] of cases) {
    const c = await openWs(srv.url, '/realtime/broadcast');
    c.send(auth);
    await expectErrorClose(c, code, 4401);
  }
});

test('EXT-07 a token and an api_key of different projects close 4403 PROJECT_MISMATCH', async () => {
  const c = await openWs(srv.url, '/realtime/collections/users');
  c.send({ token: sign({ sub: 'u', project_id: 'default' }), api_key: keyB });
  const m = await expectErrorClose(c, 'PROJECT_MISMATCH', 4403);
  assert.equal(m.error, 'Token and API key belong to different projects');
  // an unknown key is reported before the token is looked at (5.1.4 order)
  const c2 = await openWs(srv.url, '/realtime/collections/users');
  c2.send({ token: 'garbage', api_key: 'cb_unknown' });
  await expectErrorClose(c2, 'INVALID_API_KEY', 4401);
});
